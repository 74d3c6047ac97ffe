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
| `case.review_started`         | staff started the review                      | — |
| `case.suspended`              | the clock stopped (Art. 45), reason + expected duration | notifications |
| `case.resumed`                | the clock restarted; deadlines moved          | notifications |
| `case.extension_requested`     | lead staff asked to extend (pending approval) | — (supervisors list it) |
| `case.extended`               | a supervisor approved an extension (Art. 42)  | notifications |
| `case.extension_rejected`     | a supervisor did not approve the request      | — |
| `case.joint_tasks_opened`     | joint case accepted: a task per co-department | — |
| `case.joint_task_decided`     | a co-department gave its opinion              | notifications (lead) |
| `case.decided`                | approved or denied, with the decision document | notifications |
| `case.completed`              | 办结                                          | notifications |
| `limit.set` / `limit.cleared` | a limit started, moved, paused or ended (limits.py) | supervision |
| `case.fee_due`                | fees to pay: after approval, or before acceptance (item's fee timing) | payments |
| `case.licence_due`            | approved; the item produces an e-licence       | licences |
| `case.delivery_due`           | the result goes out by courier                 | delivery |
| `case.step_done`              | a payment, licence or delivery came back (case-progress worker) | notifications |
| `case.material_reused`        | the applicant reused a material an earlier case accepted (consent) | — |

`subject` is the case id. Every event names the inbox to notify
(`notify_subject_id`, the natural person who filed) and carries the case
`version` it produced, so consumers can tell stale deliveries from new facts.
Data never holds an ID number or a name.
"""

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from shared.cases.facts import Deadlines, Deficiency
from shared.platform.events import Envelope, make_envelope, register_event_type

if TYPE_CHECKING:  # the case model stays out of the consumers' cold start
    from shared.cases.models import Case

SOURCE = "cases"
SUBMITTED = "case.submitted"
PRE_REVIEW_PASSED = "case.pre_review_passed"
SUPPLEMENT_REQUIRED = "case.supplement_required"
ACCEPTED = "case.accepted"
REFUSED_AT_INTAKE = "case.refused_at_intake"
WITHDRAWN = "case.withdrawn"

REVIEW_STARTED = "case.review_started"
SUSPENDED = "case.suspended"
RESUMED = "case.resumed"
EXTENDED = "case.extended"
EXTENSION_REQUESTED = "case.extension_requested"
EXTENSION_REJECTED = "case.extension_rejected"
JOINT_TASKS_OPENED = "case.joint_tasks_opened"
JOINT_TASK_DECIDED = "case.joint_task_decided"
DECIDED = "case.decided"
COMPLETED = "case.completed"
FEE_DUE = "case.fee_due"
LICENCE_DUE = "case.licence_due"
DELIVERY_DUE = "case.delivery_due"
STEP_DONE = "case.step_done"
MATERIAL_REUSED = "case.material_reused"

# Every event that moves a case (its facts carry the state the case is left in): the consumers that follow every
# step of a case — supervision's monitoring, the reports' slow-step analytics — hear these, and a new step added
# here reaches both (their rules are tested against their dispatchers). Material reuse moves nothing.
MOVES = (
    SUBMITTED,
    PRE_REVIEW_PASSED,
    SUPPLEMENT_REQUIRED,
    ACCEPTED,
    REFUSED_AT_INTAKE,
    WITHDRAWN,
    REVIEW_STARTED,
    SUSPENDED,
    RESUMED,
    EXTENDED,
    EXTENSION_REQUESTED,
    EXTENSION_REJECTED,
    JOINT_TASKS_OPENED,
    JOINT_TASK_DECIDED,
    DECIDED,
    COMPLETED,
    FEE_DUE,
    LICENCE_DUE,
    DELIVERY_DUE,
    STEP_DONE,
)


class CaseFacts(BaseModel):
    """What every case event carries."""

    model_config = ConfigDict(defer_build=True)

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
    # how the case reaches the department and the result the applicant: 不见面 is
    # `online` intake with `courier` or `electronic` delivery (supervision's monitoring)
    intake_channel: str | None = None  # online | hall
    intake_hall_id: str | None = None  # the hall whose counter took it in, after a queue number (D-218)
    delivery_method: str | None = None  # pickup | courier | electronic
    # 延续 (Art. 50): the licence a renewal case renews; the licences context keeps it valid while undecided
    renews_licence_id: str | None = None
    # the staff member who accepted the case (an opaque subject id): rated with the department (D-202)
    handler_subject_id: str | None = None
    # 一件事: the scene application that opened the case; its progress follows these events (D-279)
    scene_application_id: str | None = None


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


class ClockData(CaseFacts):
    """The clock after a suspension, resumption or extension."""

    deadlines: Deadlines
    reason: str | None = None
    expected_working_days: int | None = None
    moved_by_working_days: int | None = None


class ExtensionRequestData(CaseFacts):
    """An extension request (延期申请) and, when rejected, the supervisor's reason."""

    working_days: int
    reason: str
    requested_by_subject_id: str
    rejection_reason: str | None = None


class JointTasksOpenedData(CaseFacts):
    departments: list[str]
    due_on: list[dt.date]


class JointTaskDecidedData(CaseFacts):
    task_department_id: str
    outcome: str
    reason: str
    open_tasks: int
    lead_handler_subject_id: str | None = None


class DecidedData(CaseFacts):
    decision_id: str
    document_number: str
    outcome: str
    reason: str
    document_key: str
    document_sha256: str


class FeeLineData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    name: str
    amount_fen: int
    non_tax: bool = False


class FeeDueData(CaseFacts):
    """Fees to collect (C10): the payments context opens one order per case and stage."""

    stage: str  # before_acceptance | after_approval
    fees: list[FeeLineData]
    total_fen: int
    payer_subject_id: str
    payer_uscc: str | None = None


class LicenceDueData(CaseFacts):
    """An approval that produces an e-licence (C11): the licences context issues it."""

    licence_type_code: str
    issuer_uscc: str
    issuer_name: str
    holder_subject_id: str
    holder_uscc: str | None = None
    holder_kind: str
    decision_id: str
    decision_document_number: str
    decided_on: dt.date


class DeliveryDueData(CaseFacts):
    """The result goes out by courier (C12). The recipient travels sealed
    (`shared.platform.sealing`, purpose `cases.delivery`, bound to the case id)."""

    address: str
    address_region_code: str
    recipient_masked: str
    recipient_sealed: str
    contents: list[str]  # decision_document, licence_certificate
    licence_ids: list[str] = []
    # handler_subject_id (CaseFacts): the staff member who handled the case, told when a parcel comes back
    pickup_hall_id: str | None = None  # 大厅自取: the result waits at this hall for its pickup code (D-219)


class StepDoneData(CaseFacts):
    step: str  # payment | licence | delivery
    reference: str
    next_step: str | None = None


class MaterialReusedData(CaseFacts):
    """A file an earlier case of the same applicant accepted now stands in this case's slot."""

    slot_id: str
    material_id: str
    sha256: str
    from_case_id: str
    from_case_number: str
    valid_until: dt.date


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
register_event_type(REVIEW_STARTED, CaseFacts, "Staff started the review (开始审查).")
register_event_type(SUSPENDED, ClockData, "The clock stopped for a special procedure (中止计时, Art. 45).")
register_event_type(RESUMED, ClockData, "The clock restarted; every deadline moved by the days suspended (恢复计时).")
register_event_type(EXTENDED, ClockData, "A supervisor approved extending the legal limit (延长期限, Art. 42).")
register_event_type(
    EXTENSION_REQUESTED,
    ExtensionRequestData,
    "Lead department staff asked to extend the legal limit; a supervisor of the region must approve (申请延期).",
)
register_event_type(
    EXTENSION_REJECTED, ExtensionRequestData, "A supervisor did not approve the extension request (不批准延期)."
)
register_event_type(
    JOINT_TASKS_OPENED, JointTasksOpenedData, "A joint case was accepted; one task per co-department (并联审批)."
)
register_event_type(JOINT_TASK_DECIDED, JointTaskDecidedData, "A co-department gave its opinion on its joint task.")
register_event_type(DECIDED, DecidedData, "The case was decided (准予 / 不予许可) with a decision document.")
register_event_type(COMPLETED, CaseFacts, "The case was completed (办结).")

register_event_type(FEE_DUE, FeeDueData, "Fees are due for a case (缴费通知); payments opens an order.")
register_event_type(LICENCE_DUE, LicenceDueData, "An approved case's e-licence is to be issued (制证).")
register_event_type(DELIVERY_DUE, DeliveryDueData, "An approved case's result is to be sent by courier (寄递).")
register_event_type(STEP_DONE, StepDoneData, "A payment, licence or delivery for the case is done.")
register_event_type(
    MATERIAL_REUSED,
    MaterialReusedData,
    "The applicant consented to reuse a material an earlier case of theirs accepted (一次提交、多次复用).",
)


def facts(case: "Case") -> dict[str, object]:
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
        intake_channel="hall" if case.taken_in_by else "online",
        intake_hall_id=case.taken_in_by.hall_id if case.taken_in_by else None,
        delivery_method=case.delivery.method.value,
        renews_licence_id=case.renews.licence_id if case.renews else None,
        handler_subject_id=case.handler_subject_id,
        scene_application_id=case.scene_application_id,
    ).model_dump(mode="json")


def envelope(event_type: str, case: "Case", data: BaseModel, correlation_id: str | None) -> Envelope:
    return make_envelope(SOURCE, event_type, case.case_id, data, correlation_id)
