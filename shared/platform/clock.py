"""One clock for the platform: UTC in storage, Asia/Shanghai for people.

Tests freeze it with `frozen_at(...)` instead of patching datetime.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today_in_shanghai() -> date:
    return now().astimezone(SHANGHAI).date()


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with `Z`, seconds precision: the one form the API shows times in
    (pydantic serialises UTC datetimes the same way; `+00:00` beside it read as two formats)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    global _frozen
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
