"""Cursor pagination: `?limit=` (default 20, max 100) and an opaque `cursor`.

A cursor is the DynamoDB key of the last item returned, base64url-encoded.
It is bound to the query that produced it: a cursor whose partition does not
match the query is refused with 400 `invalid_cursor` instead of reaching
DynamoDB as a confusing validation error.
"""

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.platform.errors import BadRequest

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

T = TypeVar("T")


class Page[T](BaseModel):
    # built on first use, and so is each `Page[Item]` a route module names (cold start)
    model_config = ConfigDict(defer_build=True)

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: Mapping[str, Any] | None) -> str | None:
    if not key:
        return None
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, must_match: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The key inside `cursor`; `must_match` pins attributes (the partition)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("invalid_cursor") from exc
    if not isinstance(key, dict) or not all(isinstance(v, str | int) for v in key.values()):
        raise BadRequest("invalid_cursor")
    for name, expected in (must_match or {}).items():
        if key.get(name) != expected:
            raise BadRequest("invalid_cursor")
    return key
