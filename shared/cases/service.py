"""The cases context's use cases (C13 applicant side, C14, C15, C16, C18).

No boto3 here: the table is `CasesRepository`, the bucket `MaterialStore`,
the item guide comes from the catalogue's service and working days from
`shared.workdays`. Every state change goes through `_commit_transition`:
the transition table decides the next state, the case is written with its
timeline entries and outbox events in one transaction guarded by its version.

Who may do what (record scope, `shared.platform.principal.decide`):
- the applicant (the citizen who filed, or any agent of the enterprise filed
  for) reads the case and acts on the applicant's side; anyone else gets 404;
- hall staff who took the case in (同城通办) act on the applicant's side too;
- staff of the implementing department, within their region, read it and
  decide on intake; other staff get 403; supervisors read within their region.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from shared.cases import clock, events, steps
from shared.cases.errors import (
    CASE_NOT_FOUND,
    CHANGED_CONCURRENTLY,
    FIELD_ADDRESS_REGION_REQUIRED,
    FIELD_ADDRESS_REQUIRED,
    FIELD_CHECKSUM_MISMATCH,
    FIELD_CONTENT_MISMATCH,
    FIELD_FORMAT_NOT_ACCEPTED,
    FIELD_NOT_CONDITIONAL,
    FIELD_RECIPIENT_REQUIRED,
    FIELD_SIZE_LIMIT,
    FIELD_UNKNOWN_SLOT,
    HALL_INTAKE_NOT_ALLOWED,
    INVALID_DELIVERY,
    INVALID_FORM,
    INVALID_MATERIAL,
    ITEM_NOT_AVAILABLE,
    MATERIAL_NOT_FOUND,
    MATERIAL_NOT_UPLOADED,
    MATERIAL_TOO_LARGE,
    NOT_EDITABLE,
    TOO_MANY_MATERIALS,
    TRANSITION_NOT_ALLOWED,
    VERSION_MISMATCH,
)
from shared.cases.formats import content_matches, format_of
from shared.cases.forms import form_errors
from shared.cases.models import (
    AcceptRequest,
    Applicant,
    ApplicantKind,
    AttachedMaterial,
    Case,
    CaseDetail,
    CaseSummary,
    Deadlines,
    Deficiency,
    DeficiencyKind,
    Delivery,
    DeliveryChoice,
    DeliveryMethod,
    DeliveryView,
    FeeLine,
    FormUpdate,
    HallIntake,
    HallIntakeRequest,
    ItemSnapshot,
    JointTask,
    MaterialInfo,
    MaterialSlot,
    NewCase,
    ReasonRequest,
    Receipt,
    RequiredAction,
    StaffSupplementRequest,
    SubmitRequest,
    SupplementNotice,
    TimelineEntry,
    TimelineVerification,
    UploadRequest,
    UploadTicket,
    WorkQueueEntry,
)
from shared.cases.numbers import format_case_number, pick_shard
from shared.cases.pre_review import deficiencies
from shared.cases.repository import (
    DUE_SHARDS,
    CasesRepository,
    IdempotencyRecord,
    idempotency_hash,
)
from shared.cases.states import (
    ACTION_NAMES,
    AWAITING_INTAKE,
    EDITABLE_STATES,
    STATE_NAMES,
    CaseAction,
    CaseState,
    TransitionNotAllowed,
    next_state,
)
from shared.cases.storage import MaterialStore, material_store
from shared.cases.timeline import next_entry, verify
from shared.platform import sealing
from shared.platform.clock import SHANGHAI, now, today_in_shanghai
from shared.platform.config import settings
from shared.platform.errors import (
    AppError,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from shared.platform.events import Envelope
from shared.platform.idempotency import payload_hash
from shared.platform.ids import new_id
from shared.platform.observability import logger
from shared.platform.pagination import Page, decode_cursor, encode_cursor
from shared.platform.principal import (
    APPLICANT_ROLES,
    Action,
    Principal,
    RecordScope,
    Role,
    ensure,
    require_role,
)
from shared.platform.privacy import mask_name, mask_phone

if TYPE_CHECKING:  # the catalogue is imported on first use: most case routes never read an item
    from shared.catalog.models import ItemDetail
    from shared.catalog.service import CatalogService
    from shared.workdays.models import Deadline
    from shared.workdays.rules import Calendar


def working_calendar(years: range) -> Calendar:
    """The holiday calendar for `years` (imported on first use: most case routes never count days)."""
    from shared.workdays.service import calendar

    return calendar(years)


def deadline(start: dt.date, working_days: int) -> Deadline:
    from shared.workdays.service import deadline as workdays_deadline

    return workdays_deadline(start, working_days)


ART32_WORKING_DAYS = 5
"""行政许可法 第32条: tell the applicant what to supplement within 5 days, else accepted from receipt."""
MAX_MATERIALS_PER_CASE = 100
DEFAULT_MAX_MATERIAL_BYTES = 100 * 1024 * 1024
AGENT_CASES_SCOPE = "cases"
CITY_LEVEL = 3  # 行使层级 市级
SUBMISSION_SCOPE = "case.submit"
# USCC registration authority + type pairs that are not legal persons (其他组织), GB 32100
_OTHER_ORGANISATION_TYPES = frozenset({"19", "92", "93", "59", "79", "89", "99", "N9", "Y1"})


# --- who is acting --------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who performs a transition, as the timeline records it (role + masked identity)."""

    role: str
    label: str


SYSTEM_PRE_REVIEW = Actor("system", "system:pre_review 自动预审")
SYSTEM_ART32_SWEEP = Actor("system", "system:art32_sweep 视为受理")


def mask_subject(subject_id: str) -> str:
    """An account id as the timeline shows it: enough to tell people apart, not to look them up."""
    return subject_id[:4] + "****" + subject_id[-4:] if len(subject_id) > 8 else "****"


