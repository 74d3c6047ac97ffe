"""The bodies and answers of particular ratings routes (D-338): rating, changing, appealing and
deciding an appeal, a rectification's visit, answer, confirmation and decision, an invitation's
link, the public exposure column and the monthly counts. Apart from `shared.ratings.models` (what
is stored and what every reader of a rating or a rectification sees) so that RatingsApiFunction
creates them with the first request of a route that names them, not at its cold start; the
routes and the service reach them through `lazy_module`."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from shared.ratings.models import (
    TARGET_ID_PATTERN,
    AppealState,
    Channel,
    Level,
    Reason,
    Reasons,
    RectificationDecision,
    TargetKind,
    _Request,
    _Shape,
)


class _RatingFields(_Request):
    level: Level = Field(description="非常满意 very_satisfied … 非常不满意 very_dissatisfied; the last two are 差评.")
    reasons: Reasons = Field(default=[], max_length=6, description="Optional reasons from the fixed list.")
    text: str | None = Field(default=None, max_length=500, description="Free text; public only if staff allow it.")
    channel: Channel = Field(description="Where the rating was given (web, app, wechat, hall_pad, sms).")

    @field_validator("reasons")
    @classmethod
    def _distinct(cls, reasons: list[Reason]) -> list[Reason]:
        if len(set(reasons)) != len(reasons):
            raise ValueError("reasons must be distinct")
        return reasons


class RateRequest(_RatingFields):
    target_kind: TargetKind = Field(description="`case` (办件) or `ticket` (12345 工单).")
    target_id: str = Field(pattern=TARGET_ID_PATTERN, description="The case or ticket id.")


class ChangeRequest(_RatingFields):
    """The rating as changed (once, within the change window)."""


class LinkRateRequest(_RatingFields):
    token: str = Field(min_length=20, max_length=200, description="The one-time token of the printed or sent link.")


class AppealRequest(_Request):
    reason: str = Field(min_length=5, max_length=500, description="Why the rating is malicious or mistaken.")
    evidence: list[str] = Field(
        min_length=1, max_length=5, description="What shows it (descriptions or references of records)."
    )

    @field_validator("evidence")
    @classmethod
    def _not_blank(cls, evidence: list[str]) -> list[str]:
        if any(not entry.strip() or len(entry) > 300 for entry in evidence):
            raise ValueError("each piece of evidence is 1–300 characters")
        return evidence


class AppealDecisionRequest(_Request):
    outcome: AppealState = Field(description="`upheld` (the rating stops counting) or `dismissed`.")
    reason: str = Field(min_length=2, max_length=500)

    @field_validator("outcome")
    @classmethod
    def _decided(cls, outcome: AppealState) -> AppealState:
        if outcome is AppealState.PENDING:
            raise ValueError("the outcome is upheld or dismissed")
        return outcome


class VisitRequest(_Request):
    note: str = Field(min_length=2, max_length=500, description="What the follow-up call verified (回访核实).")


class AnswerRequest(_Request):
    measures: str = Field(min_length=2, max_length=1000, description="What was rectified (整改措施).")
    answer: str = Field(min_length=2, max_length=1000, description="The answer to the rater (答复).")
    publishable: bool = Field(
        default=False,
        description=(
            "The rater's free text and this answer may appear in the public exposure column: staff checked that "
            "they name nobody (ID and phone numbers are masked anyway). Unmarked, the column shows neither."
        ),
    )


class ConfirmationRequest(_Request):
    confirmed: bool = Field(description="The rater accepts the answer (true) or not (false).")
    comment: str | None = Field(default=None, max_length=500)


class RectificationDecisionRequest(_Request):
    outcome: RectificationDecision
    reason: str = Field(min_length=2, max_length=500)


class InvitationView(_Shape):
    target_kind: TargetKind
    target_id: str
    label: str
    title: str
    outcome: str
    invited_at: dt.datetime


class LinkIssued(_Shape):
    token: str = Field(description="Shown once; the platform keeps only its hash.")
    url: str
    expires_at: dt.datetime


class ExposureEntry(_Shape):
    """One rectified 差评 in the public column: nothing that identifies a person."""

    order_id: str
    month: str
    department_id: str
    region_code: str
    title: str = Field(description="The service (item) rated.")
    level_name: str
    reasons: list[str]
    rating_text: str | None = Field(description="Only when staff marked it publishable; ID and phone numbers masked.")
    measures: str | None = Field(description="What was rectified; only when marked publishable, numbers masked.")
    answer: str | None = Field(description="The answer; only when marked publishable, numbers masked.")
    answered_on_time: bool | None
    outcome: str = Field(description="确认满意 / 监督裁定办结 / 申诉成立.")
    closed_on: dt.date | None


class DepartmentCounts(_Shape):
    department_id: str
    region_code: str
    month: str
    levels: dict[Level, int] = Field(description="Ratings counted, by level (upheld appeals excluded).")
    excluded: int = Field(description="Ratings taken out of the scores by an upheld appeal.")
    rectified_on_time: int
    rectified_late: int
    satisfaction_rate: float | None = Field(description="Share of 非常满意/满意/基本满意 among counted ratings.")


class CountsPage(_Shape):
    month: str
    items: list[DepartmentCounts]
    next_cursor: str | None = None
