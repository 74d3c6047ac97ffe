"""E-licence identifiers (电子证照标识) — GB/T 36904-2018.

`1.2.156.3005.2.` + licence-type code + `.` + issuer USCC + `.` + serial +
`.` + 3-digit version + `.` + check character. The check is ISO/IEC 7064
MOD 37,36 (hybrid system, alphabet `0-9A-Z`, the check character too) computed
over everything after the root with the dots removed.

The licence-type code (证照类型代码) is the defining body's USCC + a 3-digit
sequence (21 characters); the issuer code is the issuing department's USCC
(18 characters). Serials here are 8 digits per issuer and type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROOT = "1.2.156.3005.2."
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MODULUS = 36
SERIAL_DIGITS = 8
TYPE_CODE_PATTERN = r"^[0-9A-HJ-NP-RTUW-Y]{18}[0-9]{3}$"
USCC_PATTERN = r"^[0-9A-HJ-NP-RTUW-Y]{18}$"
IDENTIFIER_PATTERN = r"^1\.2\.156\.3005\.2\.[0-9A-Z]{21}\.[0-9A-Z]{18}\.[0-9A-Z]{1,32}\.[0-9]{3}\.[0-9A-Z]$"
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_TYPE_CODE = re.compile(TYPE_CODE_PATTERN)
_USCC = re.compile(USCC_PATTERN)
_SERIAL = re.compile(r"^[0-9A-Z]{1,32}$")


class InvalidIdentifier(ValueError):
    """Not a well-formed e-licence identifier, or its check character is wrong."""


def _checksum(text: str) -> int:
    check = _MODULUS // 2
    for char in text:
        check = (((check or _MODULUS) * 2) % (_MODULUS + 1) + _ALPHABET.index(char)) % _MODULUS
    return check


def check_character(body: str) -> str:
    """The MOD 37,36 check character of `body` (digits and upper-case letters)."""
    if not body or any(char not in _ALPHABET for char in body):
        raise InvalidIdentifier("the check covers digits and upper-case letters only")
    return _ALPHABET[(1 - ((_checksum(body) or _MODULUS) * 2) % (_MODULUS + 1)) % _MODULUS]


def is_valid_check(body_with_check: str) -> bool:
    if len(body_with_check) < 2 or any(char not in _ALPHABET for char in body_with_check):
        return False
    return _checksum(body_with_check) == 1


@dataclass(frozen=True)
class LicenceIdentifier:
    type_code: str
    issuer_uscc: str
    serial: str
    version: int

    def __post_init__(self) -> None:
        if not _TYPE_CODE.match(self.type_code):
            raise InvalidIdentifier("licence-type code: a USCC and 3 digits")
        if not _USCC.match(self.issuer_uscc):
            raise InvalidIdentifier("issuer code: an 18-character USCC")
        if not _SERIAL.match(self.serial):
            raise InvalidIdentifier("serial: digits and upper-case letters")
        if not 1 <= self.version <= 999:
            raise InvalidIdentifier("version: 1..999")

    @property
    def body(self) -> str:
        return f"{self.type_code}{self.issuer_uscc}{self.serial}{self.version:03d}"

    def __str__(self) -> str:
        return (
            f"{ROOT}{self.type_code}.{self.issuer_uscc}.{self.serial}.{self.version:03d}.{check_character(self.body)}"
        )

    def next_version(self) -> LicenceIdentifier:
        return LicenceIdentifier(self.type_code, self.issuer_uscc, self.serial, self.version + 1)


def format_serial(number: int) -> str:
    return f"{number:0{SERIAL_DIGITS}d}"


def parse_identifier(text: str) -> LicenceIdentifier:
    """The parts of a well-formed identifier whose check character is right."""
    if not isinstance(text, str) or len(text) > 128 or not _IDENTIFIER.match(text):
        raise InvalidIdentifier("not an e-licence identifier")
    type_code, issuer, serial, version, check = text[len(ROOT) :].split(".")
    if not is_valid_check(type_code + issuer + serial + version + check):
        raise InvalidIdentifier("check character does not match")
    return LicenceIdentifier(type_code, issuer, serial, int(version))
