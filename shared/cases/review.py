"""Review, decision and the legal clock (C14 decide, C17) and joint approval:
start the review, suspend and resume the clock (Art. 45), request and approve
an extension (Art. 42), a co-department's task opinion, the decision with its
document, and 办结 when no step is left. Who may act: `policy`; every change
of state through the case ledger; an approval starts its first fulfilment
step in the same transaction (`fulfilment.begin`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.cases import clock, events
from shared.cases.deadlines import calendar_for
from shared.cases.errors import (
    CLOCK_ALREADY_EXTENDED,
    CLOCK_ALREADY_SUSPENDED,
    CLOCK_DATE_BEFORE_START,
    CLOCK_NOT_STARTED,
    CLOCK_NOT_SUSPENDED,
    EXTENSION_ALREADY_REQUESTED,
    EXTENSION_NOT_REQUESTED,
    EXTENSION_SELF_APPROVAL,
    JOINT_TASKS_OPEN,
    NOT_A_JOINT_CASE,
    NOT_IN_A_DEPARTMENT,
    TASK_ALREADY_DECIDED,
    TASK_NOT_YOURS,
)
from shared.cases.fulfilment import begin
from shared.cases.ledger import CaseLedger, check_version, moment, refuse_transition, shanghai_day
from shared.cases.models import (
    AcceptRequest,
    Case,
    CaseDetail,
    Deadlines,
    DecideRequest,
    Decision,
    DecisionDocument,
    DecisionOutcome,
    ExtensionRequestEntry,
    JointTaskEntry,
    PendingExtension,
    ReasonRequest,
    TaskState,
)
from shared.cases.policy import actor_of, ensure_department_side, ensure_non_applicant, ensure_supervisor_of, task_of
from shared.cases.repository import city_prefixes
from shared.cases.states import FULFILMENT_STATES, STATE_NAMES, CaseAction
from shared.cases.storage import decision_key
from shared.cases.views import detail_for
from shared.platform.clock import today_in_shanghai
from shared.platform.errors import Conflict, Forbidden
from shared.platform.ids import new_id
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import Principal, Role, within_region

if TYPE_CHECKING:
    from shared.cases.shapes import ExtendRequest, SuspendRequest, TaskOpinionRequest

_CLOCK_ERRORS = {
    clock.ALREADY_SUSPENDED: CLOCK_ALREADY_SUSPENDED,
    clock.NOT_SUSPENDED: CLOCK_NOT_SUSPENDED,
    clock.ALREADY_EXTENDED: CLOCK_ALREADY_EXTENDED,
    clock.BEFORE_START: CLOCK_DATE_BEFORE_START,
}


def _clock_conflict(error: clock.ClockError) -> Conflict:
    return Conflict(_CLOCK_ERRORS.get(error.code, error.code))


def _cities_within(prefix: str) -> list[str]:
    """The warnings / extension-request city partitions a region prefix covers."""
    return [c for c in city_prefixes() if c.startswith(prefix[:4]) or (len(prefix) < 4 and c.startswith(prefix))]


def _plain_event(event_type: str, correlation_id: str | None) -> Callable[[Case, int], events.Envelope]:
    """The event of a transition that carries only the case's common facts."""

    def event(after: Case, version: int) -> events.Envelope:
        facts = events.CaseFacts.model_validate(events.facts(after.model_copy(update={"version": version})))
        return events.envelope(event_type, after, facts, correlation_id)

    return event


