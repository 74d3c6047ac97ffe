"""The cases context's shapes: request and response bodies, the stored case,
its timeline and notices. Nothing else crosses the context's edge.

Terms: 办件 case; 申报 submission; 预审 pre-review; 补正 supplement; 一次性告知
the one notice listing everything to supplement; 受理 / 不予受理 accept /
refuse at intake; 承诺时限 / 法定时限 promised / legal time limit; 同城通办
hall intake anywhere in the city.
"""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

# the shapes events carry live in a small module (cold start); re-exported here
from shared.cases.facts import Deadlines as Deadlines
from shared.cases.facts import Deficiency as Deficiency
from shared.cases.facts import DeficiencyKind as DeficiencyKind
from shared.cases.facts import Extension as Extension
from shared.cases.facts import Suspension as Suspension
from shared.cases.facts import SuspensionKind as SuspensionKind
from shared.cases.states import CaseAction, CaseState
from shared.platform.clients import ClientId

CASE_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"  # ULID
MATERIAL_ID_PATTERN = CASE_ID_PATTERN
SLOT_ID_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
SUBJECT_ID_FIELD = CASE_ID_PATTERN
MAX_VERSION = 1_000_000  # a case changes a few dozen times; the bound keeps the field a documented range
SHA256_HEX = r"^[0-9a-f]{64}$"

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]
ApplicantKind = Literal["natural_person", "legal_person", "other_organization"]


class _Input(BaseModel):
    """Request bodies refuse unknown fields so typos surface as 422."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


# --- parts of a case -------------------------------------------------------------------


class DeliveryMethod(StrEnum):
    """结果送达方式."""

    PICKUP = "pickup"  # 窗口领取
    COURIER = "courier"  # 快递送达 (免费寄递)
    ELECTRONIC = "electronic"  # 电子送达 (电子证照/文书)


Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=200)]
RegionCodeText = Annotated[str, Field(pattern=r"^[1-8][0-9]{5}$", examples=["320115"])]


class Delivery(_Input):
    """The applicant's choice of how the result reaches them (C12). For courier
    delivery the address, its county-level region code and the recipient are
    needed; the recipient's name and phone are sealed when stored."""

    method: DeliveryMethod = Field(description="pickup 窗口领取, courier 快递送达, electronic 电子送达.")
    address: Address | None = Field(default=None, description="Postal address; required for courier delivery.")
    region_code: RegionCodeText | None = Field(
        default=None, description="County-level region of the address (GB/T 2260); required for courier delivery."
    )
    recipient_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = (
        Field(default=None, description="Recipient (收件人); required for courier delivery.")
    )
    recipient_phone: Annotated[str, Field(pattern=r"^1[3-9][0-9]{9}$")] | None = Field(
        default=None, description="Recipient's mobile; required for courier delivery. Stored sealed, shown masked."
    )
    hall_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{2,62}$")] | None = Field(
        default=None,
        description="With pickup: the hall where the result waits (大厅自取, D-219); the applicant gets a pickup code.",
    )


class DeliveryView(_Shape):
    """The delivery choice as shown: the recipient masked."""

    method: DeliveryMethod
    address: str | None = None
    region_code: str | None = None
    recipient: str | None = Field(default=None, description="Recipient, masked (e.g. 张* 138****0001).")
    hall_id: str | None = Field(default=None, description="The hall where a pickup result waits (D-219).")


class DeliveryChoice(DeliveryView):
    """The delivery choice as stored: `recipient_sealed` is the KMS-sealed name and
    phone (purpose `cases.delivery`, bound to the case id), for the courier booking."""

    recipient_sealed: str | None = None


class FeeLine(_Shape):
    """One fee of the item (收费项目), in integer fen."""

    name: str
    amount_fen: int
    non_tax: bool = False


FeeTiming = Literal["before_acceptance", "after_approval"]


class FulfilmentStep(StrEnum):
    """What happens between approval and 办结, in this order, as the item and the
    applicant's delivery choice require (网上批、快递送)."""

    PAYMENT = "payment"  # 缴费 (C10)
    LICENCE = "licence"  # 电子证照制证 (C11)
    DELIVERY = "delivery"  # 送达: courier or counter handover (C12)


