"""The published status list (状态列表), in the style of the W3C Bitstring
Status List: one fixed-size list of 2-bit entries, GZIP-compressed and
base64url-encoded (multibase `u`), that verifiers download whole. Each
licence holds a random index in it; a verifier that downloads the list and
looks its entry up locally tells nobody which licence it checked, and the
list's size (131,072 entries by default) hides how many licences exist.

Entry values: 0 active (or expired: expiry comes from the signed dates),
1 suspended, 2 revoked, 3 replaced by a newer version. Beside it, a 1-bit
renewal list with the same indexes marks licences whose renewal is pending
(`RenewalBits`): past its end such a licence is deemed renewed, not expired.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from enum import IntEnum
from typing import ClassVar, Self

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


class _Bits:
    """A mutable list of `WIDTH`-bit entries; entry 0 is the first (most significant) bits."""

    WIDTH: ClassVar[int] = STATUS_SIZE

    def __init__(self, size: int = DEFAULT_LIST_SIZE, raw: bytes | None = None) -> None:
        if size <= 0 or size * self.WIDTH % 8:
            raise ValueError(f"size must be a positive multiple of {8 // self.WIDTH}")
        self.size = size
        length = size * self.WIDTH // 8
        if raw is not None and len(raw) != length:
            raise InvalidStatusList("the list has the wrong length")
        self._bytes = bytearray(raw if raw is not None else bytes(length))

    def _shift(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise IndexError(index)
        byte, slot = divmod(index * self.WIDTH, 8)
        return byte, 8 - self.WIDTH - slot

    def _get(self, index: int) -> int:
        byte, shift = self._shift(index)
        return (self._bytes[byte] >> shift) & ((1 << self.WIDTH) - 1)

    def _set(self, index: int, value: int) -> None:
        byte, shift = self._shift(index)
        mask = ((1 << self.WIDTH) - 1) << shift
        self._bytes[byte] = (self._bytes[byte] & ~mask & 0xFF) | (value << shift)

    def encode(self) -> str:
        """Multibase base64url (no padding) of the GZIP-compressed bits."""
        compressed = gzip.compress(bytes(self._bytes), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str, size: int) -> Self:
        if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) > MAX_ENCODED_CHARS:
            raise InvalidStatusList("not a multibase base64url string")
        text = encoded[1:]
        try:
            compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            inflater = zlib.decompressobj(wbits=31)  # GZIP framing; stop past the expected length
            raw = inflater.decompress(compressed, size * cls.WIDTH // 8 + 1)
        except (binascii.Error, ValueError, zlib.error) as exc:
            raise InvalidStatusList("not GZIP-compressed base64url") from exc
        return cls(size, raw)


class StatusBits(_Bits):
    """The status entries (2 bits each: `Entry`)."""

    def get(self, index: int) -> Entry:
        return Entry(self._get(index))

    def set(self, index: int, value: Entry) -> None:
        self._set(index, int(value))


class RenewalBits(_Bits):
    """The renewal list (1 bit each, same size and indexes as the status list): set while a
    renewal (延续) applied for in time is undecided, so that a verifier — offline too —
    reads a licence past its end as deemed renewed (行政许可法 第50条第2款; D-211)."""

    WIDTH = 1

    def get(self, index: int) -> bool:
        return bool(self._get(index))

    def set(self, index: int, value: bool) -> None:
        self._set(index, int(value))
