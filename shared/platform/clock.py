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


def months_after(month: str, count: int) -> list[str]:
    """The `count` months after `month` (YYYY-MM), nearest first (`2026-11`, 2 → 2026-12, 2027-01)."""
    year, number = int(month[:4]), int(month[5:7])
    found = []
    for _ in range(count):
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
        found.append(f"{year:04d}-{number:02d}")
    return found


def months_before(month: str, count: int) -> list[str]:
    """The `count` months before `month` (YYYY-MM), nearest first (`2026-03`, 2 → 2026-02, 2026-01)."""
    year, number = int(month[:4]), int(month[5:7])
    found = []
    for _ in range(count):
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
        found.append(f"{year:04d}-{number:02d}")
    return found


def previous_month() -> str:
    """Last month in Shanghai (YYYY-MM): the month a monthly close or report covers."""
    return months_before(today_in_shanghai().isoformat()[:7], 1)[0]


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
