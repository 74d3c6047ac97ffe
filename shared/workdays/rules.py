"""Counting working days (工作日), pure: no I/O, no clock.

A `Calendar` answers per day from three sources, in this order:
1. an operator-loaded year arrangement, which *replaces* the package's data
   for its year (so a correction is possible) and extends beyond it;
2. the `chinesecalendar` package's data tables for 2004–2026. Its
   `get_workdays(..., include_weekends=False)` drops adjusted working
   weekends, so it is never used; the tables are read once instead;
3. weekends-only, for a year with neither: every result that counts a day of
   such a year is marked provisional.

Each year is compiled once into a sorted tuple of working-day ordinals, so
adding or counting working days is a binary search per year crossed, not a
walk over days.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Protocol

from shared.workdays.models import (
    AdjustedWorkday,
    Deadline,
    Holiday,
    WorkingDayCount,
    YearArrangement,
    YearSource,
)

_SATURDAY = 5
_ONE_DAY = dt.timedelta(days=1)


class ArrangementLookup(Protocol):
    """Where a calendar finds operator-loaded arrangements; a dict will do."""

    def get(self, year: int, /) -> YearArrangement | None: ...


@dataclass(frozen=True)
class YearRules:
    """One year compiled for counting."""

    year: int
    source: YearSource
    holidays: Mapping[dt.date, str]
    adjusted_workdays: Mapping[dt.date, str | None]
    working_day_ordinals: tuple[int, ...]  # sorted `date.toordinal()` of every working day
    working_day_set: frozenset[int]

    def is_workday(self, day: dt.date) -> bool:
        return day.toordinal() in self.working_day_set

    def holiday_list(self) -> list[Holiday]:
        return [Holiday(date=day, name=name) for day, name in sorted(self.holidays.items())]

    def adjusted_workday_list(self) -> list[AdjustedWorkday]:
        return [AdjustedWorkday(date=day, name=name) for day, name in sorted(self.adjusted_workdays.items())]


@dataclass(frozen=True)
class _PackageYear:
    holidays: dict[dt.date, str]
    adjusted_workdays: dict[dt.date, str]


@cache
def _package_years() -> dict[int, _PackageYear]:
    """The package's tables split by year, with Chinese holiday names.

    Imported lazily: the tables are a large module and most cold starts
    never count a deadline.
    """
    import chinese_calendar

    chinese_name = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    years: dict[int, _PackageYear] = {}
    for day, english in chinese_calendar.holidays.items():
        years.setdefault(day.year, _PackageYear({}, {})).holidays[day] = chinese_name.get(english, english)
    for day, english in chinese_calendar.workdays.items():
        years.setdefault(day.year, _PackageYear({}, {})).adjusted_workdays[day] = chinese_name.get(english, english)
    return years


def package_years() -> range:
    """The years the chinesecalendar package covers (2004–2026 in 1.11.0)."""
    years = _package_years()
    return range(min(years), max(years) + 1)


def _compile(
    year: int,
    source: YearSource,
    holidays: Mapping[dt.date, str],
    adjusted_workdays: Mapping[dt.date, str | None],
) -> YearRules:
    day = dt.date(year, 1, 1)
    ordinals: list[int] = []
    while day.year == year:
        # an adjusted working weekend wins over a holiday; validation keeps them apart anyway
        if day in adjusted_workdays or (day.weekday() < _SATURDAY and day not in holidays):
            ordinals.append(day.toordinal())
        day += _ONE_DAY
    return YearRules(
        year=year,
        source=source,
        holidays=dict(holidays),
        adjusted_workdays=dict(adjusted_workdays),
        working_day_ordinals=tuple(ordinals),
        working_day_set=frozenset(ordinals),
    )


@cache
def _package_or_missing_rules(year: int) -> YearRules:
    package = _package_years().get(year)
    if package is None:
        return _compile(year, YearSource.MISSING, {}, {})
    return _compile(year, YearSource.PACKAGE, package.holidays, package.adjusted_workdays)


@lru_cache(maxsize=64)
def _loaded_rules(arrangement: YearArrangement) -> YearRules:
    # keyed by the (frozen, hashable) arrangement itself, so a reloaded
    # arrangement compiles afresh and an unchanged one is compiled once
    return _compile(
        arrangement.year,
        YearSource.LOADED,
        {h.date: h.name for h in arrangement.holidays},
        {w.date: w.name for w in arrangement.adjusted_workdays},
    )


class Calendar:
    """The working-day calendar (工作日历) that legal time limits count with."""

    def __init__(self, loaded: ArrangementLookup | None = None) -> None:
        self._loaded: ArrangementLookup = loaded if loaded is not None else {}
        self._years: dict[int, YearRules] = {}

    def rules_for(self, year: int) -> YearRules:
        rules = self._years.get(year)
        if rules is None:
            arrangement = self._loaded.get(year)
            rules = _loaded_rules(arrangement) if arrangement is not None else _package_or_missing_rules(year)
            self._years[year] = rules
        return rules

    def year_status(self, year: int) -> YearSource:
        """`loaded`, `package` or `missing` (weekends-only, provisional)."""
        return self.rules_for(year).source

    def is_workday(self, day: dt.date) -> bool:
        """Whether `day` is a working day (工作日), adjusted working weekends included."""
        return self.rules_for(day.year).is_workday(day)

    def provisional_years(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """The years from `first` to `last` (inclusive) that have no arrangement."""
        return tuple(y for y in range(first.year, last.year + 1) if self.year_status(y) is YearSource.MISSING)

    def add_working_days(self, start: dt.date, working_days: int) -> Deadline:
        """The n-th working day after `start` (期限届满日).

        Day 1 is the first working day strictly after `start`; `start` itself
        is never counted, whether or not it is a working day. So 20 working
        days from 2026-09-21 end on 2026-10-26. The result is provisional
        when a counted day lies in a year without an arrangement.
        """
        if working_days < 1:
            raise ValueError("working_days must be at least 1")
        remaining = working_days
        rules = self.rules_for(start.year)
        already_passed = bisect_right(rules.working_day_ordinals, start.toordinal())
        while True:
            available = len(rules.working_day_ordinals) - already_passed
            if remaining <= available:
                end = dt.date.fromordinal(rules.working_day_ordinals[already_passed + remaining - 1])
                break
            remaining -= available
            rules = self.rules_for(rules.year + 1)
            already_passed = 0
        missing = self.provisional_years(start + _ONE_DAY, end)
        return Deadline(
            start=start,
            working_days=working_days,
            date=end,
            provisional=bool(missing),
            provisional_years=missing,
        )

    def working_days_between(self, start: dt.date, end: dt.date) -> WorkingDayCount:
        """How many working days d satisfy start < d <= end (0 when end <= start).

        The inverse of `add_working_days`: counting from `start` to
        `add_working_days(start, n).date` gives n.
        """
        if end <= start:
            return WorkingDayCount(start=start, end=end, working_days=0, provisional=False)
        total = 0
        for year in range(start.year, end.year + 1):
            ordinals = self.rules_for(year).working_day_ordinals
            low = bisect_right(ordinals, start.toordinal()) if year == start.year else 0
            high = bisect_right(ordinals, end.toordinal()) if year == end.year else len(ordinals)
            total += high - low
        missing = self.provisional_years(start + _ONE_DAY, end)
        return WorkingDayCount(
            start=start, end=end, working_days=total, provisional=bool(missing), provisional_years=missing
        )