class FulfilmentRecord(_Shape):
    """A step done, with the other context's reference (order, licence, shipment)."""

    step: FulfilmentStep
    reference: str
    done_at: AwareDatetime
    note: str | None = None


class Applicant(_Shape):
    """Who applies (申请人): the natural person who files, and the enterprise when
    an agent files for one (then every agent of that enterprise sees the case)."""

    subject_id: str
    uscc: str | None = None
    kind: ApplicantKind


class IdentitySnapshot(_Shape):
    """The verified identity a form's identity-bound fields (`x-identity`) show: the
    person's real name, their ID number masked, the enterprise registry's record of
    the enterprise applied for. Taken when the case is drafted and again at each
    submission; never typed by the applicant."""

    person_name: str | None = None
    id_number_masked: str | None = None
    uscc: str | None = None
    enterprise_name: str | None = None
    legal_representative: str | None = None


HallAuthority = Literal["self", "legal_representative", "agent", "written"]


class HallIntake(_Shape):
    """The hall staff member who took the case in (同城通办 代收), and how the
    applicant was verified at the counter."""

    subject_id: str
    department_id: str
    region_code: str
    actor: str = Field(description="Role and masked identity, as the timeline shows it.")
    verified_by: Literal["typed", "id_card_reader"] | None = None
    authority: HallAuthority | None = None
    # the hall counter that called the person, when the intake follows a queue number (D-218)
    hall_id: str | None = None
    hall_name: str | None = None
    window_id: str | None = None
    queue_number: str | None = None
    # 异地可办 (D-275): a hall of another city than the item's department took it in; the originals travel
    remote: bool = False


class MaterialSlot(_Shape):
    """One material the item asks for (from the catalogue at submission)."""

    slot_id: str
    name: str
    requirement: Literal["required", "conditional"]
    condition: str | None = None
    accepted_formats: list[str]
    max_size_bytes: int | None = None
    licence_type_code: str | None = Field(
        default=None, description="E-licence type that can stand in for this material (C15, 免提交)."
    )


class ItemSnapshot(_Shape):
    """The item implementation as published when the case was drafted or last
    submitted: the case is judged against this version, whatever changes later."""

    implementation_code: str
    name: str
    version: int
    department_id: str
    department_name: str
    region_code: str
    region_name: str
    exercise_level: int
    legal_limit_days: int
    promised_limit_days: int
    immediate: bool
    channel: str
    applicant_kinds: list[ApplicantKind]
    materials: list[MaterialSlot]
    form_schema: dict[str, Any]
    joint: bool = False
    lead_department_id: str | None = None
    co_department_ids: list[str] = Field(default_factory=list)
    co_department_names: dict[str, str] = Field(
        default_factory=dict, description="Co-department id → name, as the catalogue published them."
    )
    fees: list[FeeLine] = Field(default_factory=list)
    fee_timing: FeeTiming = "after_approval"
    result_licence_type_code: str | None = None
    renewal_item_code: str | None = None
    renewal_lead_days: int = 30

    @property
    def fee_total_fen(self) -> int:
        return sum(fee.amount_fen for fee in self.fees)

    @property
    def issuer_uscc(self) -> str:
        """The implementing department's USCC: the first 18 characters of the 实施编码."""
        return self.implementation_code[:18]


class LicenceUse(_Shape):
    """The applicant's own e-licence standing in for a material (一次提交、多次复用),
    with the consent the licences context recorded (shown in the holder's usage log)."""

    licence_id: str
    identifier: str
    type_code: str
    type_name: str
    consent_id: str


class ReusedFrom(_Shape):
    """Where a reused material was accepted before (一次提交、多次复用, D-212)."""

    case_id: str
    case_number: str
    valid_until: dt.date = Field(description="Last day it may be reused (its upload + the type's validity).")
    consent_at: AwareDatetime = Field(description="When the applicant consented (also on the timeline).")


