"""The cases context's façade: one object whose methods are the context's use
cases, composed (never inherited) from small modules over one case ledger:

- `application` — drafting, hall intake, form, materials, submit, withdraw;
- `intake` — work queue, accept (one, with the fee and joint-task rules),
  refuse, supplement notice, pre-review, Art. 32 deemed acceptance;
- `review` — review, the clock, extensions, joint opinions, decision, 办结;
- `fulfilment` — steps done by other contexts (payment, licence, delivery);

over `ledger` (load, target, entry, commit), `policy` (who may do what) and
`views` (what a caller sees). No boto3 here: the table is `CasesRepository`
behind the ledger, the bucket `MaterialStore`; other contexts are reached
through `ports` wired at the entry points.

Each use-case module is imported by the first call that needs it (D-317): a
request loads only its own (reading a case loads none of them), and the case
events with the first write. A function whose every invocation runs the same
use case imports it at cold start with `preload(...)`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Literal

from shared.cases.ledger import CaseLedger
from shared.cases.models import CaseDetail, CaseForDelivery, CaseSummary, TimelineVerification
from shared.cases.policy import ensure_can_read
from shared.cases.repository import CasesRepository
from shared.cases.states import CaseAction
from shared.cases.storage import MaterialStore, material_store
from shared.cases.timeline import verify
from shared.cases.views import detail_for, summary_of

if TYPE_CHECKING:
    from shared.cases.application import Application
    from shared.cases.fulfilment import Fulfilment, StepOutcome
    from shared.cases.intake import Intake, PreReviewOutcome, SweepResult
    from shared.cases.material_reuse import MaterialReuse
    from shared.cases.models import (
        AcceptRequest,
        DecideRequest,
        ExtensionRequestEntry,
        FulfilmentStep,
        JointTaskEntry,
        ReasonRequest,
        Receipt,
        WorkQueueEntry,
    )
    from shared.cases.review import Review
    from shared.cases.shapes import (
        ConfirmRequest,
        ExtendRequest,
        FormUpdate,
        HallIntakeRequest,
        LicenceMaterialRequest,
        MaterialInfo,
        NewCase,
        RenewalRequest,
        ReusableMaterials,
        ReuseRequest,
        StaffSupplementRequest,
        SubmitRequest,
        SuspendRequest,
        TaskOpinionRequest,
        UploadRequest,
        UploadsRequest,
        UploadTicket,
        UploadTickets,
    )
    from shared.platform.pagination import Page
    from shared.platform.principal import Principal
    from shared.scenes.events import SceneSubmittedData

UseCase = Literal["application", "material_reuse", "intake", "review", "fulfilment"]


def preload(*use_cases: UseCase) -> None:
    """Import at cold start the use-case modules a function needs for EVERY invocation (a worker
    with one job): the façade otherwise loads each on its first use (D-317)."""
    for name in use_cases:
        importlib.import_module(f"shared.cases.{name}")


class CasesService:
    """Every use case of the cases context, each delegated to its module."""

    def __init__(self, repository: CasesRepository | None = None, store: MaterialStore | None = None) -> None:
        self.ledger = CaseLedger(repository, store)

    @property
    def repository(self) -> CasesRepository:
        return self.ledger.repository

    @property
    def store(self) -> MaterialStore:
        return self.ledger.store

    @property
    def application(self) -> Application:
        from shared.cases.application import Application  # on first use (D-317)

        return Application(self.ledger)

    @property
    def material_reuse(self) -> MaterialReuse:
        from shared.cases.material_reuse import MaterialReuse  # on first use (D-317)

        return MaterialReuse(self.ledger)

    @property
    def intake(self) -> Intake:
        from shared.cases.intake import Intake  # on first use (D-317)

        return Intake(self.ledger)

    @property
    def review(self) -> Review:
        from shared.cases.review import Review  # on first use (D-317)

        return Review(self.ledger)

    @property
    def fulfilment(self) -> Fulfilment:
        from shared.cases.fulfilment import Fulfilment  # on first use (D-317)

        return Fulfilment(self.ledger)

    # --- reading ------------------------------------------------------------------------------

    def detail(self, principal: Principal, case_id: str) -> CaseDetail:
        """State, deadlines, required actions and the timeline: one GetItem, one Query."""
        case = self.ledger.load(case_id)
        ensure_can_read(principal, case)
        return detail_for(principal, case, self.ledger.timeline(case_id), self.store)

    def summary(self, principal: Principal, case_id: str) -> CaseSummary:
        """The case's summary for anyone who may read it (one GetItem; no timeline, no links)."""
        case = self.ledger.load(case_id)
        ensure_can_read(principal, case)
        return summary_of(case)

    def for_delivery(self, principal: Principal, case_id: str) -> CaseForDelivery:
        """The delivery context's view (its `cases` port): the summary and the applicant."""
        case = self.ledger.load(case_id)
        ensure_can_read(principal, case)
        return CaseForDelivery(
            **summary_of(case).model_dump(),
            applicant_subject_id=case.applicant.subject_id,
            applicant_uscc=case.applicant.uscc,
        )

    def verify_timeline(self, principal: Principal, case_id: str) -> TimelineVerification:
        case = self.ledger.load(case_id)
        ensure_can_read(principal, case)
        return verify(case_id, self.ledger.timeline(case_id), case.timeline_head)

    def my_cases(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[CaseSummary]:
        return self.application.my_cases(principal, limit=limit, cursor=cursor)

    def work_queue(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[WorkQueueEntry]:
        return self.intake.work_queue(principal, limit=limit, cursor=cursor)

    def joint_tasks(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[JointTaskEntry]:
        return self.review.joint_tasks(principal, limit=limit, cursor=cursor)

    def extension_requests(
        self, principal: Principal, *, limit: int, cursor: str | None
    ) -> Page[ExtensionRequestEntry]:
        return self.review.extension_requests(principal, limit=limit, cursor=cursor)

    # --- the applicant's side -----------------------------------------------------------------

    def create_draft(self, principal: Principal, new: NewCase) -> CaseDetail:
        return self.application.create_draft(principal, new)

    def take_in_at_hall(
        self, principal: Principal, request: HallIntakeRequest, *, correlation_id: str | None = None
    ) -> CaseDetail:
        return self.application.take_in_at_hall(principal, request, correlation_id=correlation_id)

    def start_renewal(self, principal: Principal, request: RenewalRequest) -> CaseDetail:
        """延续 (Art. 50): a draft renewal case for the caller's licence, prefilled (shared.cases.renewal)."""
        from shared.cases.renewal import start_renewal  # on first use (D-317)

        return self.detail(principal, start_renewal(self.application, principal, request))

    def update_form(self, principal: Principal, case_id: str, update: FormUpdate) -> CaseDetail:
        return self.application.update_form(principal, case_id, update)

    def request_upload(self, principal: Principal, case_id: str, request: UploadRequest) -> UploadTicket:
        return self.application.request_upload(principal, case_id, request)

    def request_uploads(self, principal: Principal, case_id: str, request: UploadsRequest) -> UploadTickets:
        return self.application.request_uploads(principal, case_id, request)

    def confirm_material(self, principal: Principal, case_id: str, material_id: str) -> MaterialInfo:
        return self.application.confirm_material(principal, case_id, material_id)

    def confirm_materials(self, principal: Principal, case_id: str, request: ConfirmRequest) -> MaterialInfo:
        return self.application.confirm_materials(principal, case_id, request)

    def remove_material(self, principal: Principal, case_id: str, material_id: str) -> MaterialInfo:
        return self.application.remove_material(principal, case_id, material_id)

    def attach_licence(self, principal: Principal, case_id: str, request: LicenceMaterialRequest) -> MaterialInfo:
        return self.application.attach_licence(principal, case_id, request)

    def reusable_materials(self, principal: Principal, case_id: str) -> ReusableMaterials:
        return self.material_reuse.reusable_materials(principal, case_id)

    def reuse_material(
        self, principal: Principal, case_id: str, request: ReuseRequest, *, correlation_id: str | None
    ) -> MaterialInfo:
        return self.material_reuse.reuse_material(principal, case_id, request, correlation_id=correlation_id)

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
        return self.application.submit(
            principal, case_id, request, idempotency_key=idempotency_key, correlation_id=correlation_id, action=action
        )

    def withdraw(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.application.withdraw(principal, case_id, request, correlation_id=correlation_id)

    # --- intake -------------------------------------------------------------------------------

    def accept(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.intake.accept(principal, case_id, request, correlation_id=correlation_id)

    def refuse(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.intake.refuse(principal, case_id, request, correlation_id=correlation_id)

    def request_supplement(
        self, principal: Principal, case_id: str, request: StaffSupplementRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.intake.request_supplement(principal, case_id, request, correlation_id=correlation_id)

    def pre_review(self, case_id: str, submitted_version: int, *, correlation_id: str | None) -> PreReviewOutcome:
        return self.intake.pre_review(case_id, submitted_version, correlation_id=correlation_id)

    def deem_accepted_when_due(
        self, today: dt.date, *, correlation_id: str | None, keep_going: Callable[[], bool] = lambda: True
    ) -> SweepResult:
        return self.intake.deem_accepted_when_due(today, correlation_id=correlation_id, keep_going=keep_going)

    # --- review and decision ------------------------------------------------------------------

    def start_review(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.start_review(principal, case_id, request, correlation_id=correlation_id)

    def suspend(
        self, principal: Principal, case_id: str, request: SuspendRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.suspend(principal, case_id, request, correlation_id=correlation_id)

    def resume(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.resume(principal, case_id, request, correlation_id=correlation_id)

    def request_extension(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.request_extension(principal, case_id, request, correlation_id=correlation_id)

    def extend(
        self, principal: Principal, case_id: str, request: ExtendRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.extend(principal, case_id, request, correlation_id=correlation_id)

    def reject_extension(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.reject_extension(principal, case_id, request, correlation_id=correlation_id)

    def task_opinion(
        self, principal: Principal, case_id: str, request: TaskOpinionRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.task_opinion(principal, case_id, request, correlation_id=correlation_id)

    def decide(
        self, principal: Principal, case_id: str, request: DecideRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.decide(principal, case_id, request, correlation_id=correlation_id)

    def complete(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        return self.review.complete(principal, case_id, request, correlation_id=correlation_id)

    def open_scene_cases(self, data: SceneSubmittedData, *, correlation_id: str | None) -> int:
        """一件事: open (or finish opening) one case per item of a submitted scene application."""
        from shared.cases.scene_cases import open_scene_cases  # on first use (D-317)

        return open_scene_cases(self.application, data, correlation_id=correlation_id)

    # --- after the decision ---------------------------------------------------

    def step_done(
        self,
        case_id: str,
        step: FulfilmentStep,
        reference: str,
        *,
        note: str | None = None,
        correlation_id: str | None,
    ) -> StepOutcome:
        return self.fulfilment.step_done(case_id, step, reference, note=note, correlation_id=correlation_id)

    def paper_arrived(self, case_id: str, shipment_id: str, what: str, *, correlation_id: str | None) -> StepOutcome:
        return self.fulfilment.paper_arrived(case_id, shipment_id, what, correlation_id=correlation_id)


@cache
def cases_service() -> CasesService:
    return CasesService()


def clear_caches() -> None:
    """Forget cached collaborators (tests switching environments)."""
    cases_service.cache_clear()
    material_store.cache_clear()
