"""Payment notice numbers (缴款码): what the payer quotes at any channel.

Layout, 20 digits (no national standard covers it; ../shared/brief/standards.md
is silent, so this is our scheme, documented in docs/decisions.md D-034):

    RRRRRR YYMMDD NNNNNNN C
    │      │      │       └ check digit: Damm algorithm over the first 19 digits
    │      │      └ 7 random digits (uniqueness enforced by a conditional write)
    │      └ the order's creation date in Asia/Shanghai
    └ GB/T 2260 division of the department collecting the fee

The Damm check digit catches every single-digit error and every transposition
of two adjacent digits (a Luhn digit misses 09↔90), which are the mistakes
people make copying a number from a paper notice into a bank app.
"""

from __future__ import annotations

import datetime as dt
import secrets

LENGTH = 20

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def check_digit(digits: str) -> str:
    """The Damm check digit of a string of decimal digits."""
    interim = 0
    for char in digits:
        if not "0" <= char <= "9":
            raise ValueError("digits only")
        interim = _DAMM[interim][ord(char) - 48]
    return str(interim)


def is_valid(number: str) -> bool:
    """20 decimal digits whose last is the Damm check digit of the first 19."""
    if len(number) != LENGTH or not number.isascii() or not number.isdigit():
        return False
    return check_digit(number) == "0"  # Damm: a number with its check digit reduces to 0


def new_notice_number(region_code: str, on: dt.date, serial: int | None = None) -> str:
    """A notice number for a fee collected in `region_code`, created on `on`."""
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError("region_code must be a 6-digit GB/T 2260 code")
    number = serial if serial is not None else secrets.randbelow(10_000_000)
    if not 0 <= number < 10_000_000:
        raise ValueError("serial out of range")
    body = f"{region_code}{on:%y%m%d}{number:07d}"
    return body + check_digit(body)