def actor_of(principal: Principal) -> Actor:
    masked = mask_subject(principal.subject_id)
    match principal.role:
        case Role.AGENT:
            return Actor(principal.role.value, f"agent:{masked} for {principal.acting_for}")
        case Role.STAFF:
            return Actor(principal.role.value, f"staff:{masked}@{principal.department_id}")
        case _:
            return Actor(principal.role.value, f"{principal.role.value}:{masked}")


def applicant_kind_of(principal: Principal) -> ApplicantKind:
    """自然人 for citizens; for an agent, what the enterprise's USCC says it is."""
    if principal.role is Role.AGENT and principal.acting_for:
        return applicant_kind_of_uscc(principal.acting_for)
    return "natural_person"


def applicant_kind_of_uscc(uscc: str) -> ApplicantKind:
    """法人 unless the USCC's authority+type digits mark an 其他组织 (GB 32100)."""
    return "other_organization" if uscc[:2] in _OTHER_ORGANISATION_TYPES else "legal_person"


def _scope_of(case: Case) -> RecordScope:
    return RecordScope(
        applicant_subject_id=case.applicant.subject_id,
        applicant_uscc=case.applicant.uscc or "",
        department_id=case.item.department_id,
        region_code=case.item.region_code,
        required_scope=AGENT_CASES_SCOPE,
    )


def _took_it_in(principal: Principal, case: Case) -> bool:
    return (
        principal.role is Role.STAFF
        and case.taken_in_by is not None
        and case.taken_in_by.subject_id == principal.subject_id
    )


def ensure_can_read(principal: Principal, case: Case) -> None:
    if _took_it_in(principal, case):
        return
    ensure(principal, _scope_of(case), Action.READ)


def ensure_applicant_side(principal: Principal, case: Case) -> None:
    """The applicant, or the hall staff who took the case in; others 404 (applicants) or 403."""
    if _took_it_in(principal, case):
        return
    if principal.role in APPLICANT_ROLES:
        ensure(principal, _scope_of(case), Action.WRITE)
        return
    raise Forbidden()


def ensure_department_side(principal: Principal, case: Case) -> None:
    """Staff of the implementing department within their region; others 403 (404 for applicants)."""
    if principal.role in APPLICANT_ROLES:
        ensure(principal, _scope_of(case), Action.READ)  # 404 unless it is their own case
        raise Forbidden()
    require_role(principal, Role.STAFF)
    ensure(principal, _scope_of(case), Action.WRITE)


# --- pure helpers ---------------------------------------------------------------------------


def _moment() -> dt.datetime:
    return now().replace(microsecond=0)


def _shanghai_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def snapshot_of(item: ItemDetail) -> ItemSnapshot:
    return ItemSnapshot(
        implementation_code=item.implementation_code,
        name=item.name,
        version=item.version,
        department_id=item.department_id,
        department_name=item.department_name,
        region_code=item.region_code,
        region_name=item.region_name,
        exercise_level=item.exercise_level,
        legal_limit_days=item.legal_limit_days,
        promised_limit_days=item.promised_limit_days,
        immediate=item.immediate,
        channel=item.channel,
        applicant_kinds=list(item.applicant_kinds),
        materials=[
            MaterialSlot(
                slot_id=m.slot_id,
                name=m.name,
                requirement=m.requirement,
                condition=m.condition,
                accepted_formats=list(m.accepted_formats),
                max_size_bytes=m.max_size_bytes,
                licence_type_code=m.licence_type_code,
            )
            for m in item.materials
        ],
        form_schema=dict(item.form_schema),
        joint=item.joint,
        lead_department_id=item.lead_department_id,
        co_department_ids=list(item.co_department_ids),
        fees=[FeeLine(name=fee.name, amount_fen=fee.amount_fen, non_tax=fee.non_tax) for fee in item.fees],
        fee_timing=item.fee_timing,
        result_licence_type_code=item.result_licence_type_code,
    )


DELIVERY_SEALING = "cases.delivery"
"""Sealing purpose of a courier recipient's name and phone (bound to the case id)."""


def _delivery_errors(delivery: Delivery, prefix: str = "delivery") -> list[FieldError]:
    if delivery.method is not DeliveryMethod.COURIER:
        return []
    problems: list[FieldError] = []
    if not delivery.address:
        problems.append(FieldError(field=f"{prefix}.address", code=FIELD_ADDRESS_REQUIRED))
    if not delivery.region_code:
        problems.append(FieldError(field=f"{prefix}.region_code", code=FIELD_ADDRESS_REGION_REQUIRED))
    for name in ("recipient_name", "recipient_phone"):
        if not getattr(delivery, name):
            problems.append(FieldError(field=f"{prefix}.{name}", code=FIELD_RECIPIENT_REQUIRED))
    return problems


def delivery_choice(case_id: str, delivery: Delivery) -> DeliveryChoice:
    """The choice as stored: the recipient sealed (one KMS call) and masked; nothing
    personal is kept for pickup or electronic delivery."""
    if delivery.method is not DeliveryMethod.COURIER or not (delivery.recipient_name and delivery.recipient_phone):
        return DeliveryChoice(method=delivery.method, address=delivery.address, region_code=delivery.region_code)
    sealed = sealing.sealer(DELIVERY_SEALING).seal(
        case_id, {"name": delivery.recipient_name, "phone": delivery.recipient_phone}
    )
    return DeliveryChoice(
        method=delivery.method,
        address=delivery.address,
        region_code=delivery.region_code,
        recipient=f"{mask_name(delivery.recipient_name)} {mask_phone(delivery.recipient_phone)}",
        recipient_sealed=sealed,
    )


