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


# --- supervision orders (督办单) ---------------------------------------------------------------

SUBJECT_KINDS = ("case", "joint_task", "ticket", "rectification")
"""What an order may press on: a case, a joint task, a 12345 ticket, a rectification order."""


class OrderState(StrEnum):
    OPEN = "open"  # waiting for the department's reply
    REPLIED = "replied"  # the department answered; the supervisor closes or escalates
    CLOSED = "closed"  # closed as satisfied


class OrderAction(StrEnum):
    ISSUED = "issued"
    REPLIED = "replied"
    ESCALATED = "escalated"
    CLOSED = "closed"


class CloseOutcome(StrEnum):
    SATISFIED = "satisfied"
    ESCALATE = "escalate"


class NewOrder(BaseModel):
    """Issue a supervision order on a subject of the supervisor's region."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    subject_kind: str = Field(pattern="^(case|joint_task|ticket|rectification)$")
    subject_id: str = Field(min_length=1, max_length=120, pattern=r"^[0-9A-Za-z:_\-.]+$")
    reason: str = Field(min_length=2, max_length=500, description="Why the department is pressed (督办事由).")
    reply_days: int = Field(default=5, ge=1, le=30, description="The reply limit in working days.")


class OrderReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    action_taken: str = Field(min_length=2, max_length=1000, description="What the department did (办理情况).")
    done_by: dt.date | None = Field(default=None, description="By when the matter will be (or was) dealt with.")


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    outcome: CloseOutcome
    note: str = Field(min_length=2, max_length=500)


class OrderReply(BaseModel):
    model_config = ConfigDict(defer_build=True)

    action_taken: str
    done_by: dt.date | None = None
    replied_by: str
    replied_at: dt.datetime


class OrderEntry(BaseModel):
    """One entry of the order's tamper-evident timeline (hash over its fields and the previous hash)."""

    model_config = ConfigDict(defer_build=True)

    seq: int
    at: dt.datetime
    action: OrderAction
    state: OrderState
    holder_prefix: str = Field(description="The region prefix of the supervisors who hold the order after it.")
    actor_role: str
    actor: str = Field(description="The subject id of who acted, or `system:supervision_sweep`.")
    note: str | None = None
    prev_hash: str
    hash: str

    def fields(self, order_id: str) -> dict[str, object]:
        """What the hash covers."""
        return self.model_dump(mode="json", exclude={"prev_hash", "hash"}) | {"order_id": order_id}


class SupervisionOrder(BaseModel):
    """A supervision order (督办单) as stored and shown."""

    model_config = ConfigDict(defer_build=True)

    order_id: str
    version: int
    state: OrderState
    subject_kind: str
    subject_id: str
    label: str = Field(description="The subject's number (case, ticket).")
    title: str | None = None
    region_code: str = Field(description="The subject's region.")
    department_id: str | None = Field(default=None, description="The responsible department (it must reply).")
    handler_subject_id: str | None = None
    reason: str
    reply_days: int
    holder_prefix: str = Field(description="Region prefix of the supervisors holding it (county, city, province).")
    level: str = Field(description="county, city or province: the holders' level.")
    reply_limit: str = Field(description="The name of its running reply limit (`reply`, `reply_city`, …).")
    started_on: dt.date
    due_on: dt.date = Field(description="The reply is due by this working day.")
    escalations: list[str] = Field(default_factory=list, description="Holder prefixes it was escalated to.")
    issued_by: str
    issued_at: dt.datetime
    reply: OrderReply | None = None
    closed_note: str | None = None
    closed_by: str | None = None
    closed_at: dt.datetime | None = None
    updated_at: dt.datetime
    timeline_length: int
    timeline_head: str


class OrderDetail(SupervisionOrder):
    timeline: list[OrderEntry]
    timeline_valid: bool = Field(description="Every entry's hash verifies and chains to the stored head.")