class AttachedMaterial(_Shape):
    """An uploaded and verified file, recorded against a material slot — or the
    applicant's e-licence in its place (`licence`, format `e_licence`, no file), or a
    file of theirs an earlier case accepted (`reused_from`)."""

    material_id: str
    slot_id: str
    file_name: str
    content_type: str
    format: str
    size_bytes: int
    sha256: str
    uploaded_at: AwareDatetime
    licence: LicenceUse | None = None
    reused_from: ReusedFrom | None = None


class SupplementNotice(_Shape):
    """一次性告知书: everything to supplement, in one notice."""

    notice_id: str
    issued_at: AwareDatetime
    issued_by: Literal["pre_review", "staff"]
    items: list[Deficiency]


class ExtensionRequestView(_Shape):
    """A pending request to extend the legal limit (延期申请), as staff and supervisors
    see it; the applicant is told only once a supervisor approves."""

    working_days: int = Field(description="+10, joint +15 (Art. 42).")
    reason: str
    requested_at: AwareDatetime
    requested_by: str = Field(description="Role and masked identity of the requesting staff member.")


class PendingExtension(ExtensionRequestView):
    """The pending request as stored: who asked (they may not approve it themselves)."""

    requested_by_subject_id: str


class DecisionOutcome(StrEnum):
    APPROVED = "approved"  # 准予行政许可
    DENIED = "denied"  # 不予行政许可


class DecisionDocument(_Shape):
    """The rendered decision (决定书) in the materials bucket."""

    key: str
    sha256: str
    size_bytes: int
    content_type: Literal["application/pdf"] = "application/pdf"


class Decision(_Shape):
    """准予 / 不予行政许可决定: structured data plus its rendered document."""

    decision_id: str
    document_number: str = Field(description="文书编号 (case number + D).")
    outcome: DecisionOutcome
    reason: str = Field(description="Reasons the applicant reads (不予许可 must state them, Art. 38).")
    decided_at: AwareDatetime
    decided_on: dt.date
    decided_by: str = Field(description="Role and masked identity.")
    department_name: str
    task_opinions: list[str] = Field(default_factory=list, description="Co-department opinions (joint cases).")
    document: DecisionDocument


class TaskState(StrEnum):
    OPEN = "open"  # 办理中
    APPROVED = "approved"  # 同意
    DENIED = "denied"  # 不同意


class LicenceClock(_Shape):
    """行政许可法 第44条: the licence (certificate) is issued within 10 working days from
    the decision (第82条: days of this law are working days). Started at an approval that
    has a licence step; met when `licence.issued` comes back."""

    started_on: dt.date
    limit_days: int
    due_on: dt.date


class LicenceClockView(LicenceClock):
    """The Art. 44 clock as the case detail shows it, beside the review deadlines."""

    running: bool = Field(description="True while the licence is still to be issued (awaiting payment or licence).")


class RenewalOf(_Shape):
    """延续 (行政许可法 第50条): the licence a renewal case renews, and the Art. 50 dates."""

    licence_id: str
    identifier: str
    number: str = Field(description="证照编号 of the licence renewed.")
    type_code: str
    type_name: str
    valid_to: dt.date = Field(description="Its last valid day.")
    apply_by: dt.date = Field(
        description="The last day to apply: `renewal_lead_days` (30 unless the law says otherwise) before expiry."
    )
    decide_by: dt.date = Field(
        description="The department decides before the licence expires; undecided by then it is deemed renewed."
    )


class JointTask(_Shape):
    """One co-department's part of a joint case (并联审批子任务), with its own limit."""

    department_id: str
    department_name: str | None = Field(
        default=None, description="The co-department's name, shown with its opinion (tasks opened before it: none)."
    )
    state: TaskState = TaskState.OPEN
    limit_days: int
    opened_on: dt.date
    due_on: dt.date
    suspended_working_days: int = Field(
        default=0, ge=0, description="Working days the case was suspended while this task was open (due date moved)."
    )
    reason: str | None = None
    decided_at: AwareDatetime | None = None
    decided_by: str | None = None
    handler_subject_id: str | None = None


