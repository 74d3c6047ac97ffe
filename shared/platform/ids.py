"""Time-ordered unique ids (ULID layout: 48-bit milliseconds + 80 random bits,
Crockford base32), so ids sort by creation time and need no coordination."""

from __future__ import annotations

import hashlib
import secrets

from shared.platform.clock import now

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    millis = int(now().timestamp() * 1000)
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def derived_id(parent_id: str, *parts: str) -> str:
    """An id known before its record exists: `parent_id`'s time part (10 characters, so it
    sorts with its parent) and 80 bits of a hash of `parts`. The same inputs give the same
    id, so a retried creation finds the record instead of making another (D-279)."""
    digest = int.from_bytes(hashlib.sha256(":".join((parent_id, *parts)).encode()).digest()[:10])
    tail = "".join(_ALPHABET[(digest >> (5 * i)) & 31] for i in reversed(range(16)))
    return parent_id[:10] + tail
