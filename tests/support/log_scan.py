"""Finds personal data and credentials in log text (PIPL).

Every log line the suite produces — captured output of in-process handlers
and the local cloud's function logs — is scanned; a test whose logs contain a
raw resident ID number, a mobile phone number or a token fails. Patterns are
strict enough not to flag ids and timestamps: an ID number must pass its
MOD 11-2 check, a phone number must stand alone as 11 digits starting 1[3-9].
"""

from __future__ import annotations

import re

from shared.codes.national import resident_id_check_character

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z+])(1[3-9]\d{9})(?![0-9A-Za-z])")
_JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}")
_BEARER = re.compile(r"Bearer\s+[\w.~+/-]{16,}", re.IGNORECASE)


def _is_id_number(candidate: str) -> bool:
    body = candidate[:17]
    birth_year = int(body[6:10])
    return 1900 <= birth_year <= 2100 and resident_id_check_character(body) == candidate[17].upper()


def findings(text: str) -> list[str]:
    """What in `text` must never be logged, each shown masked."""
    found = [f"ID number {m[:6]}…" for m in _ID_NUMBER.findall(text) if _is_id_number(m)]
    found += [f"phone {m[:3]}…" for m in _PHONE.findall(text)]
    found += [f"token {m[:6]}…" for m in _JWT.findall(text)]
    found += [f"bearer credential {m[:10]}…" for m in _BEARER.findall(text)]
    return found