class TimelineEntry(_Shape):
    """One entry of the tamper-evident timeline (办件轨迹): `hash` covers every
    field and the previous entry's hash."""

    seq: int
    at: AwareDatetime
    action: CaseAction
    from_state: CaseState | None = None
    to_state: CaseState
    actor_role: str
    actor: str = Field(description="Role and masked identity (never a raw ID number).")
    reason: str | None = None
    client: ClientId | None = Field(
        default=None, description="一端: the client the change came from (web, app, wechat, hall); none for the system."
    )
    prev_hash: str
    hash: str


class Case(_Shape):
    """A case as stored (办件). `version` guards every write."""

    case_id: str
    case_number: str
    version: int
    state: CaseState
    applicant: Applicant
    taken_in_by: HallIntake | None = None
    item: ItemSnapshot
    identity: IdentitySnapshot | None = None
    form: dict[str, Any] = Field(default_factory=dict, description="What the applicant typed (no bound fields).")
    applicable_conditions: list[str] = Field(default_factory=list)
    delivery: DeliveryChoice
    materials: list[AttachedMaterial] = Field(default_factory=list)
    created_at: AwareDatetime
    updated_at: AwareDatetime
    first_received_at: AwareDatetime | None = None
    received_at: AwareDatetime | None = None
    submission_round: int = 0
    intake_due_on: dt.date | None = None
    notice: SupplementNotice | None = None
    notices_issued: int = 0
    decision: Decision | None = None
    joint_tasks: list[JointTask] = Field(default_factory=list)
    handler_subject_id: str | None = Field(default=None, description="Staff responsible (who accepted), for warnings.")
    deadlines: Deadlines | None = None
    closing_reason: str | None = None
    extension_request: PendingExtension | None = Field(default=None, description="A pending 延期申请.")
    pending_steps: list[FulfilmentStep] = Field(default_factory=list, description="Still to happen before 办结.")
    licence_clock: LicenceClock | None = Field(
        default=None, description="Art. 44: the certificate is due within 10 working days of an approval."
    )
    renews: RenewalOf | None = Field(default=None, description="延续: the licence this case renews (Art. 50).")
    fulfilment: list[FulfilmentRecord] = Field(default_factory=list, description="Steps done after approval.")
    scene_application_id: str | None = Field(
        default=None, description="一件事: the scene application that opened this case (D-279)."
    )
    paper_arrived: list[str] = Field(
        default_factory=list, description="Courier pickups (shipment ids) whose paper reached the department."
    )
    timeline_length: int = 0
    timeline_head: str = ""


# --- requests ---------------------------------------------------------------------------


class ReasonRequest(_Input):
    reason: Reason
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class AcceptRequest(_Input):
    note: Reason | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class DecideRequest(_Input):
    """准予 or 不予许可, with the reasons the applicant reads."""

    outcome: DecisionOutcome
    reason: Reason
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


# --- responses --------------------------------------------------------------------------


class RequiredAction(BaseModel):
    """What someone must do next (待办)."""

    model_config = ConfigDict(defer_build=True)

    who: Literal["applicant", "department", "system"]
    action: str
    message: str
    due_on: dt.date | None = None


class CaseSummary(BaseModel):
    model_config = ConfigDict(defer_build=True)

    case_id: str
    case_number: str
    state: CaseState
    state_name: str
    item_code: str
    item_name: str
    department_id: str
    department_name: str
    region_code: str
    created_at: AwareDatetime
    updated_at: AwareDatetime
    received_at: AwareDatetime | None = None
    intake_due_on: dt.date | None = None
    deadlines: Deadlines | None = None
    intake_hall_id: str | None = Field(
        default=None, description="The hall whose counter took the case in (D-218); its clerks forward the originals."
    )


class CaseForDelivery(CaseSummary):
    """What the delivery context's `cases` port reads (never a response): the summary and
    whose case it is, so a pickup a hall books for the applicant is the applicant's shipment."""

    applicant_subject_id: str
    applicant_uscc: str | None = None


