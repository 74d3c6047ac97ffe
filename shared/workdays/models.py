"""Shapes of the working-day calendar: year arrangements (年度节假日安排) and
counting results. These are the only shapes crossing the context's edge.

A field is named `date` where the JSON says `date`, so the type is always
written `dt.date` here.
"""

import datetime as dt
from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.errors import FieldError, register_messages

# The years the API accepts. The calendar itself counts any year; the bounds
# only keep requests to a range where a deadline can mean something.
MIN_YEAR = 2000
MAX_YEAR = 2099
MAX_WORKING_DAYS = 1000

# the calendar's messages live with its shapes, which raise some of them and load with every path that
# raises the others (the routes load the service on a calendar request's first use, D-315)
register_messages(
    {
        "calendar.invalid_arrangement": (
            "节假日安排有误，请按字段提示修改",
            "The holiday arrangement is invalid; see the field errors",
        ),
        "calendar.year_mismatch": (
            "路径中的年份与请求体中的年份不一致",
            "The year in the path differs from the year in the body",
        ),
        "calendar.date_outside_year": ("日期不在 {year} 年内", "The date is not in {year}"),
        "calendar.duplicate_date": ("日期重复列出", "The date is listed more than once"),
        "calendar.holiday_is_workday": (
            "该日期同时被列为放假日和调休上班日",
            "The date is listed both as a holiday and as an adjusted working day",
        ),
        "calendar.workday_not_weekend": (
            "调休上班日必须是周六或周日",
            "An adjusted working day must be a Saturday or Sunday",
        ),
        "calendar.year_out_of_range": (
            "年份须在 {min_year} 至 {max_year} 之间",
            "The year must be between {min_year} and {max_year}",
        ),
        "calendar.working_days_out_of_range": (
            "工作日数须在 1 至 {max_working_days} 之间",
            "The number of working days must be between 1 and {max_working_days}",
        ),
    }
)

_SATURDAY = 5


class YearSource(StrEnum):
    """Where a year's working days come from."""

    LOADED = "loaded"  # an arrangement an operator loaded (overrides the package)
    PACKAGE = "package"  # the chinesecalendar package (2004–2026)
    MISSING = "missing"  # neither: weekends-only fallback, results are provisional


class Holiday(BaseModel):
    """A rest day of a statutory holiday (法定节假日/放假日), weekday or weekend."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    date: dt.date = Field(description="The rest day, YYYY-MM-DD.")
    name: str = Field(min_length=1, max_length=40, description="The holiday, e.g. 国庆节.")


class AdjustedWorkday(BaseModel):
    """A weekend day worked to make up for a holiday (调休上班日)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    date: dt.date = Field(description="The Saturday or Sunday that is a working day, YYYY-MM-DD.")
    name: str | None = Field(default=None, max_length=40, description="The holiday it makes up for, e.g. 国庆节.")


class YearArrangement(BaseModel):
    """One year's holiday arrangement (年度节假日安排) as the State Council
    publishes it: the rest days and the adjusted working weekends.

    Every date lies inside `year`. When a notice names a date of the previous
    year (e.g. the 2007 notice made 2006-12-30/31 working days), that date
    belongs to the previous year's arrangement.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR, description="The calendar year the arrangement covers.")
    holidays: tuple[Holiday, ...] = Field(max_length=120, description="Every rest day of every holiday.")
    adjusted_workdays: tuple[AdjustedWorkday, ...] = Field(
        default=(), max_length=30, description="Weekend days that are working days (调休)."
    )
    notice: str | None = Field(
        default=None, max_length=200, description="The notice it comes from, e.g. 国办发明电〔2025〕7号."
    )

    def problems(self) -> list[FieldError]:
        """Every rule the arrangement breaks, one `FieldError` per offending entry.

        Rules: all dates inside the year, no date listed twice, no date both a
        holiday and a working day, adjusted working days are weekends.
        Holidays may fall on any day of the week.
        """
        found: list[FieldError] = []
        holiday_dates = Counter(h.date for h in self.holidays)
        workday_dates = Counter(w.date for w in self.adjusted_workdays)
        for index, holiday in enumerate(self.holidays):
            where = f"holidays.{index}.date"
            if holiday.date.year != self.year:
                found.append(FieldError(where, "calendar.date_outside_year", params={"year": self.year}))
            if holiday_dates[holiday.date] > 1:
                found.append(FieldError(where, "calendar.duplicate_date"))
        for index, workday in enumerate(self.adjusted_workdays):
            where = f"adjusted_workdays.{index}.date"
            if workday.date.year != self.year:
                found.append(FieldError(where, "calendar.date_outside_year", params={"year": self.year}))
            if workday_dates[workday.date] > 1:
                found.append(FieldError(where, "calendar.duplicate_date"))
            if workday.date in holiday_dates:
                found.append(FieldError(where, "calendar.holiday_is_workday"))
            if workday.date.weekday() < _SATURDAY:
                found.append(FieldError(where, "calendar.workday_not_weekend"))
        return found

    def normalized(self) -> "YearArrangement":
        """The same arrangement with both lists in date order, so equal
        arrangements compare equal however they were typed in."""
        return self.model_copy(
            update={
                "holidays": tuple(sorted(self.holidays, key=lambda h: h.date)),
                "adjusted_workdays": tuple(sorted(self.adjusted_workdays, key=lambda w: w.date)),
            }
        )

    def same_days_as(self, other: "YearArrangement") -> bool:
        mine, theirs = self.normalized(), other.normalized()
        return all(
            getattr(mine, name) == getattr(theirs, name) for name in ("year", "holidays", "adjusted_workdays", "notice")
        )


class StoredYearArrangement(YearArrangement):
    """A loaded arrangement with its bookkeeping; `version` counts loads."""

    version: int = Field(ge=1)
    updated_at: dt.datetime
    updated_by: str

    def arrangement(self) -> YearArrangement:
        return YearArrangement.model_validate(self.model_dump(include=set(YearArrangement.model_fields)))


class CalendarYear(BaseModel):
    """A year of the calendar as the API shows it."""

    model_config = ConfigDict(defer_build=True)

    year: int
    source: YearSource = Field(description="loaded (operator data), package (chinesecalendar) or missing.")
    provisional: bool = Field(description="True when the year is missing: weekends-only fallback.")
    holidays: list[Holiday]
    adjusted_workdays: list[AdjustedWorkday]
    notice: str | None = None
    version: int | None = Field(default=None, description="Load count of an operator-loaded year.")
    updated_at: dt.datetime | None = None


class Deadline(BaseModel):
    """The end of a working-day time limit (期限届满日).

    Counting convention: day 1 is the first working day *after* `start`
    (the day of acceptance is not counted), and `date` is the n-th working day.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    start: dt.date
    working_days: int
    date: dt.date = Field(description="The last day of the time limit, always a working day.")
    provisional: bool = Field(description="True when a counted year has no published arrangement yet.")
    provisional_years: tuple[int, ...] = Field(default=(), description="The counted years without an arrangement.")


class WorkingDayCount(BaseModel):
    """Working days d with start < d <= end (0 when end <= start)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    start: dt.date
    end: dt.date
    working_days: int
    provisional: bool
    provisional_years: tuple[int, ...] = ()
