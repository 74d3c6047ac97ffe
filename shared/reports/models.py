"""A monthly operation report: the figures every format (JSON, CSV, HTML, PDF) shows."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["province", "city", "county"]


class _Shape(BaseModel):
    # schemas are built on first use, not at import: the cold start creates only the classes (D-338)
    model_config = ConfigDict(defer_build=True)


class Headline(_Shape):
    """One figure of the month with its change against the previous month and the same month last year."""

    key: str
    label: str
    value: int | float | None
    previous_month: int | float | None = Field(description="The same figure a month earlier (null: no data).")
    last_year: int | float | None = Field(description="The same figure twelve months earlier (null: no data).")
    change_month: int | float | None = Field(description="value − previous_month.")
    change_year: int | float | None = Field(description="value − last_year.")


class TrendPoint(_Shape):
    month: str
    received: int
    completed: int
    on_time_rate_legal: float | None


class AreaRow(_Shape):
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


class RankRow(_Shape):
    rank: int
    department_id: str
    score: float


class Report(_Shape):
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
