"""Working-day counting (工作日, 行政许可法 第82条): the package years agree with
chinesecalendar day by day, adjusted working weekends count, unpublished
years fall back to weekends-only and are marked provisional, and loaded
arrangements override or extend the package."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.workdays.models import AdjustedWorkday, Holiday, YearArrangement, YearSource
from shared.workdays.rules import Calendar, package_years

D = dt.date

# A clearly fictional 2027 arrangement: the real one is not published in our data.
FICTIONAL_2027 = YearArrangement(
    year=2027,
    holidays=(
        Holiday(date=D(2027, 1, 1), name="虚构测试假日"),
        Holiday(date=D(2027, 1, 4), name="虚构测试假日"),
    ),
    adjusted_workdays=(AdjustedWorkday(date=D(2027, 1, 9), name="虚构测试假日"),),
    notice="FICTIONAL test arrangement",
)

PACKAGE_ONLY = Calendar()
WITH_2027 = Calendar({2027: FICTIONAL_2027})


def naive_add(calendar: Calendar, start: dt.date, working_days: int) -> dt.date:
    """The obvious day-by-day walk the fast version must agree with."""
    day, counted = start, 0
    while counted < working_days:
        day += dt.timedelta(days=1)
        counted += calendar.is_workday(day)
    return day


def test_national_day_2026_example_from_the_standards() -> None:
    # Given 2026-10-01..07 rest and Saturday 2026-10-10 a working day
    assert not any(PACKAGE_ONLY.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert PACKAGE_ONLY.is_workday(D(2026, 10, 10))
    # When 20 working days are added to 2026-09-21 (day 1 = the first working day after it)
    deadline = PACKAGE_ONLY.add_working_days(D(2026, 9, 21), 20)
    # Then the limit ends on 2026-10-26 and nothing is provisional
    assert deadline.date == D(2026, 10, 26)
    assert not deadline.provisional
    assert deadline.provisional_years == ()


def test_adjusted_working_weekend_is_counted() -> None:
    # Given Sunday 2026-09-20 is an adjusted working day (调休) and Saturday 09-19 is not
    assert PACKAGE_ONLY.is_workday(D(2026, 9, 20))
    assert not PACKAGE_ONLY.is_workday(D(2026, 9, 19))
    # When one working day is added to Friday 2026-09-18
    # Then it is that Sunday, not Monday
    assert PACKAGE_ONLY.add_working_days(D(2026, 9, 18), 1).date == D(2026, 9, 20)
    assert PACKAGE_ONLY.working_days_between(D(2026, 9, 18), D(2026, 9, 21)).working_days == 2


def test_start_day_is_not_counted_even_when_it_is_a_holiday() -> None:
    # Given a start on a holiday (2026-10-03)
    # When one working day is added
    # Then day 1 is the first working day after the holiday week
    assert PACKAGE_ONLY.add_working_days(D(2026, 10, 3), 1).date == D(2026, 10, 8)


def test_every_package_day_agrees_with_chinesecalendar() -> None:
    # Given every day the package covers
    day = D(package_years().start, 1, 1)
    disagreements = []
    while day.year < package_years().stop:
        # Then our compiled calendar says the same as the package's own is_workday
        if PACKAGE_ONLY.is_workday(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    assert disagreements == []
    assert package_years() == range(2004, 2027)


def test_deadline_into_an_unpublished_year_is_provisional_weekends_only() -> None:
    # Given 2027 is neither in the package nor loaded
    assert PACKAGE_ONLY.year_status(2027) is YearSource.MISSING
    # When 15 working days are added to Monday 2026-12-21
    deadline = PACKAGE_ONLY.add_working_days(D(2026, 12, 21), 15)
    # Then 2027 counts weekends only (Jan 1 is a working day) and the result is provisional
    assert deadline.date == D(2027, 1, 11)
    assert deadline.provisional
    assert deadline.provisional_years == (2027,)


def test_the_same_deadline_after_loading_the_year_is_final() -> None:
    # Given the fictional 2027 arrangement is loaded (Jan 1 and 4 rest, Saturday Jan 9 worked)
    assert WITH_2027.year_status(2027) is YearSource.LOADED
    # When the same 15 working days are added
    deadline = WITH_2027.add_working_days(D(2026, 12, 21), 15)
    # Then the holidays are skipped, the Saturday counts, and nothing is provisional
    assert deadline.date == D(2027, 1, 12)
    assert not deadline.provisional
    assert WITH_2027.is_workday(D(2027, 1, 9))
    assert not WITH_2027.is_workday(D(2027, 1, 4))


def test_a_deadline_ending_before_the_missing_year_is_not_provisional() -> None:
    # Given a start in December whose limit ends on 2026-12-31
    deadline = PACKAGE_ONLY.add_working_days(D(2026, 12, 30), 1)
    # Then the missing 2027 is not touched
    assert deadline.date == D(2026, 12, 31)
    assert not deadline.provisional


def test_a_loaded_year_replaces_the_package_year() -> None:
    # Given a (fictional) correction of 2026 that moves National Day to a single day
    correction = YearArrangement(year=2026, holidays=(Holiday(date=D(2026, 10, 1), name="虚构更正"),))
    calendar = Calendar({2026: correction})
    # Then the loaded data wins for that year, entirely
    assert calendar.year_status(2026) is YearSource.LOADED
    assert calendar.is_workday(D(2026, 10, 2))
    assert not calendar.is_workday(D(2026, 10, 10))  # the package's adjusted Saturday is gone too
    assert calendar.year_status(2025) is YearSource.PACKAGE


def test_year_status_of_each_source() -> None:
    assert PACKAGE_ONLY.year_status(2004) is YearSource.PACKAGE
    assert PACKAGE_ONLY.year_status(2026) is YearSource.PACKAGE
    assert PACKAGE_ONLY.year_status(2003) is YearSource.MISSING
    assert PACKAGE_ONLY.year_status(2027) is YearSource.MISSING
    assert WITH_2027.year_status(2027) is YearSource.LOADED


def test_package_names_are_chinese() -> None:
    rules = PACKAGE_ONLY.rules_for(2026)
    assert rules.holidays[D(2026, 10, 1)] == "国庆节"
    assert rules.adjusted_workdays[D(2026, 10, 10)] == "国庆节"


def test_zero_or_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PACKAGE_ONLY.add_working_days(D(2026, 1, 5), 0)


def test_between_is_zero_when_end_is_not_after_start() -> None:
    assert PACKAGE_ONLY.working_days_between(D(2026, 5, 6), D(2026, 5, 6)).working_days == 0
    assert PACKAGE_ONLY.working_days_between(D(2026, 5, 6), D(2026, 5, 1)).working_days == 0


def test_long_spans_cross_several_years() -> None:
    # Given a limit of 1000 working days from 2024 (about four years, two of them missing)
    deadline = PACKAGE_ONLY.add_working_days(D(2024, 3, 1), 1000)
    # Then it agrees with the day-by-day walk and names every missing year
    assert deadline.date == naive_add(PACKAGE_ONLY, D(2024, 3, 1), 1000)
    assert deadline.provisional_years == tuple(range(2027, deadline.date.year + 1))


# --- properties --------------------------------------------------------------------

calendars = st.sampled_from([PACKAGE_ONLY, WITH_2027])
starts = st.dates(min_value=D(2003, 1, 1), max_value=D(2029, 12, 31))
counts = st.integers(min_value=1, max_value=400)


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=starts, working_days=counts)
def test_deadlines_always_land_on_working_days(calendar: Calendar, start: dt.date, working_days: int) -> None:
    deadline = calendar.add_working_days(start, working_days)
    assert calendar.is_workday(deadline.date)
    assert deadline.date > start


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=starts, working_days=counts, more=st.integers(min_value=0, max_value=60))
def test_more_working_days_never_end_earlier(calendar: Calendar, start: dt.date, working_days: int, more: int) -> None:
    shorter = calendar.add_working_days(start, working_days)
    longer = calendar.add_working_days(start, working_days + more)
    assert longer.date >= shorter.date
    if more:
        assert longer.date > shorter.date


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=starts, later_by=st.integers(min_value=0, max_value=30), working_days=counts)
def test_a_later_start_never_ends_earlier(calendar: Calendar, start: dt.date, later_by: int, working_days: int) -> None:
    later = start + dt.timedelta(days=later_by)
    assert calendar.add_working_days(later, working_days).date >= calendar.add_working_days(start, working_days).date


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=starts, working_days=counts)
def test_between_inverts_add(calendar: Calendar, start: dt.date, working_days: int) -> None:
    deadline = calendar.add_working_days(start, working_days)
    counted = calendar.working_days_between(start, deadline.date)
    assert counted.working_days == working_days
    assert counted.provisional == deadline.provisional
    # and the day before the deadline is one working day short
    assert calendar.working_days_between(start, deadline.date - dt.timedelta(days=1)).working_days == working_days - 1


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=starts, working_days=st.integers(min_value=1, max_value=90))
def test_fast_add_agrees_with_the_day_by_day_walk(calendar: Calendar, start: dt.date, working_days: int) -> None:
    assert calendar.add_working_days(start, working_days).date == naive_add(calendar, start, working_days)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=starts, span=st.integers(min_value=0, max_value=500))
def test_between_agrees_with_counting_day_by_day(calendar: Calendar, start: dt.date, span: int) -> None:
    end = start + dt.timedelta(days=span)
    expected = sum(calendar.is_workday(start + dt.timedelta(days=i)) for i in range(1, span + 1))
    assert calendar.working_days_between(start, end).working_days == expected


@settings(max_examples=200, deadline=None)
@given(start=starts, working_days=counts)
def test_provisional_exactly_when_a_missing_year_is_counted(start: dt.date, working_days: int) -> None:
    deadline = PACKAGE_ONLY.add_working_days(start, working_days)
    counted_years = range((start + dt.timedelta(days=1)).year, deadline.date.year + 1)
    assert deadline.provisional == any(y not in package_years() for y in counted_years)
