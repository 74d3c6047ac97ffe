"""Ratings, invitations, appeals and rectification orders: records and API views.

Levels, reasons and channels are the national shape (GB/T 39734/39735,
国办发〔2019〕51号): five levels of which the last two are 差评, a fixed list of
reasons, the channel the rating came through. A rating's revisions are facts
(`RatingRevision`, never rewritten); the rating record carries the current
revision for listings and counters.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.clock import SHANGHAI
from shared.platform.privacy import mask_id_number, mask_phone

ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
TARGET_ID_PATTERN = r"^[0-9A-Za-z_-]{1,64}$"
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


class Level(StrEnum):
    VERY_SATISFIED = "very_satisfied"  # 非常满意
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意
    VERY_DISSATISFIED = "very_dissatisfied"  # 非常不满意


LEVEL_NAMES = {
    Level.VERY_SATISFIED: "非常满意",
    Level.SATISFIED: "满意",
    Level.BASICALLY_SATISFIED: "基本满意",
    Level.DISSATISFIED: "不满意",
    Level.VERY_DISSATISFIED: "非常不满意",
}
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
"""差评: every one opens a rectification order."""


class Reason(StrEnum):
    ATTITUDE = "attitude"  # 态度
    EFFICIENCY = "efficiency"  # 效率
    MATERIALS = "materials"  # 材料要求
    REPEATED_VISITS = "repeated_visits"  # 多次跑动
    SYSTEM = "system"  # 系统问题
    OTHER = "other"  # 其他


REASON_NAMES = {
    Reason.ATTITUDE: "态度",
    Reason.EFFICIENCY: "效率",
    Reason.MATERIALS: "材料要求",
    Reason.REPEATED_VISITS: "多次跑动",
    Reason.SYSTEM: "系统问题",
    Reason.OTHER: "其他",
}


class Channel(StrEnum):
    WEB = "web"
    APP = "app"
    WECHAT = "wechat"
    HALL_PAD = "hall_pad"  # 大厅评价器
    SMS = "sms"  # the one-time link sent by SMS


class TargetKind(StrEnum):
    CASE = "case"  # 办件 (一事一评)
    TICKET = "ticket"  # 12345 工单


class AppealState(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the rating no longer counts; it stays on record
    DISMISSED = "dismissed"


class RectificationState(StrEnum):
    AWAITING_VISIT = "awaiting_visit"  # 待回访核实
    VISITED = "visited"  # 已回访，整改中
    ANSWERED = "answered"  # 已答复，待评价人确认
    UNCONFIRMED = "unconfirmed"  # 评价人不认可，待监督人员裁定
    CLOSED = "closed"  # 已办结


RECTIFICATION_STATE_NAMES = {
    RectificationState.AWAITING_VISIT: "待回访核实",
    RectificationState.VISITED: "整改中",
    RectificationState.ANSWERED: "待确认",
    RectificationState.UNCONFIRMED: "待裁定",
    RectificationState.CLOSED: "已办结",
}


def month_of(moment: dt.datetime) -> str:
    """The calendar month (Shanghai) a rating counts in: `2026-09`."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def scrubbed(text: str | None) -> str | None:
    """Text for the public column with ID numbers and mobile numbers masked: a staff
    member marks free text publishable, this catches what they overlooked."""
    if text is None:
        return None
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


# --- records ------------------------------------------------------------------------------


class Invitation(_Shape):
    """One invitation per target (一事一评): who may rate it and who handled it."""

    target_kind: TargetKind
    target_id: str
    label: str  # case or ticket number
    title: str  # the item's or the matter's name
    department_id: str
    region_code: str
    rater_subject_id: str | None = None  # None: an anonymous ticket (link only)
    applicant_uscc: str | None = None
    handler_subject_id: str | None = None  # the clerk who accepted the case, the ticket's handler
    hall_id: str | None = None  # the hall whose counter took the case in (D-218)
    outcome: str  # completed, refused, withdrawn, closed
    invited_at: dt.datetime
    link_hash: str | None = None
    link_expires_at: dt.datetime | None = None


class Appeal(_Shape):
    state: AppealState
    reason: str
    evidence: list[str] = []
    filed_by: str
    filed_at: dt.datetime
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    decision_reason: str | None = None


