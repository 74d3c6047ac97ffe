"""The bodies and answers of particular hotline routes (D-338): the requests that open, handle and
close a ticket, the staff's configuration (categories, routing rules, desks, the FAQ, Open311
partners) and the knowledge base's answers. Apart from `shared.hotline.models` (the stored ticket,
its views, the configuration records) so that HotlineApiFunction creates them with the first
request of a route that names them, not at its cold start; the routes and the service reach
them through `lazy_module`."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shared.hotline.models import (
    CATEGORY_PATTERN,
    DEPARTMENT_PATTERN,
    MAX_TEXT,
    PHONE_PATTERN,
    PREFIX_PATTERN,
    SHA256_PATTERN,
    DispatchDesk,
    FaqEntry,
    KnowledgeChoice,
    RoutingRule,
    TicketContent,
    _Request,
    _Shape,
)
from shared.hotline.states import Channel, Rating


class AttachmentDeclaration(_Request):
    """A file to upload with the ticket or answer (presigned POST, as for case materials)."""

    file_name: str = Field(min_length=1, max_length=120)
    content_type: str = Field(description="application/pdf, image/jpeg or image/png.")
    # the platform's limit (HOTLINE MAX_ATTACHMENT_BYTES) is checked by the service with its own code
    size_bytes: int = Field(ge=1, le=2**31, description="Exact size; the upload policy pins it.")
    sha256: str = Field(pattern=SHA256_PATTERN)


class NewTicket(TicketContent):
    """A signed-in citizen or agent opens a ticket (web, app, WeChat)."""

    channel: Literal[Channel.WEB, Channel.APP, Channel.WECHAT]
    attachments: list[AttachmentDeclaration] = Field(default_factory=list, max_length=20)
    accepted_answer: KnowledgeChoice | None = None


class CallTicket(TicketContent):
    """A 12345 agent opens a ticket for a caller (phone, or at the hall's 12345 desk).
    The caller's number, when given, is sealed and shown masked."""

    channel: Literal[Channel.PHONE, Channel.HALL]
    caller_phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    accepted_answer: KnowledgeChoice | None = None


class AnonymousTicket(TicketContent):
    """A report or suggestion without an account: the contact phone is verified with a
    one-time code (POST /v1/auth/otp, purpose `contact`) and sealed."""

    channel: Literal[Channel.WEB, Channel.APP, Channel.WECHAT]
    contact_phone: str = Field(pattern=PHONE_PATTERN)
    code: str = Field(pattern=r"^\d{6}$")


class SignRequest(_Request):
    note: str | None = Field(default=None, max_length=500)


class AnswerRequest(_Request):
    text: str = Field(max_length=MAX_TEXT)
    attachments: list[AttachmentDeclaration] = Field(default_factory=list, max_length=20)


class ReasonRequest(_Request):
    reason: str = Field(min_length=1, max_length=500)


class RedispatchRequest(_Request):
    department_id: str = Field(pattern=DEPARTMENT_PATTERN)
    reason: str = Field(min_length=1, max_length=500)


class CoHandleRequest(_Request):
    department_id: str = Field(pattern=DEPARTMENT_PATTERN)
    note: str | None = Field(default=None, max_length=500)


class RatingRequest(_Request):
    rating: Rating
    comment: str | None = Field(default=None, max_length=500)


class DecisionRequest(_Request):
    outcome: Literal["close", "reopen"]
    reason: str = Field(min_length=1, max_length=500)


class CategoryView(_Shape):
    code: str
    name: str
    parent_code: str | None = None
    children: list[CategoryView] = Field(default_factory=list)


class CategoryList(_Shape):
    items: list[CategoryView]


class CategoryRequest(_Request):
    """Add or rename a category; a second level needs its first level to exist."""

    name: str = Field(min_length=1, max_length=40)


class RuleRequest(_Request):
    """A routing rule (派单规则): tickets of `category_code` in `region_prefix` go to the department."""

    category_code: str = Field(pattern=CATEGORY_PATTERN)
    region_prefix: str = Field(pattern=PREFIX_PATTERN)
    department_id: str = Field(pattern=DEPARTMENT_PATTERN)
    note: str | None = Field(default=None, max_length=200)


class RuleList(_Shape):
    items: list[RoutingRule]


class DeskRequest(_Request):
    department_id: str = Field(pattern=DEPARTMENT_PATTERN)
    name: str = Field(min_length=1, max_length=60)


class DeskList(_Shape):
    items: list[DispatchDesk]


class FaqRequest(_Request):
    """A curated FAQ entry (知识库); `revision` is the version being replaced (0 to create)."""

    question: str = Field(min_length=1, max_length=200)
    answer: str = Field(min_length=1, max_length=MAX_TEXT)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    category_code: str | None = Field(default=None, pattern=CATEGORY_PATTERN)
    revision: int = Field(ge=0, le=1_000_000)


class FaqVersions(_Shape):
    items: list[FaqEntry]


class KnowledgeSource(StrEnum):
    FAQ = "faq"
    ITEM = "item"


class KnowledgeAnswer(_Shape):
    source: KnowledgeSource
    id: str
    title: str
    answer: str
    version: int | None = None


class KnowledgeAnswers(_Shape):
    items: list[KnowledgeAnswer]


class PartnerRequest(_Request):
    name: str = Field(min_length=1, max_length=60)


class PartnerKey(_Shape):
    partner_id: str
    name: str
    api_key: str = Field(description="Shown once; only its hash is kept.")
