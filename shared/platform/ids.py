"""Time-ordered unique ids (ULID layout: 48-bit milliseconds + 80 random bits,
Crockford base32), so ids sort by creation time and need no coordination."""

from __future__ import annotations

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
