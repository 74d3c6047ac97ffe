"""What the hotline stores and shows: tickets (工单), their timeline, routing rules,
dispatch desks, the FAQ (知识库) and Open311 partners. Requests are validated here
(sizes, formats); the rules that need data live in the service."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.hotline.states import (
    AGENT_CHANNELS,
    AnsweredBy,
    Channel,
    Closure,
    Rating,
    Step,
    TicketState,
    TicketType,
)

TICKET_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
REGION_PATTERN = r"^32(\d{4}|\d{7}|\d{10})$"
PREFIX_PATTERN = r"^32(\d{2}|\d{4}|\d{7}|\d{10})?$"
CATEGORY_PATTERN = r"^\d{2}(\d{2})?$"
DEPARTMENT_PATTERN = r"^32\d{4}(\d{3}|\d{6})?-[a-z0-9]{2,16}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
PHONE_PATTERN = r"^1[3-9]\d{9}$"
MAX_TEXT = 2000
ALLOWED_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, str_strip_whitespace=True)


class _Shape(BaseModel):
    model_config = ConfigDict(defer_build=True)


class Location(_Request):
    region_code: str = Field(pattern=REGION_PATTERN, description="Division code (6, 9 or 12 digits) of the place.")
    address: str | None = Field(default=None, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class KnowledgeChoice(_Request):
    """A knowledge-base answer the caller accepted: the consultation closes with it."""

    source: Literal["faq", "item"]
    id: str = Field(min_length=1, max_length=64)


class TicketContent(_Request):
    type: TicketType
    category_code: str = Field(pattern=CATEGORY_PATTERN, description="Matter category (two or four digits).")
    text: str = Field(max_length=MAX_TEXT, description="What the caller asks, reports or suggests.")
    location: Location
    link_case_id: str | None = Field(default=None, pattern=TICKET_ID_PATTERN, description="A related case.")
    link_item_code: str | None = Field(default=None, max_length=40, description="A related service item.")
    link_notice_id: str | None = Field(
        default=None,
        pattern=TICKET_ID_PATTERN,
        description="A public resource trading notice (交易公告) the ticket is about, e.g. a complaint during the "
        "candidates' publicity (D-312).",
    )


# --- stored ----------------------------------------------------------------------------------


class Attachment(_Shape):
    attachment_id: str
    part: Literal["request", "answer"]
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    confirmed: bool = False


class Requester(_Shape):
    """Who asked. `subject_id` only when signed in; the contact phone only sealed (KMS)."""

    subject_id: str | None = None
    anonymous: bool = False
    contact_masked: str | None = None
    sealed_contact: str | None = None


class LimitState(_Shape):
    name: str  # sign | answer
    started_on: dt.date
    due_on: dt.date
    limit_days: int


class Answer(_Shape):
    text: str
    at: AwareDatetime
    by_department_id: str
    round: int


class RatingRecord(_Shape):
    rating: Rating
    at: AwareDatetime
    round: int
    by: Literal["requester", "hotline_agent"]


class Ticket(_Shape):
    """A ticket as stored. `version` guards every write."""

    ticket_id: str
    number: str
    version: int
    state: TicketState
    type: TicketType
    channel: Channel
    category_code: str
    category_name: str
    text: str
    location: Location
    link_case_id: str | None = None
    link_item_code: str | None = None
    link_notice_id: str | None = None
    requester: Requester
    opened_by_role: str
    department_id: str | None = None
    department_region_code: str | None = None
    routed_by: Literal["rule", "desk", "redispatch"] | None = None
    co_departments: list[str] = Field(default_factory=list)
    handler_subject_id: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    answers: list[Answer] = Field(default_factory=list)
    answered_by: AnsweredBy | None = None
    knowledge_answer: KnowledgeChoice | None = None
    ratings: list[RatingRecord] = Field(default_factory=list)
    reopened: int = 0
    closure: Closure | None = None
    duplicate_of: str | None = None
    limits: list[LimitState] = Field(default_factory=list)
    rating_due_on: dt.date | None = None
    dedupe_key: str | None = None
    timeline_length: int = 0
    timeline_head: str = ""
    created_at: AwareDatetime
    updated_at: AwareDatetime


class TimelineEntry(_Shape):
    """One step on the ticket's hash-chained timeline (工单轨迹)."""

    seq: int
    at: AwareDatetime
    step: Step
    from_state: TicketState | None = None
    to_state: TicketState
    actor_role: str
    actor: str = Field(description="A staff or agent subject id, `requester`, or `system`; never a person's data.")
    department_id: str | None = None
    note: str | None = None
    prev_hash: str
    hash: str


