"""Year arrangement validation: each broken rule is named on the offending field."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from shared.workdays.models import AdjustedWorkday, Holiday, YearArrangement

D = dt.date


def problems_of(arrangement: YearArrangement) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in arrangement.problems()}


def test_a_consistent_arrangement_has_no_problems() -> None:
    arrangement = YearArrangement(
        year=2027,
        holidays=(Holiday(date=D(2027, 1, 1), name="虚构"), Holiday(date=D(2027, 1, 2), name="虚构")),
        adjusted_workdays=(AdjustedWorkday(date=D(2027, 1, 9)),),
    )
    assert arrangement.problems() == []


def test_holidays_may_fall_on_weekends_or_weekdays() -> None:
    # Saturday 2027-01-02 and Monday 2027-01-04 both as rest days
    arrangement = YearArrangement(
        year=2027,
        holidays=(Holiday(date=D(2027, 1, 2), name="虚构"), Holiday(date=D(2027, 1, 4), name="虚构")),
    )
    assert arrangement.problems() == []


def test_dates_outside_the_year_are_named() -> None:
    arrangement = YearArrangement(
        year=2027,
        holidays=(Holiday(date=D(2026, 12, 31), name="虚构"),),
        adjusted_workdays=(AdjustedWorkday(date=D(2028, 1, 1)),),
    )
    assert problems_of(arrangement) == {
        ("holidays.0.date", "calendar.date_outside_year"),
        ("adjusted_workdays.0.date", "calendar.date_outside_year"),
    }
    assert arrangement.problems()[0].params == {"year": 2027}


def test_a_date_both_holiday_and_workday_is_refused() -> None:
    arrangement = YearArrangement(
        year=2027,
        holidays=(Holiday(date=D(2027, 1, 9), name="虚构"),),
        adjusted_workdays=(AdjustedWorkday(date=D(2027, 1, 9)),),
    )
    assert problems_of(arrangement) == {("adjusted_workdays.0.date", "calendar.holiday_is_workday")}


def test_adjusted_workdays_must_be_weekends() -> None:
    arrangement = YearArrangement(year=2027, holidays=(), adjusted_workdays=(AdjustedWorkday(date=D(2027, 1, 6)),))
    assert problems_of(arrangement) == {("adjusted_workdays.0.date", "calendar.workday_not_weekend")}


def test_duplicates_are_named_at_each_occurrence() -> None:
    arrangement = YearArrangement(
        year=2027,
        holidays=(Holiday(date=D(2027, 1, 1), name="a"), Holiday(date=D(2027, 1, 1), name="b")),
    )
    assert problems_of(arrangement) == {
        ("holidays.0.date", "calendar.duplicate_date"),
        ("holidays.1.date", "calendar.duplicate_date"),
    }


def test_shape_errors_are_pydantic_errors() -> None:
    with pytest.raises(ValidationError):
        YearArrangement.model_validate({"year": 2027, "holidays": [{"date": "2027-02-30", "name": "x"}]})
    with pytest.raises(ValidationError):
        YearArrangement.model_validate({"year": 1999, "holidays": []})
    with pytest.raises(ValidationError):
        YearArrangement.model_validate({"year": 2027, "holidays": [], "surprise": 1})


def test_order_does_not_matter_for_sameness() -> None:
    a = YearArrangement(
        year=2027,
        holidays=(Holiday(date=D(2027, 1, 2), name="x"), Holiday(date=D(2027, 1, 1), name="x")),
    )
    b = YearArrangement(
        year=2027,
        holidays=(Holiday(date=D(2027, 1, 1), name="x"), Holiday(date=D(2027, 1, 2), name="x")),
    )
    assert a.same_days_as(b)
    assert not a.same_days_as(b.model_copy(update={"notice": "other"}))