def deadlines_from(item: ItemSnapshot, start: dt.date, *, deemed: bool) -> Deadlines:
    """承诺 and 法定 time limits counted in working days from `start` (day 1 is the next
    working day), by the one clock engine (`shared.cases.clock`)."""
    return clock.start(
        working_calendar(range(start.year, start.year + 3)),
        start,
        promised_days=item.promised_limit_days,
        legal_days=item.legal_limit_days,
        deemed=deemed,
        joint=item.joint,
    )


JOINT_TASK_DAYS = 20
"""Each co-department's own limit (working days), capped by the item's promised limit."""


def joint_tasks_for(item: ItemSnapshot, start: dt.date, calendar: clock.WorkingDays) -> list[JointTask]:
    """并联审批: one task per co-department (not the lead), opened when the case is accepted."""
    if not item.joint:
        return []
    lead = item.lead_department_id or item.department_id
    days = min(JOINT_TASK_DAYS, item.promised_limit_days) if item.promised_limit_days > 0 else JOINT_TASK_DAYS
    due = calendar.add_working_days(start, days).date
    return [
        JointTask(department_id=department, limit_days=days, opened_on=start, due_on=due)
        for department in dict.fromkeys(item.co_department_ids)
        if department != lead
    ]


def summary_of(case: Case) -> CaseSummary:
    return CaseSummary(
        case_id=case.case_id,
        case_number=case.case_number,
        state=case.state,
        state_name=STATE_NAMES[case.state],
        item_code=case.item.implementation_code,
        item_name=case.item.name,
        department_id=case.item.department_id,
        department_name=case.item.department_name,
        region_code=case.item.region_code,
        created_at=case.created_at,
        updated_at=case.updated_at,
        received_at=case.received_at,
        intake_due_on=case.intake_due_on if case.state in AWAITING_INTAKE else None,
        deadlines=case.deadlines,
    )


def required_actions(case: Case) -> list[RequiredAction]:
    """What must happen next, and by when (待办事项)."""
    due = case.intake_due_on
    match case.state:
        case CaseState.DRAFT:
            return [RequiredAction(who="applicant", action="submit", message="请填写申请表、上传材料后提交申报")]
        case CaseState.SUBMITTED:
            return [
                RequiredAction(who="system", action="pre_review", message="系统正在自动预审"),
                RequiredAction(who="department", action="decide_intake", message="部门作出受理决定", due_on=due),
            ]
        case CaseState.SUPPLEMENT_REQUIRED:
            count = len(case.notice.items) if case.notice else 0
            return [
                RequiredAction(
                    who="applicant",
                    action="supplement",
                    message=f"请按一次性告知书补正全部 {count} 项内容后重新提交",
                )
            ]
        case CaseState.PRE_REVIEW_PASSED:
            return [
                RequiredAction(
                    who="department",
                    action="decide_intake",
                    message="待部门受理；逾期未处理视为受理（行政许可法第三十二条）",
                    due_on=due,
                )
            ]
        case CaseState.ACCEPTED | CaseState.IN_REVIEW:
            promised = case.deadlines.promised_due_on if case.deadlines else None
            open_tasks = [t for t in case.joint_tasks if t.state == "open"]
            if open_tasks:
                return [
                    RequiredAction(
                        who="department",
                        action="joint_review",
                        message=f"并联审批中：{len(open_tasks)} 个协办部门办理中",
                        due_on=max(t.due_on for t in open_tasks),
                    )
                ]
            return [RequiredAction(who="department", action="review", message="部门审查办理中", due_on=promised)]
        case CaseState.SUSPENDED:
            current = case.deadlines.suspensions[-1] if case.deadlines and case.deadlines.suspensions else None
            message = "特别程序中，办理期限中止计时"
            if current is not None:
                message += f"：{current.reason}（预计 {current.expected_working_days} 个工作日）"
            return [RequiredAction(who="department", action="special_procedure", message=message)]
        case CaseState.APPROVED | CaseState.DENIED:
            return [RequiredAction(who="department", action="complete", message="已作出决定，待办结")]
        case CaseState.AWAITING_PAYMENT:
            fen = case.item.fee_total_fen
            return [
                RequiredAction(who="applicant", action="pay", message=f"请缴纳费用 {fen // 100}.{fen % 100:02d} 元")
            ]
        case CaseState.AWAITING_LICENCE:
            return [RequiredAction(who="system", action="issue_licence", message="电子证照制证中")]
        case CaseState.AWAITING_DELIVERY:
            return [RequiredAction(who="system", action="deliver", message="办理结果快递寄送中")]
        case _:
            return []


def detail_of(case: Case, timeline: Sequence[TimelineEntry]) -> CaseDetail:
    return CaseDetail(
        **summary_of(case).model_dump(),
        version=case.version,
        applicant_kind=case.applicant.kind,
        applicant_uscc=case.applicant.uscc,
        taken_in_by=case.taken_in_by.actor if case.taken_in_by else None,
        item_version=case.item.version,
        form=case.form,
        applicable_conditions=case.applicable_conditions,
        delivery=DeliveryView.model_validate(case.delivery.model_dump(exclude={"recipient_sealed"})),
        materials=case.materials,
        material_slots=case.item.materials,
        notice=case.notice,
        closing_reason=case.closing_reason,
        pending_steps=case.pending_steps,
        fulfilment=case.fulfilment,
        fee_total_fen=case.item.fee_total_fen,
        required_actions=required_actions(case),
        timeline=list(timeline),
    )


def _refuse_transition(case: Case, action: CaseAction) -> Conflict:
    return Conflict(
        TRANSITION_NOT_ALLOWED,
        params={
            "state": case.state.value,
            "state_name": STATE_NAMES[case.state],
            "action": action.value,
            "action_name": ACTION_NAMES[action],
        },
    )


def _check_version(case: Case, expected: int | None) -> None:
    if expected is not None and expected != case.version:
        raise Conflict(VERSION_MISMATCH, params={"current": case.version})