# --- views -----------------------------------------------------------------------------------


class RequesterView(_Shape):
    anonymous: bool
    signed_in: bool
    contact_masked: str | None = None


class UploadForm(_Shape):
    attachment_id: str
    url: str
    fields: dict[str, str]


class AttachmentView(_Shape):
    attachment_id: str
    part: str
    file_name: str
    content_type: str
    size_bytes: int
    confirmed: bool


class LimitView(_Shape):
    name: str
    started_on: dt.date
    due_on: dt.date
    limit_days: int


class TicketView(_Shape):
    """A ticket as its requester, the 12345 agents and the handling departments see it.
    `requester` is absent for the department when the ticket is a 举报 (the reporter is
    sealed: the department sees only the matter)."""

    ticket_id: str
    number: str
    version: int
    state: TicketState
    state_name: str
    type: TicketType
    type_name: str
    channel: Channel
    category_code: str
    category_name: str
    text: str
    location: Location
    link_case_id: str | None = None
    link_item_code: str | None = None
    link_notice_id: str | None = None
    requester: RequesterView | None = None
    department_id: str | None = None
    co_departments: list[str] = Field(default_factory=list)
    attachments: list[AttachmentView] = Field(default_factory=list)
    answers: list[Answer] = Field(default_factory=list)
    answered_by: AnsweredBy | None = None
    ratings: list[RatingRecord] = Field(default_factory=list)
    reopened: int = 0
    closure: Closure | None = None
    duplicate_of: str | None = None
    limits: list[LimitView] = Field(default_factory=list)
    rating_due_on: dt.date | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    uploads: list[UploadForm] = Field(
        default_factory=list,
        description="Presigned uploads for declared attachments (only in the answer that declared them).",
    )


class TicketSummary(_Shape):
    ticket_id: str
    number: str
    state: TicketState
    state_name: str
    type: TicketType
    category_name: str
    region_code: str
    department_id: str | None = None
    created_at: AwareDatetime
    due_on: dt.date | None = None


class TimelineView(_Shape):
    ticket_id: str
    entries: list[TimelineEntry]


class TimelineVerification(_Shape):
    ticket_id: str
    valid: bool
    length: int
    head: str
    expected_head: str
    broken_at: int | None = None


# --- reference data and configuration ----------------------------------------------------------


class MatterCategory(_Shape):
    """One row of the category table: a two-digit first level or a four-digit second level."""

    code: str
    name: str
    version: int = 1
    updated_at: AwareDatetime
    updated_by: str

    @property
    def parent_code(self) -> str | None:
        return self.code[:2] if len(self.code) == 4 else None


class RoutingRule(_Shape):
    category_code: str
    region_prefix: str
    department_id: str
    note: str | None = None
    updated_at: AwareDatetime
    updated_by: str


class DispatchDesk(_Shape):
    region_prefix: str
    department_id: str
    name: str
    updated_at: AwareDatetime
    updated_by: str


class FaqEntry(_Shape):
    faq_id: str
    version: int
    question: str
    answer: str
    keywords: list[str]
    category_code: str | None = None
    updated_at: AwareDatetime
    updated_by: str


def is_agent_channel(channel: Channel) -> bool:
    return channel in AGENT_CHANNELS
