"""What the supervisors' analytics routes answer (D-267, D-268): slow steps, the cases past p90 and
the load forecast. Apart from `shared.reports.models` (the monthly report) so that a cold start of
ReportsApiFunction creates these only with an analytics route's first request (D-338)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Shape(BaseModel):
    # schemas are built on first use, not at import: the cold start creates only the classes (D-338)
    model_config = ConfigDict(defer_build=True)


class StateFigures(_Shape):
    """Working days cases spent in one state (stays that ended in the month)."""

    state: str = Field(description="The case state, as the cases context names it.")
    stays: int = Field(description="Stays in the state that ended in the month.")
    median_working_days: int | None = Field(description="Nearest-rank median.")
    p90_working_days: int | None = Field(description="Nearest-rank 90th percentile.")
    mean_working_days: float | None
    over_p90: int = Field(description="Stays longer than p90 (the slow cases).")


class GroupSteps(_Shape):
    department_id: str
    item_code: str
    item_name: str
    states: list[StateFigures]


class SlowSteps(_Shape):
    region_code: str
    month: str
    groups: list[GroupSteps] = Field(description="The region's own departments and items, by department then item.")


class SlowCase(_Shape):
    """A case over p90 in a state (case ids are not personal data: they name no one)."""

    case_id: str
    state: str
    working_days: int
    entered_on: dt.date
    left_on: dt.date


class SlowCases(GroupSteps):
    region_code: str
    month: str
    slow_cases: list[SlowCase] = Field(description="Every stay over p90, by state then longest first.")


class WeekLoad(_Shape):
    week: dt.date = Field(description="The Monday of the week.")
    working_days: int = Field(description="Working days in the week (the platform calendar: holidays, 调休).")
    submissions: int | None = Field(default=None, description="Received that week (history only).")
    expected: float | None = Field(default=None, description="Forecast (the next weeks only).")


class DepartmentLoad(_Shape):
    department_id: str
    history: list[WeekLoad] = Field(description="The weeks the forecast is built from, oldest first.")
    forecast: list[WeekLoad] = Field(description="The next 8 weeks.")
    seasonal: bool = Field(description="True: last year's same weeks adjusted the forecast.")


class LoadForecast(_Shape):
    region_code: str
    model: str = Field(description="How the figures are made (docs/decisions.md D-268).")
    departments: list[DepartmentLoad]
