"""Demo cases (本地演示办件) for the README walk-through, made through the cases
service itself: the transition table, the timeline, the outbox events and the
indexes are exactly what a real case has.

- `overdue`: 玄武区 最低生活保障金给付 for 李娜, accepted by xuanwu.civil.liu about
  70 days ago, so its promised and legal limits have passed: firing
  SupervisionSweepFunction raises red warnings the Nanjing supervisor sees.
- `joint_waiting`: 江宁区 开办餐饮店联合审批 (并联审批) for 张伟, submitted and
  pre-reviewed: in jiangning.market.chen's work queue, to accept; acceptance
  opens the parallel tasks of police and housing.
- `joint_suspended`: the same joint item for 李娜, accepted by
  jiangning.market.chen six working days ago and suspended that day (expert
  review): resuming it moves every deadline by the working days suspended.

Steps in the past run under `frozen_at` (the platform's one clock). `load(env)`
is called by `infra.seed.load_all` after the catalogue and identity demo data.
It is idempotent: a demo case is found again by its applicant and item (one
Query of the applicant's cases), and only the steps it has not taken yet are
taken; a second load changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from infra.seed.environment import seeding_environment
from infra.seed.identity.people import (
    CITIZEN_A,
    CITIZEN_B,
    JIANGNING_MARKET,
    STAFF_IN_SCOPE,
    DemoCitizen,
    DemoWorker,
)
from infra.seed.items import new_item_bodies
from shared.cases.models import AcceptRequest, Case, SuspensionKind
from shared.cases.ports import wire as wire_cases
from shared.cases.service import CasesService
from shared.cases.shapes import FormUpdate, NewCase, SubmitRequest, SuspendRequest, UploadRequest
from shared.cases.states import CaseState
from shared.catalog.service import CatalogService
from shared.identity.applicants import ApplicantVerifier
from shared.identity.protection import HashPurpose
from shared.identity.service import IdentityService, identity_service
from shared.platform.aws import reset_clients, s3
from shared.platform.clock import SHANGHAI, frozen_at, today_in_shanghai
from shared.platform.config import reset_settings
from shared.platform.principal import Principal, Role
from shared.workdays.rules import Calendar
from shared.workdays.service import calendar as working_calendar

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

OVERDUE_CALENDAR_DAYS = 70
"""Far enough back that 30 working days (and the promised 20) have passed, holidays included."""
SUSPENDED_WORKING_DAYS = 6
"""How long ago the suspended demo case stopped its clock: resuming moves its deadlines by this much."""


@dataclass(frozen=True)
class DemoCase:
    key: str
    applicant: DemoCitizen
    item_name: str
    region_code: str
    form: dict[str, Any]
    slots: tuple[str, ...]
    staff: DemoWorker | None = None  # accepts it (None: it waits in the work queue)
    suspend_reason: str | None = None


def _person_form(citizen: DemoCitizen) -> dict[str, Any]:
    # name and ID number are bound to the verified identity (x-identity): prefilled, never typed
    return {
        "phone": citizen.phone,
        "delivery": {"method": "electronic"},
    }


OVERDUE = DemoCase(
    "overdue",
    CITIZEN_B,
    "最低生活保障金给付",
    "320102",
    {**_person_form(CITIZEN_B), "household_size": 2, "monthly_income_fen": 120000},
    ("id_card", "household_register", "income_declaration"),
    staff=STAFF_IN_SCOPE,
)
JOINT_WAITING = DemoCase(
    "joint_waiting",
    CITIZEN_A,
    "开办餐饮店联合审批",
    "320115",
    {**_person_form(CITIZEN_A), "premises_address": "南京市江宁区天元中路 1 号（演示）"},
    ("id_card", "premises_plan"),
)
JOINT_SUSPENDED = DemoCase(
    "joint_suspended",
    CITIZEN_B,
    "开办餐饮店联合审批",
    "320115",
    {**_person_form(CITIZEN_B), "premises_address": "南京市江宁区双龙大道 8 号（演示）"},
    ("id_card", "premises_plan"),
    staff=JIANGNING_MARKET,
    suspend_reason="组织专家对经营场所排烟与消防方案进行评审",
)
DEMO_CASES = (OVERDUE, JOINT_WAITING, JOINT_SUSPENDED)


def load(env: dict[str, str]) -> dict[str, int]:
    """Load the demo cases into the tables named by `env`; returns counts per kind."""
    with seeding_environment(env, forget=_forget_cached):
        return load_cases(CasesService(), identity_service())


def load_cases(service: CasesService, identity: IdentityService) -> dict[str, int]:
    """The same, through already configured services (tests pass theirs)."""
    verifier = ApplicantVerifier(
        identity.repository, identity.hasher, identity.sealer, identity.population, identity.enterprises
    )
    # the seed is its own entry point
    wire_cases(items=lambda code: CatalogService().get_item(code), identity=lambda: verifier)
    codes = {(str(b["name"]), str(b["region_code"])): str(b["implementation_code"]) for b in new_item_bodies()}
    today = today_in_shanghai()
    calendar = working_calendar(range(today.year - 1, today.year + 2))
    created = existing = 0
    for demo in DEMO_CASES:
        applicant = Principal(subject_id=_citizen_subject(identity, demo.applicant), role=Role.CITIZEN)
        item_code = codes[(demo.item_name, demo.region_code)]
        found = _existing(service, applicant, item_code)
        if found is None:
            created += 1
        else:
            existing += 1
        _drive(service, identity, demo, applicant, item_code, found, _started_on(demo, today, calendar))
    return {"demo_cases_created": created, "demo_cases_existing": existing}


def _started_on(demo: DemoCase, today: dt.date, calendar: Calendar) -> dt.date:
    """The working day the demo case was submitted and accepted."""
    if demo.suspend_reason is not None:
        # Resuming today moves the deadlines by the working days in (suspended day, today]: walk back
        # until that span holds exactly SUSPENDED_WORKING_DAYS, then to a working day (staff suspend on
        # one), so the timeline reads "顺延 6 个工作日" on a Sunday or a holiday as on a Tuesday.
        day, counted = today, 0
        while counted < SUSPENDED_WORKING_DAYS:
            counted += calendar.is_workday(day)
            day -= dt.timedelta(days=1)
        while not calendar.is_workday(day):
            day -= dt.timedelta(days=1)
        return day
    if demo.staff is not None:
        day = today - dt.timedelta(days=OVERDUE_CALENDAR_DAYS)
        while not calendar.is_workday(day):
            day -= dt.timedelta(days=1)
        return day
    return today


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _existing(service: CasesService, applicant: Principal, item_code: str) -> Case | None:
    page = service.repository.list_for_owner(applicant.subject_id, None, limit=100, cursor=None)
    return next((case for case in page.items if case.item.implementation_code == item_code), None)


def _drive(
    service: CasesService,
    identity: IdentityService,
    demo: DemoCase,
    applicant: Principal,
    item_code: str,
    case: Case | None,
    day: dt.date,
) -> None:
    """Take the demo case from wherever it is to where the demo needs it."""
    past = day < today_in_shanghai()
    with frozen_at(_at(day, 9)) if past else nullcontext():
        if case is None:
            case_id = service.create_draft(applicant, NewCase(item_code=item_code)).case_id
            case = _reload(service, case_id)
        if case.state is CaseState.DRAFT:
            if not case.form:
                service.update_form(applicant, case.case_id, FormUpdate(form=demo.form))
            attached = {m.slot_id for m in _reload(service, case.case_id).materials}
            for slot in demo.slots:
                if slot not in attached:
                    _attach(service, applicant, case.case_id, slot)
            service.submit(
                applicant, case.case_id, SubmitRequest(), idempotency_key=f"seed-{demo.key}", correlation_id="seed"
            )
            case = _reload(service, case.case_id)
        if case.state is CaseState.SUBMITTED:
            service.pre_review(case.case_id, case.version, correlation_id="seed")
            case = _reload(service, case.case_id)
    if demo.staff is None:
        return
    staff = _staff(identity, demo.staff)
    with frozen_at(_at(day, 10)) if past else nullcontext():
        if case.state is CaseState.PRE_REVIEW_PASSED:
            service.accept(staff, case.case_id, AcceptRequest(note="材料齐全，予以受理"), correlation_id="seed")
            case = _reload(service, case.case_id)
        if demo.suspend_reason is not None and case.state in {CaseState.ACCEPTED, CaseState.IN_REVIEW}:
            request = SuspendRequest(
                kind=SuspensionKind.EXPERT_REVIEW, reason=demo.suspend_reason, expected_working_days=10
            )
            service.suspend(staff, case.case_id, request, correlation_id="seed")


def _reload(service: CasesService, case_id: str) -> Case:
    case = service.repository.get(case_id)
    assert case is not None
    return case


@cache
def demo_material() -> bytes:
    """A real one-page PDF (the platform's PDF library) standing in for every scanned material."""
    from shared.platform import pdf

    def draw(canvas: Canvas) -> None:
        pdf.title(canvas, "演示材料", 20)
        pdf.text_lines(canvas, ["本地演示数据，非真实材料。", "Local demo data, not a real document."], top=700)

    return pdf.canvas_document(draw, title="演示材料（本地演示数据）").body


def _attach(service: CasesService, applicant: Principal, case_id: str, slot_id: str) -> None:
    """The applicant's three steps: an upload form, the upload (straight to the bucket, as
    the presigned POST would store it) and the confirmation that reads it back."""
    material = demo_material()
    ticket = service.request_upload(
        applicant,
        case_id,
        UploadRequest(
            slot_id=slot_id,
            file_name=f"{slot_id}.pdf",
            content_type="application/pdf",
            size_bytes=len(material),
            sha256=hashlib.sha256(material).hexdigest(),
        ),
    )
    fields = ticket.fields
    s3().put_object(
        Bucket=service.store.bucket,
        Key=fields["key"],
        Body=material,
        ContentType=fields["Content-Type"],
        Metadata={
            "slot-id": fields["x-amz-meta-slot-id"],
            "file-name": fields["x-amz-meta-file-name"],
            "sha256": fields["x-amz-meta-sha256"],
        },
    )
    service.confirm_material(applicant, case_id, ticket.material_id)


def _citizen_subject(identity: IdentityService, citizen: DemoCitizen) -> str:
    id_hash = identity.hasher.digest(HashPurpose.ID_NUMBER, citizen.person.id_number)
    subject = identity.repository.subject_for_id_number(id_hash)
    if subject is None:
        raise LookupError(f"demo citizen {citizen.label} is not seeded (load the identity demo data first)")
    return subject


def _staff(identity: IdentityService, worker: DemoWorker) -> Principal:
    subject = identity.repository.subject_for_login(worker.login)
    if subject is None:
        raise LookupError(f"demo account {worker.login} is not seeded (load the identity demo data first)")
    return Principal(
        subject_id=subject,
        role=worker.role,
        department_id=worker.department_id or "",
        region_code=worker.region_code,
    )


def _forget_cached() -> None:
    from shared.cases.service import clear_caches as forget_cases
    from shared.identity.service import clear_caches as forget_identity
    from shared.workdays import repository as workdays_repository

    reset_settings()
    reset_clients()
    forget_identity()
    forget_cases()
    workdays_repository.clear_cache()
