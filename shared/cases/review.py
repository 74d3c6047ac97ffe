"""Review, decision, the legal clock and joint approval (C14 decide, C17), and
the supervision sweep (C26). Extends `CasesService`; every change of state
still goes through the one transition table and `_commit`.

Who may do what:
- staff of the implementing (lead) department within its region: start the
  review, suspend and resume the clock, decide, complete;
- a supervisor whose region prefix covers the case: approve an extension
  (延长期限 needs a supervisor-level approval; staff get 403
  `case.extension_needs_approval`);
- staff of a co-department (joint items): read the case with only their own
  task, and give their task's opinion.
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
    CLOCK_ALREADY_EXTENDED,
    CLOCK_ALREADY_SUSPENDED,
    CLOCK_DATE_BEFORE_START,
    CLOCK_NOT_STARTED,
    CLOCK_NOT_SUSPENDED,
    EXTENSION_ALREADY_REQUESTED,
    EXTENSION_NEEDS_APPROVAL,
    EXTENSION_NOT_REQUESTED,
    EXTENSION_SELF_APPROVAL,
    FEE_UNPAID,
    JOINT_TASKS_OPEN,
    NOT_A_JOINT_CASE,
    NOT_IN_A_DEPARTMENT,
    TASK_ALREADY_DECIDED,
    TASK_NOT_YOURS,
)
from shared.cases.fulfilment import FulfilmentService
from shared.cases.models import (
    AcceptRequest,
    Case,
    CaseDetail,
    Deadlines,
    DecideRequest,
    Decision,
    DecisionDocument,
    DecisionOutcome,
    ExtendRequest,
    ExtensionRequestEntry,
    JointTask,
    JointTaskEntry,
    PendingExtension,
    ReasonRequest,
    SuspendRequest,
    TaskOpinionRequest,
    TaskState,
    TimelineEntry,
    WarningKind,
)
from shared.cases.repository import DUE_SHARDS, JIANGSU_CITY_PREFIXES
from shared.cases.service import (
    Actor,
    _check_version,
    _moment,
    _refuse_transition,
    _shanghai_day,
    actor_of,
    detail_of,
    ensure_can_read,
    ensure_department_side,
    joint_tasks_for,
    working_calendar,
)
from shared.cases.states import CLOCK_RUNNING, FULFILMENT_STATES, STATE_NAMES, CaseAction
from shared.cases.storage import decision_key
from shared.platform.clock import today_in_shanghai
from shared.platform.errors import Conflict, Forbidden, NotFound
from shared.platform.ids import new_id
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import (
    APPLICANT_ROLES,
    Principal,
    Role,
    within_region,
)

if TYPE_CHECKING:
    from shared.workdays.rules import Calendar

DOCUMENT_LINK_TTL_S = 300
SYSTEM_SWEEP = Actor("system", "system:supervision_sweep 效能监察")
CASE_TARGET = "case"

Numbers = tuple[dt.date, int, int, int, str | None]
"""A warning's figures: due date, working days used, limit, left, and the staff to tell."""
Found = tuple[str, WarningKind, str, Numbers]
"""One warning the sweep found due: target, kind, level and its figures."""

_CLOCK_ERRORS = {
    clock.ALREADY_SUSPENDED: CLOCK_ALREADY_SUSPENDED,
    clock.NOT_SUSPENDED: CLOCK_NOT_SUSPENDED,
    clock.ALREADY_EXTENDED: CLOCK_ALREADY_EXTENDED,
    clock.BEFORE_START: CLOCK_DATE_BEFORE_START,
}


def _calendar_for(day: dt.date) -> Calendar:
    """The working-day calendar with the years around `day` read in one call."""
    return working_calendar(range(day.year - 1, day.year + 3))


def _clock_conflict(error: clock.ClockError) -> Conflict:
    return Conflict(_CLOCK_ERRORS.get(error.code, error.code))