def _check_editable(case: Case) -> None:
    if case.state not in EDITABLE_STATES:
        raise Conflict(NOT_EDITABLE, params={"state": case.state.value, "state_name": STATE_NAMES[case.state]})


# --- outcomes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreReviewOutcome:
    case_id: str
    result: str  # "passed", "accepted", "supplement_required", "skipped"
    deficiencies: list[Deficiency] = field(default_factory=list)


@dataclass
class SweepResult:
    deemed_accepted: list[str] = field(default_factory=list)
    skipped: int = 0
    finished: bool = True


# --- the service --------------------------------------------------------------------------------


class CasesService:
    """Use cases of the cases context."""

    def __init__(
        self,
        repository: CasesRepository | None = None,
        catalog: CatalogService | None = None,
        store: MaterialStore | None = None,
    ) -> None:
        self.repository = repository or CasesRepository()
        self._catalog = catalog
        self._store = store

    @property
    def catalog(self) -> CatalogService:
        if self._catalog is None:
            from shared.catalog.service import CatalogService

            self._catalog = CatalogService()
        return self._catalog

    @property
    def store(self) -> MaterialStore:
        if self._store is None:
            self._store = material_store()
        return self._store

    # --- reading ---------------------------------------------------------------------------

    def _load(self, case_id: str) -> Case:
        case = self.repository.get(case_id)
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        return case

    def _readable(self, principal: Principal, case_id: str) -> Case:
        case = self._load(case_id)
        try:
            ensure_can_read(principal, case)
        except NotFound:
            raise NotFound(CASE_NOT_FOUND) from None
        return case

    def detail(self, principal: Principal, case_id: str) -> CaseDetail:
        """State, deadlines, required actions and the timeline: one GetItem, one Query."""
        case = self._readable(principal, case_id)
        return detail_of(case, self.repository.timeline(case_id))

    def verify_timeline(self, principal: Principal, case_id: str) -> TimelineVerification:
        case = self._readable(principal, case_id)
        return verify(case_id, self.repository.timeline(case_id), case.timeline_head)

    def my_cases(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[CaseSummary]:
        """The applicant's cases, newest first (an agent sees the enterprise's)."""
        require_role(principal, APPLICANT_ROLES)
        uscc = principal.acting_for if principal.role is Role.AGENT else None
        if principal.role is Role.AGENT and AGENT_CASES_SCOPE not in principal.scopes:
            raise Forbidden()
        page = self.repository.list_for_owner(principal.subject_id, uscc, limit=limit, cursor=cursor)
        return Page[CaseSummary](items=[summary_of(case) for case in page.items], next_cursor=page.next_cursor)

    def work_queue(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[WorkQueueEntry]:
        """The department's cases awaiting an intake decision, oldest first (受理工作台)."""
        staff = require_role(principal, Role.STAFF)
        if not staff.department_id or not staff.region_prefix:
            raise Forbidden()
        position = decode_cursor(cursor, must_match={"department_id": staff.department_id})
        after = str(position["after"]) if position and "after" in position else None
        page = self.repository.work_queue(staff.department_id, staff.region_prefix, limit=limit, after=after)
        entries = [
            WorkQueueEntry(
                case_id=case.case_id,
                case_number=case.case_number,
                state=case.state,
                state_name=STATE_NAMES[case.state],
                item_code=case.item.implementation_code,
                item_name=case.item.name,
                region_code=case.item.region_code,
                received_at=case.received_at or case.created_at,
                intake_due_on=case.intake_due_on,
                immediate=case.item.immediate,
                taken_in_by_hall=case.taken_in_by is not None,
            )
            for case in page.cases
        ]
        next_cursor = (
            encode_cursor({"department_id": staff.department_id, "after": page.next_after}) if page.next_after else None
        )
        return Page[WorkQueueEntry](items=entries, next_cursor=next_cursor)

    # --- drafting ----------------------------------------------------------------------------

    def _available_item(self, item_code: str) -> ItemDetail:
        """The published item, or 422 `case.item_not_available` (unknown or retired)."""
        params = {"item_code": item_code}
        problem = ValidationFailed(
            ITEM_NOT_AVAILABLE,
            params=params,
            errors=[FieldError(field="item_code", code=ITEM_NOT_AVAILABLE, params=params)],
        )
        try:
            item = self.catalog.get_item(item_code)
        except NotFound:
            raise problem from None
        if item.status != "published":
            raise problem
        return item

    def _new_case(
        self,
        item: ItemDetail,
        applicant: Applicant,
        delivery: Delivery,
        actor: Actor,
        taken_in_by: HallIntake | None,
    ) -> CaseDetail:
        problems = _delivery_errors(delivery)
        if problems:
            raise ValidationFailed(INVALID_DELIVERY, errors=problems)
        moment = _moment()
        day = _shanghai_day(moment)
        shard = pick_shard()
        # reserved before the case exists: a failed creation leaves a gap, never a duplicate
        number = format_case_number(
            item.region_code, day, shard, self.repository.next_sequence(item.region_code, day, shard)
        )
        case_id = new_id()
        choice = delivery_choice(case_id, delivery)
        entry = next_entry(
            case_id,
            previous_length=0,
            previous_hash="",
            at=moment,
            action=CaseAction.CREATE,
            from_state=None,
            to_state=CaseState.DRAFT,
            actor_role=actor.role,
            actor=actor.label,
            reason=None,
        )
        case = Case(
            case_id=case_id,
            case_number=number,
            version=1,
            state=CaseState.DRAFT,
            applicant=applicant,
            taken_in_by=taken_in_by,
            item=snapshot_of(item),
            delivery=choice,
            created_at=moment,
            updated_at=moment,
            timeline_length=1,
            timeline_head=entry.hash,
        )
        self.repository.create(case, entry)
        logger().info("case drafted", extra={"case_id": case_id, "item_code": item.implementation_code})
        return detail_of(case, [entry])

    def create_draft(self, principal: Principal, new: NewCase) -> CaseDetail:
        """Start an application (草稿): the item's guide is snapshotted, a case number reserved."""
        applicant_principal = require_role(principal, APPLICANT_ROLES)
        if applicant_principal.role is Role.AGENT and (
            not applicant_principal.acting_for or AGENT_CASES_SCOPE not in applicant_principal.scopes
        ):
            raise Forbidden()
        item = self._available_item(new.item_code)
        applicant = Applicant(
            subject_id=principal.subject_id,
            uscc=principal.acting_for if principal.role is Role.AGENT else None,
            kind=applicant_kind_of(principal),
        )
        return self._new_case(item, applicant, new.delivery, actor_of(principal), None)

    def take_in_at_hall(self, principal: Principal, request: HallIntakeRequest) -> CaseDetail:
        """同城通办: hall staff anywhere in the city take in a case for a city-level
        item on the applicant's behalf; it is routed to the implementing department."""
        staff = require_role(principal, Role.STAFF)
        item = self._available_item(request.item_code)
        same_city = bool(staff.region_code) and staff.region_code[:4] == item.region_code[:4]
        if item.exercise_level != CITY_LEVEL or not same_city:
            raise Forbidden(HALL_INTAKE_NOT_ALLOWED)
        applicant = Applicant(
            subject_id=request.applicant_subject_id,
            uscc=request.applicant_uscc,
            kind=applicant_kind_of_uscc(request.applicant_uscc) if request.applicant_uscc else "natural_person",
        )
        actor = actor_of(staff)
        hall = HallIntake(
            subject_id=staff.subject_id,
            department_id=staff.department_id,
            region_code=staff.region_code,
            actor=actor.label,
        )
        return self._new_case(item, applicant, request.delivery, actor, hall)

    def update_form(self, principal: Principal, case_id: str, update: FormUpdate) -> CaseDetail:
        """Save the application form (errors per field; missing fields may wait for submission)."""
        case = self._load(case_id)
        ensure_applicant_side(principal, case)
        _check_version(case, update.version)
        _check_editable(case)
        problems = form_errors(case.item.form_schema, update.form, partial=True)
        conditional = {slot.slot_id for slot in case.item.materials if slot.requirement == "conditional"}
        for index, slot_id in enumerate(update.applicable_conditions):
            if slot_id not in conditional:
                problems.append(
                    FieldError(
                        field=f"applicable_conditions.{index}", code=FIELD_NOT_CONDITIONAL, params={"slot_id": slot_id}
                    )
                )
        if update.delivery is not None:
            problems.extend(_delivery_errors(update.delivery))
        if problems:
            raise ValidationFailed(INVALID_FORM, errors=problems)
        delivery = delivery_choice(case_id, update.delivery) if update.delivery is not None else case.delivery
        changed = case.model_copy(
            update={
                "form": update.form,
                "applicable_conditions": sorted(set(update.applicable_conditions)),
                "delivery": delivery,
                "version": case.version + 1,
                "updated_at": _moment(),
            }
        )
        self.repository.save(changed, expected_version=case.version)
        return detail_of(changed, self.repository.timeline(case_id))

    def _slot(self, case: Case, slot_id: str, field_name: str) -> MaterialSlot:
        for slot in case.item.materials:
            if slot.slot_id == slot_id:
                return slot
        raise ValidationFailed(
            INVALID_MATERIAL,
            errors=[FieldError(field=field_name, code=FIELD_UNKNOWN_SLOT, params={"slot_id": slot_id})],
        )

    def request_upload(self, principal: Principal, case_id: str, request: UploadRequest) -> UploadTicket:
        """A presigned POST for one file of one material slot (no write until it is confirmed)."""
        case = self._load(case_id)
        ensure_applicant_side(principal, case)
        _check_editable(case)
        slot = self._slot(case, request.slot_id, "slot_id")
        if format_of(request.content_type, slot.accepted_formats) is None:
            accepted = ", ".join(slot.accepted_formats)
            raise ValidationFailed(
                INVALID_MATERIAL,
                errors=[
                    FieldError(field="content_type", code=FIELD_FORMAT_NOT_ACCEPTED, params={"accepted": accepted})
                ],
            )
        limit = slot.max_size_bytes or DEFAULT_MAX_MATERIAL_BYTES
        if request.size_bytes > limit:
            raise PayloadTooLarge(
                MATERIAL_TOO_LARGE,
                params={"limit": limit},
                errors=[FieldError(field="size_bytes", code=FIELD_SIZE_LIMIT, params={"limit": limit})],
            )
        if len(case.materials) >= MAX_MATERIALS_PER_CASE:
            raise Conflict(TOO_MANY_MATERIALS, params={"limit": MAX_MATERIALS_PER_CASE})
        material_id = new_id()
        ttl = settings().material_upload_ttl_s
        form = self.store.upload_form(
            case_id=case_id,
            material_id=material_id,
            slot_id=slot.slot_id,
            file_name=request.file_name,
            content_type=request.content_type.split(";", 1)[0].strip().lower(),
            size_bytes=request.size_bytes,
            sha256=request.sha256,
            expires_in_s=ttl,
        )
        return UploadTicket(
            material_id=material_id,
            slot_id=slot.slot_id,
            url=form.url,
            fields=form.fields,
            max_size_bytes=limit,
            expires_at=_moment() + dt.timedelta(seconds=ttl),
        )

    def confirm_material(self, principal: Principal, case_id: str, material_id: str) -> MaterialInfo:
        """Count an uploaded file: it exists, fits its slot's size and formats, its bytes
        look like its type and match the declared SHA-256. Then it is recorded."""
        case = self._load(case_id)
        ensure_applicant_side(principal, case)
        if any(m.material_id == material_id for m in case.materials):
            return MaterialInfo(case_id=case_id, version=case.version, materials=case.materials)
        _check_editable(case)
        stored = self.store.read_back(case_id, material_id, max_bytes=DEFAULT_MAX_MATERIAL_BYTES)
        if stored is None:
            raise Conflict(MATERIAL_NOT_UPLOADED)
        slot = self._slot(case, stored.slot_id, "slot_id")
        limit = slot.max_size_bytes or DEFAULT_MAX_MATERIAL_BYTES
        if stored.size_bytes > limit:
            raise PayloadTooLarge(
                MATERIAL_TOO_LARGE,
                params={"limit": limit},
                errors=[FieldError(field="size_bytes", code=FIELD_SIZE_LIMIT, params={"limit": limit})],
            )
        material_format = format_of(stored.content_type, slot.accepted_formats)
        problems: list[FieldError] = []
        if material_format is None:
            accepted = ", ".join(slot.accepted_formats)
            problems.append(
                FieldError(field="content_type", code=FIELD_FORMAT_NOT_ACCEPTED, params={"accepted": accepted})
            )
        elif not content_matches(stored.content_type, stored.head):
            problems.append(FieldError(field="file", code=FIELD_CONTENT_MISMATCH, params={"format": material_format}))
        if stored.sha256 is None or stored.sha256 != stored.declared_sha256:
            problems.append(FieldError(field="sha256", code=FIELD_CHECKSUM_MISMATCH))
        if problems or material_format is None:
            raise ValidationFailed(INVALID_MATERIAL, errors=problems)
        material = AttachedMaterial(
            material_id=material_id,
            slot_id=slot.slot_id,
            file_name=stored.file_name or material_id,
            content_type=stored.content_type,
            format=material_format,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256 or "",
            uploaded_at=_moment(),
        )
        changed = case.model_copy(
            update={"materials": [*case.materials, material], "version": case.version + 1, "updated_at": _moment()}
        )
        self.repository.save(changed, expected_version=case.version)
        return MaterialInfo(case_id=case_id, version=changed.version, materials=changed.materials)

    def remove_material(self, principal: Principal, case_id: str, material_id: str) -> MaterialInfo:
        """Take a file off the case (e.g. to replace it while supplementing)."""
        case = self._load(case_id)
        ensure_applicant_side(principal, case)
        _check_editable(case)
        remaining = [m for m in case.materials if m.material_id != material_id]
        if len(remaining) == len(case.materials):
            raise NotFound(MATERIAL_NOT_FOUND)
        changed = case.model_copy(update={"materials": remaining, "version": case.version + 1, "updated_at": _moment()})
        self.repository.save(changed, expected_version=case.version)
        return MaterialInfo(case_id=case_id, version=changed.version, materials=changed.materials)

    # --- transitions -------------------------------------------------------------------------

    def _entry(
        self,
        case: Case,
        action: CaseAction,
        target: CaseState,
        actor: Actor,
        reason: str | None,
        *,
        previous: TimelineEntry | None = None,
    ) -> TimelineEntry:
        return next_entry(
            case.case_id,
            previous_length=previous.seq if previous else case.timeline_length,
            previous_hash=previous.hash if previous else case.timeline_head,
            at=_moment(),
            action=action,
            from_state=previous.to_state if previous else case.state,
            to_state=target,
            actor_role=actor.role,
            actor=actor.label,
            reason=reason,
        )

    def _commit(
        self,
        before: Case,
        after: Case,
        entries: list[TimelineEntry],
        envelopes: list[Envelope],
        idempotency: IdempotencyRecord | None = None,
    ) -> Case:
        final = after.model_copy(
            update={
                "version": before.version + 1,
                "timeline_length": entries[-1].seq,
                "timeline_head": entries[-1].hash,
                "updated_at": entries[-1].at,
            }
        )
        self.repository.transition(
            final,
            expected_version=before.version,
            expected_state=before.state,
            entries=entries,
            events=envelopes,
            idempotency=idempotency,
        )
        logger().info(
            "case transition",
            extra={
                "case_id": final.case_id,
                "from_state": before.state.value,
                "to_state": final.state.value,
                "actions": [e.action.value for e in entries],
            },
        )
        return final

    def _target(self, case: Case, action: CaseAction) -> CaseState:
        try:
            return next_state(case.state, action)
        except TransitionNotAllowed:
            raise _refuse_transition(case, action) from None

    def submit(
        self,
        principal: Principal,
        case_id: str,
        request: SubmitRequest,
        *,
        idempotency_key: str | None,
        correlation_id: str | None,
        action: CaseAction = CaseAction.SUBMIT,
    ) -> Receipt:
        """申报 (or 补正提交 with `action=SUPPLEMENT`): reads the case and the item, then
        one transaction. With an Idempotency-Key the same key and body return the
        first receipt; the same key with another body is refused (409)."""
        case = self._load(case_id)
        ensure_applicant_side(principal, case)
        body_hash = payload_hash({"action": action.value, **request.model_dump(mode="json")})
        key_hash = (
            idempotency_hash(f"{SUBMISSION_SCOPE}:{principal.subject_id}", idempotency_key) if idempotency_key else None
        )
        if key_hash and (case.state, action) not in {
            (CaseState.DRAFT, CaseAction.SUBMIT),
            (CaseState.SUPPLEMENT_REQUIRED, CaseAction.SUPPLEMENT),
        }:
            earlier = self._earlier_answer(case_id, key_hash, body_hash)
            if earlier is not None:
                return earlier
        _check_version(case, request.version)
        target = self._target(case, action)
        item = self._available_item(case.item.implementation_code)
        moment = _moment()
        received_on = _shanghai_day(moment)
        intake_due = deadline(received_on, ART32_WORKING_DAYS).date
        submitted = case.model_copy(
            update={
                "state": target,
                "item": snapshot_of(item),
                "received_at": moment,
                "first_received_at": case.first_received_at or moment,
                "submission_round": case.submission_round + 1,
                "intake_due_on": intake_due,
            }
        )
        entry = self._entry(case, action, target, actor_of(principal), None)
        final_version = case.version + 1
        receipt = Receipt(
            case_id=case_id,
            case_number=case.case_number,
            state=target,
            version=final_version,
            received_at=moment,
            intake_due_on=intake_due,
        )
        facts = {**events.facts(submitted.model_copy(update={"version": final_version}))}
        envelope = events.envelope(
            events.SUBMITTED,
            submitted,
            events.SubmittedData(
                **facts, round=submitted.submission_round, received_at=moment, intake_due_on=intake_due
            ),
            correlation_id,
        )
        record = IdempotencyRecord(key_hash, body_hash, receipt.model_dump(mode="json")) if key_hash else None
        try:
            self._commit(case, submitted, [entry], [envelope], record)
        except Conflict:
            if key_hash:
                earlier = self._earlier_answer(case_id, key_hash, body_hash)
                if earlier is not None:
                    return earlier
            raise
        return receipt

    def _earlier_answer(self, case_id: str, key_hash: str, body_hash: str) -> Receipt | None:
        earlier = self.repository.get_idempotency(case_id, key_hash)
        if earlier is None:
            return None
        if earlier.payload_hash != body_hash:
            raise Conflict("idempotency_key_reused")
        return Receipt.model_validate(earlier.response)

    def withdraw(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """撤回申请: before a decision, by the applicant (or the hall staff who took it in)."""
        case = self._load(case_id)
        ensure_applicant_side(principal, case)
        _check_version(case, request.version)
        target = self._target(case, CaseAction.WITHDRAW)
        after = case.model_copy(update={"state": target, "closing_reason": request.reason, "intake_due_on": None})
        entry = self._entry(case, CaseAction.WITHDRAW, target, actor_of(principal), request.reason)
        envelope = self._closed_event(events.WITHDRAWN, after, case.version + 1, request.reason, correlation_id)
        final = self._commit(case, after, [entry], [envelope])
        return detail_of(final, self.repository.timeline(case_id))

    def _closed_event(
        self, event_type: str, case: Case, version: int, reason: str, correlation_id: str | None
    ) -> Envelope:
        facts = events.facts(case.model_copy(update={"version": version}))
        return events.envelope(event_type, case, events.ClosedData(**facts, reason=reason), correlation_id)

    def _accepted_event(
        self, case: Case, version: int, *, automatic: bool, reason: str | None, correlation_id: str | None
    ) -> Envelope:
        assert case.deadlines is not None
        facts = events.facts(case.model_copy(update={"version": version}))
        data = events.AcceptedData(**facts, deadlines=case.deadlines, automatic=automatic, reason=reason)
        return events.envelope(events.ACCEPTED, case, data, correlation_id)

    def accept(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """受理: the legal clock starts (promised and legal limits in working days)."""
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)
        target = self._target(case, CaseAction.ACCEPT)
        accepted = case.model_copy(
            update={"state": target, "deadlines": deadlines_from(case.item, today_in_shanghai(), deemed=False)}
        )
        entry = self._entry(case, CaseAction.ACCEPT, target, actor_of(principal), request.note)
        envelope = self._accepted_event(
            accepted, case.version + 1, automatic=False, reason=request.note, correlation_id=correlation_id
        )
        final = self._commit(case, accepted, [entry], [envelope])
        return detail_of(final, self.repository.timeline(case_id))

    def refuse(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """不予受理, with the reason the applicant is told."""
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)
        target = self._target(case, CaseAction.REFUSE)
        refused = case.model_copy(update={"state": target, "closing_reason": request.reason})
        entry = self._entry(case, CaseAction.REFUSE, target, actor_of(principal), request.reason)
        envelope = self._closed_event(
            events.REFUSED_AT_INTAKE, refused, case.version + 1, request.reason, correlation_id
        )
        final = self._commit(case, refused, [entry], [envelope])
        return detail_of(final, self.repository.timeline(case_id))

    def request_supplement(
        self, principal: Principal, case_id: str, request: StaffSupplementRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """Staff tell the applicant everything to supplement, in one notice (一次性告知)."""
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)
        items = [
            Deficiency(kind=DeficiencyKind.STAFF_NOTE, target=i.target, message=i.message, message_en=i.message)
            for i in request.items
        ]
        final = self._require_supplement(case, items, "staff", actor_of(principal), correlation_id)
        return detail_of(final, self.repository.timeline(case_id))

    def _require_supplement(
        self, case: Case, items: list[Deficiency], issued_by: str, actor: Actor, correlation_id: str | None
    ) -> Case:
        target = self._target(case, CaseAction.REQUIRE_SUPPLEMENT)
        notice = SupplementNotice(notice_id=new_id(), issued_at=_moment(), issued_by=issued_by, items=items)
        after = case.model_copy(
            update={
                "state": target,
                "notice": notice,
                "notices_issued": case.notices_issued + 1,
                # told in time: the Art. 32 clock stops until the applicant supplements
                "intake_due_on": None,
            }
        )
        reason = f"一次性告知补正 {len(items)} 项"
        entry = self._entry(case, CaseAction.REQUIRE_SUPPLEMENT, target, actor, reason)
        facts = events.facts(after.model_copy(update={"version": case.version + 1}))
        data = events.SupplementRequiredData(**facts, notice_id=notice.notice_id, issued_by=issued_by, items=items)
        envelope = events.envelope(events.SUPPLEMENT_REQUIRED, after, data, correlation_id)
        return self._commit(case, after, [entry], [envelope])

    # --- system ---------------------------------------------------------------------------------

    def pre_review(self, case_id: str, submitted_version: int, *, correlation_id: str | None) -> PreReviewOutcome:
        """自动预审 of one submission. Idempotent without a store: a case no longer in
        the state and version the event describes was handled already (or changed
        since), so a redelivered or stale event is skipped."""
        case = self.repository.get(case_id)
        if case is None:
            raise LookupError(f"case {case_id} does not exist")
        if case.state is not CaseState.SUBMITTED or case.version != submitted_version:
            return PreReviewOutcome(case_id, "skipped")
        from shared.cases.licence_materials import licence_results  # e-licences standing in for materials (C15)

        found = deficiencies(case, licence_results(case))
        try:
            if found:
                self._require_supplement(case, found, "pre_review", SYSTEM_PRE_REVIEW, correlation_id)
                return PreReviewOutcome(case_id, "supplement_required", found)
            return self._pass_pre_review(case, correlation_id)
        except Conflict as exc:
            if exc.code != CHANGED_CONCURRENTLY:
                raise
            current = self.repository.get(case_id)
            if current is not None and (
                current.state is not CaseState.SUBMITTED or current.version != submitted_version
            ):
                return PreReviewOutcome(case_id, "skipped")
            raise

    def _pass_pre_review(self, case: Case, correlation_id: str | None) -> PreReviewOutcome:
        passed_state = self._target(case, CaseAction.PASS_PRE_REVIEW)
        passed = case.model_copy(update={"state": passed_state})
        first = self._entry(case, CaseAction.PASS_PRE_REVIEW, passed_state, SYSTEM_PRE_REVIEW, None)
        version = case.version + 1
        facts = events.facts(passed.model_copy(update={"version": version}))
        envelopes = [
            events.envelope(
                events.PRE_REVIEW_PASSED,
                passed,
                events.PreReviewPassedData(**facts, immediate=case.item.immediate),
                correlation_id,
            )
        ]
        if steps.fee_due_before_acceptance(case) and not steps.fee_paid(case):
            # fees paid before acceptance (e.g. 证件费): the order is opened now; acceptance waits for it
            envelopes.append(steps.fee_due_event(passed, version, steps.BEFORE_ACCEPTANCE, correlation_id))
        entries = [first]
        after = passed
        result = "passed"
        if case.item.immediate:
            # 即办件: accepted at once; both transitions commit together
            accepted_state = next_state(passed_state, CaseAction.ACCEPT)
            reason = "即办件预审通过，自动受理"
            after = passed.model_copy(
                update={
                    "state": accepted_state,
                    "deadlines": deadlines_from(case.item, today_in_shanghai(), deemed=False),
                }
            )
            entries.append(
                self._entry(passed, CaseAction.ACCEPT, accepted_state, SYSTEM_PRE_REVIEW, reason, previous=first)
            )
            envelopes.append(
                self._accepted_event(after, version, automatic=True, reason=reason, correlation_id=correlation_id)
            )
            result = "accepted"
        self._commit(case, after, entries, envelopes)
        return PreReviewOutcome(case.case_id, result)

    def deem_accepted_when_due(
        self, today: dt.date, *, correlation_id: str | None, keep_going: Callable[[], bool] = lambda: True
    ) -> SweepResult:
        """行政许可法 第32条: a case whose intake decision is still pending after the 5th
        working day from receipt counts as accepted from receipt. Reads the Art. 32
        index shard by shard (never a Scan); a case changed meanwhile is skipped."""
        result = SweepResult()
        for shard in range(DUE_SHARDS):
            for case in self.repository.due_for_deemed_acceptance(today, shard):
                if not keep_going():
                    result.finished = False
                    return result
                if case.state not in AWAITING_INTAKE or case.intake_due_on is None or case.received_at is None:
                    result.skipped += 1
                    continue
                try:
                    self._deem_accepted(case, correlation_id)
                    result.deemed_accepted.append(case.case_id)
                except (Conflict, AppError) as exc:
                    logger().info(
                        "deemed acceptance skipped", extra={"case_id": case.case_id, "code": getattr(exc, "code", "")}
                    )
                    result.skipped += 1
        return result

    def _deem_accepted(self, case: Case, correlation_id: str | None) -> None:
        assert case.received_at is not None
        assert case.intake_due_on is not None
        target = self._target(case, CaseAction.DEEM_ACCEPTED)
        received_on = _shanghai_day(case.received_at)
        reason = (
            f"自 {received_on.isoformat()} 收到申请材料起 {ART32_WORKING_DAYS} 个工作日内（至 "
            f"{case.intake_due_on.isoformat()}）未作出受理、不予受理或补正告知，依据《中华人民共和国行政许可法》"
            "第三十二条，自收到申请材料之日起视为受理"
        )
        tasks = joint_tasks_for(case.item, received_on, working_calendar(range(received_on.year, received_on.year + 2)))
        accepted = case.model_copy(
            update={
                "state": target,
                "deadlines": deadlines_from(case.item, received_on, deemed=True),
                "joint_tasks": tasks,
            }
        )
        entry = self._entry(case, CaseAction.DEEM_ACCEPTED, target, SYSTEM_ART32_SWEEP, reason)
        envelope = self._accepted_event(
            accepted, case.version + 1, automatic=True, reason=reason, correlation_id=correlation_id
        )
        self._commit(case, accepted, [entry], [envelope])


@cache
def cases_service() -> CasesService:
    return CasesService()


def clear_caches() -> None:
    """Forget cached collaborators (tests switching environments)."""
    cases_service.cache_clear()
    material_store.cache_clear()
    from shared.cases.review import review_service

    review_service.cache_clear()
