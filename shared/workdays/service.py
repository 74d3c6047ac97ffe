"""Working-day calendar rules with data: loading year arrangements
(年度节假日安排), the calendar of the years a computation needs, deadlines
(期限届满日), and the readiness check behind the `NextYearCalendarMissing`
alarm. No boto3 here: keys and tables are the repository's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.platform.errors import FieldError, ValidationFailed
from shared.platform.events import make_envelope
from shared.platform.observability import logger
from shared.workdays import repository
from shared.workdays.events import SOURCE, YEAR_LOADED, YearLoadedData
from shared.workdays.models import (
    MAX_WORKING_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    CalendarYear,
    Deadline,
    StoredYearArrangement,
    WorkingDayCount,
    YearArrangement,
    YearSource,
)
from shared.workdays.rules import Calendar

# From this day on (Asia/Shanghai) next year's arrangement is expected to be
# loaded; the State Council publishes it around November.
NEXT_YEAR_CHECK_FROM_MONTH = 12
EVENT_SOURCE = SOURCE
YEAR_LOADED_EVENT = YEAR_LOADED


class LoadOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class LoadResult:
    stored: StoredYearArrangement
    outcome: LoadOutcome


class CalendarReadiness(BaseModel):
    """Whether the calendar can count without provisional results."""

    model_config = ConfigDict(defer_build=True)

    today: dt.date
    current_year: int
    current_year_status: YearSource
    next_year: int
    next_year_status: YearSource
    next_year_checked: bool  # only from December 1: before that a missing next year is normal
    missing: bool  # the alarm condition


class _LoadedArrangements:
    """`ArrangementLookup` over the repository's per-process cache."""

    def get(self, year: int, /) -> YearArrangement | None:
        return repository.get_years([year])[year]


def calendar(prefetch_years: Iterable[int] = ()) -> Calendar:
    """The calendar with operator-loaded years; `prefetch_years` are read in
    one call up front, any other year on first use."""
    years = list(prefetch_years)
    if years:
        repository.get_years(years)
    return Calendar(_LoadedArrangements())


def _years_a_count_may_touch(start: dt.date, working_days: int) -> range:
    # generous: 5 working days a week plus room for the longest holidays, so
    # that a normal deadline needs exactly one read of the calendar
    furthest = start + dt.timedelta(days=working_days * 7 // 5 + 60)
    return range(start.year, min(furthest.year, dt.MAXYEAR) + 1)


def _check_year(year: int, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        params = {"min_year": MIN_YEAR, "max_year": MAX_YEAR}
        raise ValidationFailed(
            "calendar.year_out_of_range",
            params=params,
            errors=[FieldError(field, "calendar.year_out_of_range", params=params)],
        )


def calendar_year(year: int) -> CalendarYear:
    """A year's holidays and adjusted working days, and where they come from."""
    _check_year(year, "year")
    stored = repository.get_years([year])[year]
    rules = calendar().rules_for(year)
    return CalendarYear(
        year=year,
        source=rules.source,
        provisional=rules.source is YearSource.MISSING,
        holidays=rules.holiday_list(),
        adjusted_workdays=rules.adjusted_workday_list(),
        notice=stored.notice if stored else None,
        version=stored.version if stored else None,
        updated_at=stored.updated_at if stored else None,
    )


def load_year(arrangement: YearArrangement, *, actor: str) -> LoadResult:
    """Validate and store a year arrangement as the next version.

    Loading the same days again changes nothing (no new version, no event),
    so re-running a load is safe.
    """
    problems = arrangement.problems()
    if problems:
        raise ValidationFailed("calendar.invalid_arrangement", errors=problems)
    arrangement = arrangement.normalized()
    current = repository.get_year_for_update(arrangement.year)
    if current is not None and current.same_days_as(arrangement):
        return LoadResult(current, LoadOutcome.UNCHANGED)
    version = (current.version if current else 0) + 1
    loaded = YearLoadedData(
        year=arrangement.year,
        version=version,
        holidays=len(arrangement.holidays),
        adjusted_workdays=len(arrangement.adjusted_workdays),
    )
    event = make_envelope(
        EVENT_SOURCE, YEAR_LOADED_EVENT, f"calendar/{arrangement.year}", loaded, logger().get_correlation_id()
    )
    stored = repository.save(
        arrangement, expected_version=current.version if current else None, actor=actor, event=event
    )
    logger().info("calendar year loaded", extra={"year": stored.year, "version": stored.version, "actor": actor})
    return LoadResult(stored, LoadOutcome.CREATED if current is None else LoadOutcome.UPDATED)


def deadline(start: dt.date, working_days: int) -> Deadline:
    """The n-th working day after `start` (day 1 is the first working day
    after `start`); provisional when a counted year has no arrangement."""
    _check_year(start.year, "start")
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        params = {"max_working_days": MAX_WORKING_DAYS}
        raise ValidationFailed(
            "calendar.working_days_out_of_range",
            params=params,
            errors=[FieldError("working_days", "calendar.working_days_out_of_range", params=params)],
        )
    return calendar(_years_a_count_may_touch(start, working_days)).add_working_days(start, working_days)


def working_days_between(start: dt.date, end: dt.date) -> WorkingDayCount:
    """Working days d with start < d <= end, e.g. the days a clock has used."""
    return calendar(range(start.year, max(start.year, end.year) + 1)).working_days_between(start, end)


def readiness(today: dt.date) -> CalendarReadiness:
    """The alarm condition of `calendar_check`: the current year is missing,
    or — from December 1 — next year is."""
    current_year, next_year = today.year, today.year + 1
    loaded = calendar([current_year, next_year])
    current_status = loaded.year_status(current_year)
    next_status = loaded.year_status(next_year)
    next_checked = today.month >= NEXT_YEAR_CHECK_FROM_MONTH
    missing = current_status is YearSource.MISSING or (next_checked and next_status is YearSource.MISSING)
    return CalendarReadiness(
        today=today,
        current_year=current_year,
        current_year_status=current_status,
        next_year=next_year,
        next_year_status=next_status,
        next_year_checked=next_checked,
        missing=missing,
    )
