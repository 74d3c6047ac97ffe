"""A monthly operation report: the figures every format (JSON, CSV, HTML, PDF) shows."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Level = Literal["province", "city", "county"]


class Headline(BaseModel):
    """One figure of the month with its change against the previous month and the same month last year."""

    key: str
    label: str
    value: int | float | None
    previous_month: int | float | None = Field(description="The same figure a month earlier (null: no data).")
    last_year: int | float | None = Field(description="The same figure twelve months earlier (null: no data).")
    change_month: int | float | None = Field(description="value − previous_month.")
    change_year: int | float | None = Field(description="value − last_year.")


class TrendPoint(BaseModel):
    month: str
    received: int
    completed: int
    on_time_rate_legal: float | None


class AreaRow(BaseModel):
    """A region directly below (its whole area) or one of the region's own departments."""

    code: str
    name: str
    received: int
    decided: int
    completed: int
    on_time_rate_promised: float | None
    on_time_rate_legal: float | None
    no_visit_share: float | None
    visit_once_share: float | None = Field(default=None, description="见一次面 share of received (D-282).")
    average_decide_working_days: float | None
    tickets_received: int = Field(default=0, description="12345 tickets taken in (D-283).")
    average_ticket_answer_working_days: float | None = None


class RankRow(BaseModel):
    rank: int
    department_id: str
    score: float


class Report(BaseModel):
    region_code: str
    region_name: str
    level: Level
    month: str
    generated_at: dt.datetime
    ranking_closed: bool = Field(description="True: the ranking is the month's closed scorecard.")
    headline: list[Headline]
    trend: list[TrendPoint] = Field(description="The 13 months up to this one, oldest first.")
    sub_regions: list[AreaRow]
    departments: list[AreaRow]
    ranking: list[RankRow] = Field(description="The region's own departments by scorecard, best first.")


DATASETS: dict[str, str] = {
    "headline": "主要指标",
    "trend": "月度趋势",
    "sub_regions": "下级地区",
    "departments": "部门办件",
    "ranking": "部门考核排名",
}
"""The open data behind each chart and table, one CSV and one JSON each (name → title)."""


# --- analytics for supervisors (D-267, D-268) ---------------------------------------------


class StateFigures(BaseModel):
    """Working days cases spent in one state (stays that ended in the month)."""

    state: str = Field(description="The case state, as the cases context names it.")
    stays: int = Field(description="Stays in the state that ended in the month.")
    median_working_days: int | None = Field(description="Nearest-rank median.")
    p90_working_days: int | None = Field(description="Nearest-rank 90th percentile.")
    mean_working_days: float | None
    over_p90: int = Field(description="Stays longer than p90 (the slow cases).")


class GroupSteps(BaseModel):
    department_id: str
    item_code: str
    item_name: str
    states: list[StateFigures]


class SlowSteps(BaseModel):
    region_code: str
    month: str
    groups: list[GroupSteps] = Field(description="The region's own departments and items, by department then item.")


class SlowCase(BaseModel):
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


class WeekLoad(BaseModel):
    week: dt.date = Field(description="The Monday of the week.")
    working_days: int = Field(description="Working days in the week (the platform calendar: holidays, 调休).")
    submissions: int | None = Field(default=None, description="Received that week (history only).")
    expected: float | None = Field(default=None, description="Forecast (the next weeks only).")


class DepartmentLoad(BaseModel):
    department_id: str
    history: list[WeekLoad] = Field(description="The weeks the forecast is built from, oldest first.")
    forecast: list[WeekLoad] = Field(description="The next 8 weeks.")
    seasonal: bool = Field(description="True: last year's same weeks adjusted the forecast.")


class LoadForecast(BaseModel):
    region_code: str
    model: str = Field(description="How the figures are made (docs/decisions.md D-268).")
    departments: list[DepartmentLoad]