class Rating(_Shape):
    """A rating as it stands (its current revision); the revisions are kept apart."""

    rating_id: str
    target_kind: TargetKind
    target_id: str
    label: str
    title: str
    department_id: str
    region_code: str
    rater_subject_id: str | None = None  # None: rated with a one-time link
    handler_subject_id: str | None = None  # the staff member rated with the department
    hall_id: str | None = None  # the hall that took the case in, when one did
    level: Level
    reasons: list[Reason] = []
    text: str | None = None
    channel: Channel
    given_at: dt.datetime
    month: str
    revision: int = 1
    changed_at: dt.datetime | None = None
    excluded: bool = False
    appeal: Appeal | None = None
    rectification_id: str | None = None
    version: int = 1


class RatingRevision(_Shape):
    """One revision of a rating as given (a fact: written once, never changed)."""

    rating_id: str
    revision: int
    level: Level
    reasons: list[Reason] = []
    text: str | None = None
    channel: Channel
    at: dt.datetime


class Rectification(_Shape):
    """The rectification order (整改单) a 差评 opens for the handling department."""

    order_id: str
    rating_id: str
    target_kind: TargetKind
    target_id: str
    label: str
    title: str
    department_id: str
    region_code: str
    rater_subject_id: str | None = None
    level: Level
    reasons: list[Reason] = []
    rating_text: str | None = None
    month: str
    state: RectificationState
    opened_at: dt.datetime
    opened_on: dt.date
    visit_due_on: dt.date
    answer_due_on: dt.date
    answer_started_on: dt.date
    visited_at: dt.datetime | None = None
    visit_note: str | None = None
    answered_at: dt.datetime | None = None
    measures: str | None = None
    answer: str | None = None
    answered_on_time: bool | None = None
    answers: int = 0
    publishable: bool = False
    confirmed: bool | None = None
    rater_comment: str | None = None
    decision: str | None = None
    decision_reason: str | None = None
    closed_at: dt.datetime | None = None
    closed_reason: str | None = None
    version: int = 1


# --- requests -----------------------------------------------------------------------------

Reasons = list[Reason]


class RectificationDecision(StrEnum):
    CLOSE = "close"  # the answer stands
    REDO = "redo"  # rectify again, with a new answer limit


# --- views --------------------------------------------------------------------------------


class AppealView(_Shape):
    state: AppealState
    reason: str
    evidence: list[str]
    filed_at: dt.datetime
    decided_at: dt.datetime | None = None
    decision_reason: str | None = None


class RatingView(_Shape):
    rating_id: str
    target_kind: TargetKind
    target_id: str
    label: str = Field(description="The case or ticket number.")
    title: str
    department_id: str
    region_code: str
    level: Level
    level_name: str
    reasons: list[Reason]
    text: str | None = None
    channel: Channel
    given_at: dt.datetime
    month: str
    revision: int = Field(description="1 as given; 2 once changed (the first revision stays on record).")
    changeable_until: dt.datetime | None = Field(description="Until when the rater may change it; null: no more.")
    excluded: bool = Field(description="An upheld appeal took it out of the scores (it stays on record).")
    appeal: AppealView | None = None
    rectification_id: str | None = None
    rectification_state: RectificationState | None = None
    hall_id: str | None = Field(default=None, description="The hall whose counter took the case in, if one did.")


class RectificationView(_Shape):
    order_id: str
    rating_id: str
    target_kind: TargetKind
    target_id: str
    label: str
    title: str
    department_id: str
    region_code: str
    level: Level
    level_name: str
    reasons: list[Reason]
    rating_text: str | None = None
    state: RectificationState
    state_name: str
    opened_at: dt.datetime
    visit_due_on: dt.date
    answer_due_on: dt.date
    visited_at: dt.datetime | None = None
    visit_note: str | None = None
    answered_at: dt.datetime | None = None
    measures: str | None = None
    answer: str | None = None
    answered_on_time: bool | None = None
    confirmed: bool | None = None
    rater_comment: str | None = None
    decision: str | None = None
    decision_reason: str | None = None
    closed_at: dt.datetime | None = None
    closed_reason: str | None = None
