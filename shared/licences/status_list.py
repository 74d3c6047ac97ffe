"""The published status list (状态列表), in the style of the W3C Bitstring
Status List: one fixed-size list of 2-bit entries, GZIP-compressed and
base64url-encoded (multibase `u`), that verifiers download whole. Each
licence holds a random index in it; a verifier that downloads the list and
looks its entry up locally tells nobody which licence it checked, and the
list's size (131,072 entries by default) hides how many licences exist.

Entry values: 0 active (or expired: expiry comes from the signed dates),
1 suspended, 2 revoked, 3 replaced by a newer version.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from enum import IntEnum

STATUS_SIZE = 2  # bits per entry
DEFAULT_LIST_SIZE = 131_072  # entries: the W3C minimum for herd privacy
MAX_ENCODED_CHARS = 2_000_000


class Entry(IntEnum):
    ACTIVE = 0
    SUSPENDED = 1
    REVOKED = 2
    REPLACED = 3


STATUS_MESSAGES = [
    {"status": "0x0", "message": "active"},
    {"status": "0x1", "message": "suspended"},
    {"status": "0x2", "message": "revoked"},
    {"status": "0x3", "message": "replaced"},
]


class InvalidStatusList(ValueError):
    """The encoded list cannot be read (bad base64, not GZIP, wrong length)."""


class StatusBits:
    """A mutable list of 2-bit entries; entry 0 is the first (most significant) bits."""

    def __init__(self, size: int = DEFAULT_LIST_SIZE, raw: bytes | None = None) -> None:
        if size <= 0 or size * STATUS_SIZE % 8:
            raise ValueError("size must be a positive multiple of 4")
        self.size = size
        length = size * STATUS_SIZE // 8
        if raw is not None and len(raw) != length:
            raise InvalidStatusList("the list has the wrong length")
        self._bytes = bytearray(raw if raw is not None else bytes(length))

    def get(self, index: int) -> Entry:
        if not 0 <= index < self.size:
            raise IndexError(index)
        byte, slot = divmod(index * STATUS_SIZE, 8)
        return Entry((self._bytes[byte] >> (8 - STATUS_SIZE - slot)) & 0b11)

    def set(self, index: int, value: Entry) -> None:
        if not 0 <= index < self.size:
            raise IndexError(index)
        byte, slot = divmod(index * STATUS_SIZE, 8)
        shift = 8 - STATUS_SIZE - slot
        self._bytes[byte] = (self._bytes[byte] & ~(0b11 << shift) & 0xFF) | (int(value) << shift)

    def encode(self) -> str:
        """Multibase base64url (no padding) of the GZIP-compressed bits."""
        compressed = gzip.compress(bytes(self._bytes), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str, size: int) -> StatusBits:
        if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) > MAX_ENCODED_CHARS:
            raise InvalidStatusList("not a multibase base64url string")
        text = encoded[1:]
        try:
            compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            inflater = zlib.decompressobj(wbits=31)  # GZIP framing; stop past the expected length
            raw = inflater.decompress(compressed, size * STATUS_SIZE // 8 + 1)
        except (binascii.Error, ValueError, zlib.error) as exc:
            raise InvalidStatusList("not GZIP-compressed base64url") from exc
        return cls(size, raw)