class CaseDetail(CaseSummary):
    version: int
    applicant_kind: ApplicantKind
    applicant_uscc: str | None = None
    taken_in_by: str | None = Field(default=None, description="Hall that took the case in (同城通办), masked.")
    intake_hall: str | None = Field(default=None, description="The hall whose counter took the case in, by name.")
    item_version: int
    form: dict[str, Any] = Field(
        description="The form: the applicant's fields, and the identity-bound ones prefilled (ID number masked)."
    )
    form_schema: dict[str, Any] = Field(
        default_factory=dict,
        description="The item's form schema as served with the case: identity-bound fields (`x-identity`) carry"
        " `readOnly: true`; their values come from the verified identity and cannot be changed.",
    )
    applicable_conditions: list[str]
    delivery: DeliveryView
    materials: list[AttachedMaterial]
    material_slots: list[MaterialSlot]
    notice: SupplementNotice | None = None
    closing_reason: str | None = None
    decision: Decision | None = None
    renews: RenewalOf | None = Field(
        default=None, description="延续 (Art. 50): the licence this case renews, the last day to apply and to decide."
    )
    licence_clock: LicenceClockView | None = Field(
        default=None,
        description=(
            "行政许可法 第44条: the certificate is due within 10 working days of an approval that issues a licence "
            "(started on the decision day; `running` until the licence is issued)."
        ),
    )
    decision_document_url: str | None = Field(
        default=None, description="Short-lived download link of the decision document (决定书)."
    )
    joint_tasks: list[JointTask] = Field(
        default_factory=list, description="Joint tasks the caller may see (all for the lead and the applicant)."
    )
    extension_request: ExtensionRequestView | None = Field(
        default=None, description="A pending 延期申请 (shown to the department and supervisors only)."
    )
    pending_steps: list[FulfilmentStep] = Field(
        default_factory=list, description="What is still to happen before 办结 (payment, licence, delivery)."
    )
    fulfilment: list[FulfilmentRecord] = Field(default_factory=list, description="Steps done, with references.")
    fee_total_fen: int = Field(default=0, description="The item's fees in fen (0: nothing to pay).")
    required_actions: list[RequiredAction]
    timeline: list[TimelineEntry]


class TimelineVerification(BaseModel):
    """The result of re-computing the timeline's hash chain (轨迹校验)."""

    model_config = ConfigDict(defer_build=True)

    case_id: str
    valid: bool
    length: int
    head: str = Field(description="The last entry's hash as recomputed.")
    expected_head: str = Field(description="The head hash the case record holds.")
    broken_at: int | None = Field(default=None, description="The first entry whose hash does not verify.")


class Receipt(BaseModel):
    """The answer to a submission: the case as it now stands."""

    model_config = ConfigDict(defer_build=True)

    case_id: str
    case_number: str
    state: CaseState
    version: int
    received_at: AwareDatetime
    intake_due_on: dt.date | None


class WorkQueueEntry(BaseModel):
    """A case waiting for the department's intake decision."""

    model_config = ConfigDict(defer_build=True)

    case_id: str
    case_number: str
    state: CaseState
    state_name: str
    item_code: str
    item_name: str
    region_code: str
    received_at: AwareDatetime
    intake_due_on: dt.date | None = Field(description="Art. 32: counts as accepted after this day (视为受理).")
    immediate: bool
    taken_in_by_hall: bool


class JointTaskEntry(BaseModel):
    """An open joint task of the caller's department (并联审批待办)."""

    model_config = ConfigDict(defer_build=True)

    case_id: str
    case_number: str
    case_state: CaseState
    state_name: str
    item_code: str
    item_name: str
    region_code: str
    lead_department_id: str
    department_id: str
    opened_on: dt.date
    due_on: dt.date = Field(description="The task's own due date (its limit in working days from acceptance).")
    limit_days: int


class ExtensionRequestEntry(BaseModel):
    """A pending extension request waiting for a supervisor (延期审批待办)."""

    model_config = ConfigDict(defer_build=True)

    case_id: str
    case_number: str
    state: CaseState
    item_code: str
    item_name: str
    department_id: str
    region_code: str
    legal_due_on: dt.date = Field(description="The legal due date now; approval moves it by `working_days`.")
    working_days: int
    reason: str
    requested_at: AwareDatetime
    requested_by: str