@dataclass(frozen=True)
class WarningPolicy:
    """When the sweep warns (configuration): yellow once `yellow_share` of a limit
    is used or at most `yellow_days_left` working days remain; red when overdue."""

    yellow_share: float = 0.8
    yellow_days_left: int = 3
    horizon_days: int = 120
    """Calendar days ahead the sweep reads: covers the yellow window of limits up to
    (horizon in working days) / (1 - share); longer limits warn on days left only."""


@dataclass
class SupervisionResult:
    read: int = 0
    raised: list[str] = field(default_factory=list)
    already: int = 0
    finished: bool = True


class ReviewService(FulfilmentService):
    """Use cases after acceptance."""

    # --- reading -------------------------------------------------------------------------

    def _task_of(self, principal: Principal, case: Case) -> JointTask | None:
        if principal.role is not Role.STAFF or not within_region(principal.region_prefix, case.item.region_code):
            return None
        return next((t for t in case.joint_tasks if t.department_id == principal.department_id), None)

    def _readable(self, principal: Principal, case_id: str) -> Case:
        case = self._load(case_id)
        if self._task_of(principal, case) is not None:
            return case
        try:
            ensure_can_read(principal, case)
        except NotFound:
            raise NotFound(CASE_NOT_FOUND) from None
        return case

    def _detail(self, principal: Principal, case: Case, timeline: Sequence[TimelineEntry]) -> CaseDetail:
        detail = detail_of(case, timeline)
        updates: dict[str, object] = {"decision": case.decision, "joint_tasks": case.joint_tasks}
        own = self._task_of(principal, case)
        if own is not None and principal.department_id != case.item.department_id:
            updates["joint_tasks"] = [own]  # a co-department sees only its task
        if case.extension_request is not None and principal.role not in APPLICANT_ROLES:
            updates["extension_request"] = case.extension_request  # the applicant is told once approved
        if case.decision is not None:
            updates["decision_document_url"] = self.store.download_url(
                case.decision.document.key,
                expires_in_s=DOCUMENT_LINK_TTL_S,
                file_name=f"{case.decision.document_number}.pdf",
            )
        return detail.model_copy(update=updates)

    def detail(self, principal: Principal, case_id: str) -> CaseDetail:
        case = self._readable(principal, case_id)
        return self._detail(principal, case, self.repository.timeline(case_id))

    def _after(self, principal: Principal, final: Case) -> CaseDetail:
        return self._detail(principal, final, self.repository.timeline(final.case_id))

    # --- acceptance opens joint tasks ----------------------------------------------------------

    def accept(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """受理 by the lead department: the clock starts; a joint item opens one task per co-department."""
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)
        target = self._target(case, CaseAction.ACCEPT)
        if steps.fee_due_before_acceptance(case) and not steps.fee_paid(case):
            raise Conflict(FEE_UNPAID, params={"total_fen": case.item.fee_total_fen})
        today = today_in_shanghai()
        calendar = _calendar_for(today)
        deadlines = clock.start(
            calendar,
            today,
            promised_days=case.item.promised_limit_days,
            legal_days=case.item.legal_limit_days,
            joint=case.item.joint,
        )
        tasks = joint_tasks_for(case.item, today, calendar)
        accepted = case.model_copy(
            update={
                "state": target,
                "deadlines": deadlines,
                "joint_tasks": tasks,
                "handler_subject_id": principal.subject_id,
            }
        )
        entry = self._entry(case, CaseAction.ACCEPT, target, actor_of(principal), request.note)
        version = case.version + 1
        envelopes = [
            self._accepted_event(accepted, version, automatic=False, reason=request.note, correlation_id=correlation_id)
        ]
        if tasks:
            facts = events.facts(accepted.model_copy(update={"version": version}))
            data = events.JointTasksOpenedData(
                **facts, departments=[t.department_id for t in tasks], due_on=[t.due_on for t in tasks]
            )
            envelopes.append(events.envelope(events.JOINT_TASKS_OPENED, accepted, data, correlation_id))
        final = self._commit(case, accepted, [entry], envelopes)
        return self._after(principal, final)

    # --- review and the clock -----------------------------------------------------------------

    def _simple(
        self,
        principal: Principal,
        case: Case,
        action: CaseAction,
        reason: str | None,
        update: dict[str, object],
        envelope_for: Callable[[Case, int], events.Envelope] | None,
    ) -> Case:
        target = self._target(case, action)
        if case.handler_subject_id is None and principal.role is Role.STAFF:
            update = {**update, "handler_subject_id": principal.subject_id}
        after = case.model_copy(update={"state": target, **update})
        entry = self._entry(case, action, target, actor_of(principal), reason)
        envelopes = [envelope_for(after, case.version + 1)] if envelope_for else []
        return self._commit(case, after, [entry], envelopes)

    def start_review(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)

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
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)
        self._target(case, CaseAction.SUSPEND)
        current = self._running_clock(case)
        today = today_in_shanghai()
        try:
            stopped = clock.suspend(
                _calendar_for(today),
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
        """恢复计时: every deadline moves by the working days spent suspended."""
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)
        self._target(case, CaseAction.RESUME)
        current = self._running_clock(case)
        today = today_in_shanghai()
        try:
            resumed = clock.resume(_calendar_for(today), current, today)
        except clock.ClockError as exc:
            raise _clock_conflict(exc) from None
        moved = resumed.suspended_working_days - current.suspended_working_days
        reason = f"恢复计时，办理期限顺延 {moved} 个工作日" + (f"：{request.note}" if request.note else "")
        event = self._clock_event(events.RESUMED, correlation_id, reason=request.note, moved=moved)
        final = self._simple(principal, case, CaseAction.RESUME, reason, {"deadlines": resumed}, event)
        return self._after(principal, final)

    def _supervised(self, principal: Principal, case_id: str) -> Case:
        """The case, for a supervisor whose region covers it (staff: 403 extension_needs_approval)."""
        case = self._load(case_id)
        if principal.role in APPLICANT_ROLES:
            self._readable(principal, case_id)
            raise Forbidden()
        if principal.role is not Role.SUPERVISOR:
            raise Forbidden(EXTENSION_NEEDS_APPROVAL)
        if not within_region(principal.region_prefix, case.item.region_code):
            raise Forbidden()
        return case

    def request_extension(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """申请延长期限 (Art. 42) by the lead department: recorded on the case and its timeline,
        waiting for a supervisor; the applicant is told only when it is approved."""
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)
        self._target(case, CaseAction.REQUEST_EXTENSION)
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
            requested_at=self._now(),
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
        _check_version(case, request.version)
        self._target(case, CaseAction.EXTEND)
        current = self._running_clock(case)
        reason = request.reason or pending.reason
        today = today_in_shanghai()
        try:
            extended = clock.extend(
                _calendar_for(today), current, today, reason=reason, approved_by=actor_of(principal).label
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
        _check_version(case, request.version)
        self._target(case, CaseAction.REJECT_EXTENSION)
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
        page = self.repository.pending_extensions(_cities_within(prefix), limit=limit, cursor=cursor)
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

    # --- joint tasks --------------------------------------------------------------------------

    def task_opinion(
        self, principal: Principal, case_id: str, request: TaskOpinionRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """A co-department gives its task's opinion; a denial reaches the lead with its reason."""
        case = self._load(case_id)
        if principal.role in APPLICANT_ROLES:
            self._readable(principal, case_id)
            raise Forbidden()
        if not case.item.joint:
            raise Conflict(NOT_A_JOINT_CASE)
        task = self._task_of(principal, case)
        if task is None:
            raise Forbidden(TASK_NOT_YOURS)
        if task.state is not TaskState.OPEN:
            raise Conflict(TASK_ALREADY_DECIDED)
        _check_version(case, request.version)
        self._target(case, CaseAction.JOINT_OPINION)
        actor = actor_of(principal)
        decided = task.model_copy(
            update={
                "state": TaskState.APPROVED if request.outcome is DecisionOutcome.APPROVED else TaskState.DENIED,
                "reason": request.reason,
                "decided_at": self._now(),
                "decided_by": actor.label,
                "handler_subject_id": principal.subject_id,
            }
        )
        tasks = [decided if t.department_id == task.department_id else t for t in case.joint_tasks]
        after = case.model_copy(update={"joint_tasks": tasks})
        verdict = "同意" if request.outcome is DecisionOutcome.APPROVED else "不同意"
        note = f"并联审批（{task.department_id}）{verdict}：{request.reason}"
        # a task opinion is recorded on the timeline without changing the case's state
        entry = self._entry(case, CaseAction.JOINT_OPINION, case.state, actor, note)
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
        final = self._commit(case, after, [entry], [envelope])
        return self._after(principal, final)

    def joint_tasks(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[JointTaskEntry]:
        """The open joint tasks of the caller's department (并联审批待办), soonest due first."""
        if principal.role is not Role.STAFF:
            raise Forbidden()
        if not principal.department_id or not principal.region_prefix:
            raise Forbidden(NOT_IN_A_DEPARTMENT)
        page = self.repository.open_tasks(principal.department_id, limit=limit, cursor=cursor)
        entries = [
            JointTaskEntry.model_validate({**item, "state_name": STATE_NAMES[item["case_state"]]})
            for item in page.items
            if within_region(principal.region_prefix, str(item["region_code"]))
        ]
        return Page[JointTaskEntry](items=entries, next_cursor=page.next_cursor)

    # --- decision -----------------------------------------------------------------------------

    def decide(
        self, principal: Principal, case_id: str, request: DecideRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """准予 / 不予许可 with reasons, and the decision document (PDF in S3). For a
        joint case only the lead decides, once every task is done."""
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)
        action = CaseAction.APPROVE if request.outcome is DecisionOutcome.APPROVED else CaseAction.DENY
        target = self._target(case, action)
        still_open = [t for t in case.joint_tasks if t.state is TaskState.OPEN]
        if still_open:
            raise Conflict(JOINT_TASKS_OPEN, params={"open": len(still_open)})
        actor = actor_of(principal)
        moment = self._now()
        decision_id = new_id()
        opinions = [
            f"{t.department_id}：{'同意' if t.state is TaskState.APPROVED else '不同意'}（{t.reason}）"
            for t in case.joint_tasks
        ]
        document_number = f"{case.case_number}D"
        from shared.cases.documents import render_pdf  # only decisions render documents

        rendered = render_pdf(
            "准予行政许可决定书" if request.outcome is DecisionOutcome.APPROVED else "不予行政许可决定书",
            [
                f"文书编号：{document_number}",
                f"办件编号：{case.case_number}",
                f"事项：{case.item.name}（{case.item.implementation_code}）",
                f"决定机关：{case.item.department_name}",
                f"决定：{'准予行政许可' if request.outcome is DecisionOutcome.APPROVED else '不予行政许可'}",
                f"理由：{request.reason}",
                *(f"并联审批意见：{line}" for line in opinions),
                f"决定日期：{_shanghai_day(moment).isoformat()}",
                "不服本决定的，可以依法申请行政复议或者提起行政诉讼。",
            ],
        )
        key = decision_key(case.case_id, decision_id)
        # the document is written first; a losing racer leaves an unreferenced object only
        self.store.put_document(key, rendered.body, sha256=rendered.sha256)
        decision = Decision(
            decision_id=decision_id,
            document_number=document_number,
            outcome=request.outcome,
            reason=request.reason,
            decided_at=moment,
            decided_on=_shanghai_day(moment),
            decided_by=actor.label,
            department_name=case.item.department_name,
            task_opinions=opinions,
            document=DecisionDocument(key=key, sha256=rendered.sha256, size_bytes=len(rendered.body)),
        )
        decided = case.model_copy(update={"state": target, "decision": decision, "closing_reason": request.reason})
        entry = self._entry(case, action, target, actor, request.reason)
        # an approval starts its first step (payment, licence or delivery) in the same transaction
        after, step_entries, step_events = (
            self.begin(decided, entry, correlation_id) if action is CaseAction.APPROVE else (decided, [], [])
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
        final = self._commit(case, after, [entry, *step_entries], [decided_event, *step_events])
        logger().info("case decided", extra={"case_id": case_id, "outcome": request.outcome.value})
        return self._after(principal, final)

    def complete(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """办结 by staff after a decision with no steps left (pickup at the counter, electronic results)."""
        case = self._load(case_id)
        ensure_department_side(principal, case)
        _check_version(case, request.version)

        if case.state in FULFILMENT_STATES:
            # payment, licence and delivery complete the case themselves when their step is done
            raise _refuse_transition(case, CaseAction.COMPLETE)
        event = _plain_event(events.COMPLETED, correlation_id)
        final = self._simple(principal, case, CaseAction.COMPLETE, request.note, {}, event)
        return self._after(principal, final)

    @staticmethod
    def _now() -> dt.datetime:
        return _moment()

    # --- supervision sweep (效能监察) -----------------------------------------------------------

    def sweep_deadlines(
        self,
        today: dt.date,
        policy: WarningPolicy,
        *,
        correlation_id: str | None,
        keep_going: Callable[[], bool] = lambda: True,
    ) -> SupervisionResult:
        """Raise yellow / red warnings against the promised and the legal limit of running
        cases and the limits of open joint tasks, each once per (target, kind, level).
        Reads the due index shard by shard up to the horizon."""
        result = SupervisionResult()
        calendar = _calendar_for(today)
        last_day = today + dt.timedelta(days=policy.horizon_days)
        for shard in range(DUE_SHARDS):
            due: list[tuple[Case, list[Found]]] = []
            for case in self.repository.watched_until(last_day, shard):
                result.read += 1
                if case.state in CLOCK_RUNNING and case.deadlines is not None:
                    levels = self._levels(case, today, calendar, policy)
                    if levels:
                        due.append((case, levels))
            # one BatchGetItem per 100 candidate warnings: a re-run writes nothing it wrote before
            existing = self.repository.existing_warnings(
                [(case.case_id, target, kind.value, level) for case, found in due for target, kind, level, _ in found]
            )
            for case, found in due:
                if not keep_going():
                    result.finished = False
                    return result
                for target, kind, level, numbers in found:
                    if (case.case_id, target, kind.value, level) in existing:
                        result.already += 1
                    elif self._raise(case, target, kind, level, numbers, today, correlation_id):
                        result.raised.append(f"{case.case_id}:{target}:{kind.value}:{level}")
                    else:
                        result.already += 1
        return result

    def _levels(self, case: Case, today: dt.date, calendar: Calendar, policy: WarningPolicy) -> list[Found]:
        assert case.deadlines is not None
        found: list[Found] = []
        handler = case.handler_subject_id
        legal = clock.usage(calendar, case.deadlines, today)
        numbers = (case.deadlines.legal_due_on, legal.used_days, legal.limit_days, legal.left_days, handler)
        found.extend((CASE_TARGET, WarningKind.LEGAL, lvl, numbers) for lvl in _level(legal, policy))
        promised = clock.usage(calendar, case.deadlines, today, legal=False)
        # 即办件 promise the day itself: only breaking that promise is worth a warning
        levels = _level(promised, policy) if promised.limit_days > 0 else _overdue(promised)
        numbers = (case.deadlines.promised_due_on, promised.used_days, promised.limit_days, promised.left_days, handler)
        found.extend((CASE_TARGET, WarningKind.PROMISED, lvl, numbers) for lvl in levels)
        for task in case.joint_tasks:
            if task.state is not TaskState.OPEN:
                continue
            used = max(calendar.working_days_between(task.opened_on, today).working_days, 0)
            task_use = clock.Usage(
                limit_days=task.limit_days,
                used_days=used,
                left_days=task.limit_days - used,
                overdue=today > task.due_on,
                running=True,
            )
            task_numbers = (task.due_on, used, task.limit_days, task_use.left_days, task.handler_subject_id)
            found.extend((task.department_id, WarningKind.TASK, lvl, task_numbers) for lvl in _level(task_use, policy))
        return found

    def _raise(
        self,
        case: Case,
        target: str,
        kind: WarningKind,
        level: str,
        numbers: Numbers,
        today: dt.date,
        correlation_id: str | None,
    ) -> bool:
        due_on, used, limit, left, handler = numbers
        department = case.item.department_id if target == CASE_TARGET else target
        facts = events.facts(case)
        data = events.DeadlineWarningData(
            **facts,
            level=level,
            kind=kind.value,
            target=target,
            due_on=due_on,
            used_days=used,
            limit_days=limit,
            left_days=left,
            handler_subject_id=handler,
        )
        event_type = events.DEADLINE_WARNING if handler else events.DEADLINE_WARNING_UNASSIGNED
        envelope = events.envelope(event_type, case, data, correlation_id)
        warning = {
            "case_id": case.case_id,
            "case_number": case.case_number,
            "item_name": case.item.name,
            "item_code": case.item.implementation_code,
            "department_id": department,
            "region_code": case.item.region_code,
            "target": target,
            "kind": kind.value,
            "level": level,
            "due_on": due_on.isoformat(),
            "used_days": used,
            "limit_days": limit,
            "left_days": left,
            "raised_on": today.isoformat(),
            "raised_at": self._now().isoformat(),
        }
        return self.repository.put_warning(warning, envelope)

    def list_warnings(
        self,
        principal: Principal,
        *,
        region_code: str | None,
        department_id: str | None,
        level: str | None,
        kind: str | None = None,
    ) -> tuple[list[dict[str, object]], dict[str, int]]:
        """Warnings within the supervisor's region prefix (optionally narrowed), with counts."""
        if principal.role is not Role.SUPERVISOR or not principal.region_prefix:
            raise Forbidden()
        prefix = principal.region_prefix
        if region_code:
            if not region_code.startswith(prefix) and not prefix.startswith(region_code):
                raise Forbidden()
            prefix = region_code if len(region_code) > len(prefix) else prefix
        cities = [c for c in JIANGSU_CITY_PREFIXES if c.startswith(prefix[:4]) or prefix.startswith(c)]
        cities = [c for c in cities if c.startswith(prefix[:4])] if len(prefix) >= 4 else cities
        found: list[dict[str, object]] = []
        for city in cities:
            for item in self.repository.warnings(city):
                if not str(item["region_code"]).startswith(prefix):
                    continue
                if department_id and item["department_id"] != department_id:
                    continue
                if level and item["level"] != level:
                    continue
                if kind and item["kind"] != kind:
                    continue
                found.append(item)
        counts = {"yellow": 0, "red": 0}
        for item in found:
            counts[str(item["level"])] = counts.get(str(item["level"]), 0) + 1
        counts["total"] = len(found)
        return found, counts


def _overdue(use: clock.Usage) -> list[str]:
    return ["yellow", "red"] if use.overdue else []


def _cities_within(prefix: str) -> list[str]:
    """The warnings / extension-request city partitions a region prefix covers."""
    return [c for c in JIANGSU_CITY_PREFIXES if c.startswith(prefix[:4]) or (len(prefix) < 4 and c.startswith(prefix))]


def _level(use: clock.Usage, policy: WarningPolicy) -> list[str]:
    """The levels that apply: red implies yellow too (each written once)."""
    if use.overdue:
        return ["yellow", "red"]
    if use.running and (use.share_used >= policy.yellow_share or use.left_days <= policy.yellow_days_left):
        return ["yellow"]
    return []


@cache
def review_service() -> ReviewService:
    return ReviewService()


def _plain_event(event_type: str, correlation_id: str | None) -> Callable[[Case, int], events.Envelope]:
    """The event of a transition that carries only the case's common facts."""

    def event(after: Case, version: int) -> events.Envelope:
        facts = events.CaseFacts.model_validate(events.facts(after.model_copy(update={"version": version})))
        return events.envelope(event_type, after, facts, correlation_id)

    return event