class Review:
    """Use cases after acceptance, up to the decision and 办结."""

    def __init__(self, ledger: CaseLedger) -> None:
        self.ledger = ledger

    def _after(self, principal: Principal, final: Case) -> CaseDetail:
        return detail_for(principal, final, self.ledger.timeline(final.case_id), self.ledger.store)

    def _simple(
        self,
        principal: Principal,
        case: Case,
        action: CaseAction,
        reason: str | None,
        update: dict[str, object],
        envelope_for: Callable[[Case, int], events.Envelope] | None,
    ) -> Case:
        target = self.ledger.target(case, action)
        if case.handler_subject_id is None and principal.role is Role.STAFF:
            update = {**update, "handler_subject_id": principal.subject_id}
        after = case.model_copy(update={"state": target, **update})
        entry = self.ledger.entry(case, action, target, actor_of(principal), reason)
        envelopes = [envelope_for(after, case.version + 1)] if envelope_for else []
        return self.ledger.commit(case, after, [entry], envelopes)

    def start_review(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)

        event = _plain_event(events.REVIEW_STARTED, correlation_id)
        final = self._simple(principal, case, CaseAction.START_REVIEW, request.note, {}, event)
        return self._after(principal, final)

    def _clock_event(
        self,
        event_type: str,
        correlation_id: str | None,
        *,
        reason: str | None,
        expected: int | None = None,
        moved: int | None = None,
    ) -> Callable[[Case, int], events.Envelope]:
        def make(after: Case, version: int) -> events.Envelope:
            assert after.deadlines is not None
            facts = events.facts(after.model_copy(update={"version": version}))
            data = events.ClockData(
                **facts,
                deadlines=after.deadlines,
                reason=reason,
                expected_working_days=expected,
                moved_by_working_days=moved,
            )
            return events.envelope(event_type, after, data, correlation_id)

        return make

    def _running_clock(self, case: Case) -> Deadlines:
        if case.deadlines is None:
            raise Conflict(CLOCK_NOT_STARTED)
        return case.deadlines

    def suspend(
        self, principal: Principal, case_id: str, request: SuspendRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """中止计时 (Art. 45): the clock stops; the applicant is told why and for how long."""
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)
        self.ledger.target(case, CaseAction.SUSPEND)
        current = self._running_clock(case)
        today = today_in_shanghai()
        try:
            stopped = clock.suspend(
                calendar_for(today),
                current,
                today,
                kind=request.kind,
                reason=request.reason,
                expected_working_days=request.expected_working_days,
            )
        except clock.ClockError as exc:
            raise _clock_conflict(exc) from None
        reason = f"{request.reason}（预计 {request.expected_working_days} 个工作日）"
        event = self._clock_event(
            events.SUSPENDED, correlation_id, reason=request.reason, expected=request.expected_working_days
        )
        final = self._simple(principal, case, CaseAction.SUSPEND, reason, {"deadlines": stopped}, event)
        return self._after(principal, final)

    def resume(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """恢复计时: every deadline moves by the working days spent suspended, the due
        dates of open joint tasks too (their limits did not run either)."""
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)
        self.ledger.target(case, CaseAction.RESUME)
        current = self._running_clock(case)
        today = today_in_shanghai()
        calendar = calendar_for(today)
        try:
            resumed = clock.resume(calendar, current, today)
        except clock.ClockError as exc:
            raise _clock_conflict(exc) from None
        moved = resumed.suspended_working_days - current.suspended_working_days
        tasks = [
            task.model_copy(
                update={
                    "due_on": calendar.add_working_days(task.due_on, moved).date,
                    "suspended_working_days": task.suspended_working_days + moved,
                }
            )
            if task.state is TaskState.OPEN and moved > 0
            else task
            for task in case.joint_tasks
        ]
        reason = f"恢复计时，办理期限顺延 {moved} 个工作日" + (f"：{request.note}" if request.note else "")
        event = self._clock_event(events.RESUMED, correlation_id, reason=request.note, moved=moved)
        update = {"deadlines": resumed, "joint_tasks": tasks}
        final = self._simple(principal, case, CaseAction.RESUME, reason, update, event)
        return self._after(principal, final)

    def _supervised(self, principal: Principal, case_id: str) -> Case:
        """The case, for a supervisor whose region covers it (staff: 403 extension_needs_approval)."""
        case = self.ledger.load(case_id)
        ensure_supervisor_of(principal, case)
        return case

    def request_extension(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """申请延长期限 (Art. 42) by the lead department: recorded on the case and its timeline,
        waiting for a supervisor; the applicant is told only when it is approved."""
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)
        self.ledger.target(case, CaseAction.REQUEST_EXTENSION)
        current = self._running_clock(case)
        if current.extension is not None:
            raise Conflict(CLOCK_ALREADY_EXTENDED)
        if case.extension_request is not None:
            raise Conflict(EXTENSION_ALREADY_REQUESTED)
        actor = actor_of(principal)
        days = clock.extension_days(current.joint)
        pending = PendingExtension(
            working_days=days,
            reason=request.reason,
            requested_at=moment(),
            requested_by=actor.label,
            requested_by_subject_id=principal.subject_id,
        )
        note = f"申请延长办理期限 {days} 个工作日，待监督人员批准：{request.reason}"
        event = self._extension_event(events.EXTENSION_REQUESTED, pending, None, correlation_id)
        final = self._simple(principal, case, CaseAction.REQUEST_EXTENSION, note, {"extension_request": pending}, event)
        return self._after(principal, final)

    def extend(
        self, principal: Principal, case_id: str, request: ExtendRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """延长期限 (Art. 42): a supervisor whose region covers the case approves the
        department's pending request; only then does the legal limit move."""
        case = self._supervised(principal, case_id)
        pending = case.extension_request
        if pending is None:
            raise Conflict(EXTENSION_NOT_REQUESTED)
        if pending.requested_by_subject_id == principal.subject_id:
            raise Forbidden(EXTENSION_SELF_APPROVAL)
        check_version(case, request.version)
        self.ledger.target(case, CaseAction.EXTEND)
        current = self._running_clock(case)
        reason = request.reason or pending.reason
        today = today_in_shanghai()
        try:
            extended = clock.extend(
                calendar_for(today), current, today, reason=reason, approved_by=actor_of(principal).label
            )
        except clock.ClockError as exc:
            raise _clock_conflict(exc) from None
        event = self._clock_event(events.EXTENDED, correlation_id, reason=reason)
        update: dict[str, object] = {"deadlines": extended, "extension_request": None}
        final = self._simple(principal, case, CaseAction.EXTEND, reason, update, event)
        return self._after(principal, final)

    def reject_extension(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """不批准延期: the request is closed with the supervisor's reason; the limit stays."""
        case = self._supervised(principal, case_id)
        pending = case.extension_request
        if pending is None:
            raise Conflict(EXTENSION_NOT_REQUESTED)
        check_version(case, request.version)
        self.ledger.target(case, CaseAction.REJECT_EXTENSION)
        note = f"延期申请未获批准：{request.reason}"
        event = self._extension_event(events.EXTENSION_REJECTED, pending, request.reason, correlation_id)
        final = self._simple(principal, case, CaseAction.REJECT_EXTENSION, note, {"extension_request": None}, event)
        return self._after(principal, final)

    def _extension_event(
        self, event_type: str, pending: PendingExtension, rejection: str | None, correlation_id: str | None
    ) -> Callable[[Case, int], events.Envelope]:
        def make(after: Case, version: int) -> events.Envelope:
            facts = events.facts(after.model_copy(update={"version": version}))
            data = events.ExtensionRequestData(
                **facts,
                working_days=pending.working_days,
                reason=pending.reason,
                requested_by_subject_id=pending.requested_by_subject_id,
                rejection_reason=rejection,
            )
            return events.envelope(event_type, after, data, correlation_id)

        return make

    def extension_requests(
        self, principal: Principal, *, limit: int, cursor: str | None
    ) -> Page[ExtensionRequestEntry]:
        """Pending extension requests within the supervisor's region prefix, oldest first."""
        if principal.role is not Role.SUPERVISOR or not principal.region_prefix:
            raise Forbidden()
        prefix = principal.region_prefix
        page = self.ledger.repository.pending_extensions(_cities_within(prefix), limit=limit, cursor=cursor)
        entries = [
            ExtensionRequestEntry(
                case_id=case.case_id,
                case_number=case.case_number,
                state=case.state,
                item_code=case.item.implementation_code,
                item_name=case.item.name,
                department_id=case.item.department_id,
                region_code=case.item.region_code,
                legal_due_on=case.deadlines.legal_due_on,
                working_days=case.extension_request.working_days,
                reason=case.extension_request.reason,
                requested_at=case.extension_request.requested_at,
                requested_by=case.extension_request.requested_by,
            )
            for case in page.items
            if case.extension_request is not None
            and case.deadlines is not None
            and within_region(prefix, case.item.region_code)
        ]
        return Page[ExtensionRequestEntry](items=entries, next_cursor=page.next_cursor)

    def task_opinion(
        self, principal: Principal, case_id: str, request: TaskOpinionRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """A co-department gives its task's opinion; a denial reaches the lead with its reason."""
        case = self.ledger.load(case_id)
        ensure_non_applicant(principal, case)
        if not case.item.joint:
            raise Conflict(NOT_A_JOINT_CASE)
        task = task_of(principal, case)
        if task is None:
            raise Forbidden(TASK_NOT_YOURS)
        if task.state is not TaskState.OPEN:
            raise Conflict(TASK_ALREADY_DECIDED)
        check_version(case, request.version)
        self.ledger.target(case, CaseAction.JOINT_OPINION)
        actor = actor_of(principal)
        decided = task.model_copy(
            update={
                "state": TaskState.APPROVED if request.outcome is DecisionOutcome.APPROVED else TaskState.DENIED,
                "reason": request.reason,
                "decided_at": moment(),
                "decided_by": actor.label,
                "handler_subject_id": principal.subject_id,
            }
        )
        tasks = [decided if t.department_id == task.department_id else t for t in case.joint_tasks]
        after = case.model_copy(update={"joint_tasks": tasks})
        verdict = "同意" if request.outcome is DecisionOutcome.APPROVED else "不同意"
        note = f"并联审批（{task.department_name or task.department_id}）{verdict}：{request.reason}"
        # a task opinion is recorded on the timeline without changing the case's state
        entry = self.ledger.entry(case, CaseAction.JOINT_OPINION, case.state, actor, note)
        version = case.version + 1
        facts = events.facts(after.model_copy(update={"version": version}))
        data = events.JointTaskDecidedData(
            **facts,
            task_department_id=task.department_id,
            outcome=request.outcome.value,
            reason=request.reason,
            open_tasks=sum(1 for t in tasks if t.state is TaskState.OPEN),
            lead_handler_subject_id=case.handler_subject_id,
        )
        envelope = events.envelope(events.JOINT_TASK_DECIDED, after, data, correlation_id)
        final = self.ledger.commit(case, after, [entry], [envelope])
        return self._after(principal, final)

    def joint_tasks(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[JointTaskEntry]:
        """The open joint tasks of the caller's department (并联审批待办), soonest due first."""
        if principal.role is not Role.STAFF:
            raise Forbidden()
        if not principal.department_id or not principal.region_prefix:
            raise Forbidden(NOT_IN_A_DEPARTMENT)
        page = self.ledger.repository.open_tasks(principal.department_id, limit=limit, cursor=cursor)
        entries = [
            JointTaskEntry.model_validate({**item, "state_name": STATE_NAMES[item["case_state"]]})
            for item in page.items
            if within_region(principal.region_prefix, str(item["region_code"]))
        ]
        return Page[JointTaskEntry](items=entries, next_cursor=page.next_cursor)

    def decide(
        self, principal: Principal, case_id: str, request: DecideRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """准予 / 不予许可 with reasons, and the decision document (PDF in S3). For a
        joint case only the lead decides, once every task is done."""
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)
        action = CaseAction.APPROVE if request.outcome is DecisionOutcome.APPROVED else CaseAction.DENY
        target = self.ledger.target(case, action)
        still_open = [t for t in case.joint_tasks if t.state is TaskState.OPEN]
        if still_open:
            raise Conflict(JOINT_TASKS_OPEN, params={"open": len(still_open)})
        actor = actor_of(principal)
        at = moment()
        decision_id = new_id()
        opinions = [
            f"{t.department_name or t.department_id}：{'同意' if t.state is TaskState.APPROVED else '不同意'}"
            f"（{t.reason}）"
            for t in case.joint_tasks
        ]
        document_number = f"{case.case_number}D"
        from shared.cases.documents import sealed_decision  # only decisions render documents

        rendered = sealed_decision(
            "准予行政许可决定书" if request.outcome is DecisionOutcome.APPROVED else "不予行政许可决定书",
            [
                f"文书编号：{document_number}",
                f"办件编号：{case.case_number}",
                f"事项：{case.item.name}（{case.item.implementation_code}）",
                f"决定机关：{case.item.department_name}",
                f"决定：{'准予行政许可' if request.outcome is DecisionOutcome.APPROVED else '不予行政许可'}",
                f"理由：{request.reason}",
                *(f"并联审批意见：{line}" for line in opinions),
                f"决定日期：{shanghai_day(at).isoformat()}",
                "不服本决定的，可以依法申请行政复议或者提起行政诉讼。",
            ],
            department_name=case.item.department_name,
            department_code=case.item.issuer_uscc,
            document_number=document_number,
        )
        key = decision_key(case.case_id, decision_id)
        # the document is written first; a losing racer leaves an unreferenced object only
        self.ledger.store.put_document(key, rendered.body, sha256=rendered.sha256)
        decision = Decision(
            decision_id=decision_id,
            document_number=document_number,
            outcome=request.outcome,
            reason=request.reason,
            decided_at=at,
            decided_on=shanghai_day(at),
            decided_by=actor.label,
            department_name=case.item.department_name,
            task_opinions=opinions,
            document=DecisionDocument(key=key, sha256=rendered.sha256, size_bytes=len(rendered.body)),
        )
        decided = case.model_copy(update={"state": target, "decision": decision, "closing_reason": request.reason})
        entry = self.ledger.entry(case, action, target, actor, request.reason)
        # an approval starts its first step (payment, licence or delivery) in the same transaction
        after, step_entries, step_events = (
            begin(self.ledger, decided, entry, correlation_id) if action is CaseAction.APPROVE else (decided, [], [])
        )
        facts = events.facts(after.model_copy(update={"version": case.version + 1}))
        data = events.DecidedData(
            **facts,
            decision_id=decision_id,
            document_number=document_number,
            outcome=request.outcome.value,
            reason=request.reason,
            document_key=key,
            document_sha256=rendered.sha256,
        )
        decided_event = events.envelope(events.DECIDED, after, data, correlation_id)
        final = self.ledger.commit(case, after, [entry, *step_entries], [decided_event, *step_events])
        # the ledger's "case transition" line is this change's INFO line (D-333)
        logger().debug("case decided", extra={"case_id": case_id, "outcome": request.outcome.value})
        return self._after(principal, final)

    def complete(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """办结 by staff after a decision with no steps left (pickup at the counter, electronic results)."""
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)

        if case.state in FULFILMENT_STATES:
            # payment, licence and delivery complete the case themselves when their step is done
            raise refuse_transition(case, CaseAction.COMPLETE)
        event = _plain_event(events.COMPLETED, correlation_id)
        final = self._simple(principal, case, CaseAction.COMPLETE, request.note, {}, event)
        return self._after(principal, final)
