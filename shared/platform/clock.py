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
    """RFC 3339 with offset, seconds precision, as the API shows times."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    global _frozen
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
