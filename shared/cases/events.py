"""Events the cases context publishes (source `jszw.cases`), through the outbox
in the same transaction as the transition they describe.

| type                          | when                                          | consumers |
|-------------------------------|-----------------------------------------------|-----------|
| `case.submitted`              | applied (round 1) or supplemented (round 2+)  | pre_review_worker, notifications |
| `case.pre_review_passed`      | automatic pre-review found nothing missing    | notifications |
| `case.supplement_required`    | one notice listing everything to supplement   | notifications |
| `case.accepted`               | accepted (by staff, 即办 automatically, or deemed under Art. 32) | notifications |
| `case.refused_at_intake`      | the department refused to accept              | notifications |
| `case.withdrawn`              | the applicant withdrew                        | notifications |

`subject` is the case id. Every event names the inbox to notify
(`notify_subject_id`, the natural person who filed) and carries the case
`version` it produced, so consumers can tell stale deliveries from new facts.
Data never holds an ID number or a name.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from shared.cases.models import Case, Deadlines, Deficiency
from shared.platform.events import Envelope, register_event_type

SOURCE = "cases"
SUBMITTED = "case.submitted"
PRE_REVIEW_PASSED = "case.pre_review_passed"
SUPPLEMENT_REQUIRED = "case.supplement_required"
ACCEPTED = "case.accepted"
REFUSED_AT_INTAKE = "case.refused_at_intake"
WITHDRAWN = "case.withdrawn"


class CaseFacts(BaseModel):
    """What every case event carries."""

    case_id: str
    case_number: str
    version: int
    state: str
    item_code: str
    item_name: str
    department_id: str
    region_code: str
    applicant_uscc: str | None = None
    notify_subject_id: str


class SubmittedData(CaseFacts):
    round: int
    received_at: dt.datetime
    intake_due_on: dt.date | None


class PreReviewPassedData(CaseFacts):
    immediate: bool


class SupplementRequiredData(CaseFacts):
    notice_id: str
    issued_by: str
    items: list[Deficiency]


class AcceptedData(CaseFacts):
    deadlines: Deadlines
    automatic: bool
    reason: str | None = None


class ClosedData(CaseFacts):
    reason: str


register_event_type(SUBMITTED, SubmittedData, "An application was submitted or supplemented (申报 / 补正提交).")
register_event_type(
    PRE_REVIEW_PASSED, PreReviewPassedData, "Automatic pre-review found nothing to supplement (预审通过)."
)
register_event_type(
    SUPPLEMENT_REQUIRED,
    SupplementRequiredData,
    "The applicant must supplement; the data lists everything at once (一次性告知).",
)
register_event_type(
    ACCEPTED,
    AcceptedData,
    "The case was accepted (受理) by staff, automatically (即办件) or by law (视为受理, Art. 32); the clock runs.",
)
register_event_type(REFUSED_AT_INTAKE, ClosedData, "The department refused to accept the application (不予受理).")
register_event_type(WITHDRAWN, ClosedData, "The applicant withdrew the application (撤回申请).")


def facts(case: Case) -> dict[str, object]:
    return CaseFacts(
        case_id=case.case_id,
        case_number=case.case_number,
        version=case.version,
        state=case.state.value,
        item_code=case.item.implementation_code,
        item_name=case.item.name,
        department_id=case.item.department_id,
        region_code=case.item.region_code,
        applicant_uscc=case.applicant.uscc,
        notify_subject_id=case.applicant.subject_id,
    ).model_dump(mode="json")


def envelope(event_type: str, case: Case, data: BaseModel, correlation_id: str | None) -> Envelope:
    return Envelope(
        type=event_type,
        source=SOURCE,
        subject=case.case_id,
        correlation_id=correlation_id,
        data=data.model_dump(mode="json"),
    )
