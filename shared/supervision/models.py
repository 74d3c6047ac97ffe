"""Limits as supervision watches them (the newest `limit.set` / `limit.cleared` of each)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.limits import LimitData


class LimitState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # 中止: no warnings while paused
    CLEARED = "cleared"  # the subject was dealt with


class WatchedLimit(BaseModel):
    """A limit's newest known state. A `limit.cleared` that arrives before any
    `limit.set` leaves only the reference fields (the rest stays empty)."""

    model_config = ConfigDict(defer_build=True)

    limit_id: str
    context: str
    subject_kind: str
    subject_id: str
    name: str
    version: int
    state: LimitState
    label: str = ""
    title: str | None = None
    region_code: str = ""
    department_id: str | None = None
    handler_subject_id: str | None = None
    started_on: dt.date | None = None
    due_on: dt.date | None = None
    limit_days: int = 0
    paused_days: int = 0
    cleared_reason: str | None = None
    updated_at: dt.datetime = Field(description="When supervision last recorded a change of it.")

    def as_data(self) -> LimitData:
        """The `limit.set` state this record holds (only for a running or paused limit)."""
        return LimitData.model_validate(self.model_dump(mode="json") | {"paused": self.state is LimitState.PAUSED})


class Level(StrEnum):
    YELLOW = "yellow"  # 黄牌: a limit nearly used
    RED = "red"  # 红牌: overdue


class Usage(BaseModel):
    """A limit's figures on a day, in working days (the platform calendar)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    used_days: int
    left_days: int
    overdue: bool


class WarningView(BaseModel):
    """An open warning (效能监察预警) as a supervisor lists it."""

    model_config = ConfigDict(defer_build=True)

    limit_id: str
    context: str = Field(description="The context that runs the limit: `cases`, `hotline`, `ratings`, `supervision`.")
    subject_kind: str = Field(description="`case`, `joint_task`, `ticket`, `rectification`, `order`, …")
    subject_id: str
    name: str = Field(description="Which limit: `legal`, `promised`, `task`, `licence`, `answer`, `reply`, …")
    label: str = Field(description="The case or ticket number.")
    title: str | None = None
    region_code: str
    department_id: str | None = None
    level: Level
    due_on: dt.date
    used_days: int
    limit_days: int
    left_days: int
    raised_on: dt.date
    raised_at: dt.datetime
