"""Intake (C14, C18): the department's work queue, acceptance (受理, with the fee
and joint-task rules), refusal, the one-time supplement notice, automatic
pre-review of each submission and the Art. 32 deemed acceptance.

There is one `accept`: the lead department accepts only once any fee due
before acceptance is paid (409 `case.fee_unpaid`), and a joint item opens one
task per co-department in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit

from shared.cases import clock, events, ports, steps
from shared.cases.deadlines import ART32_WORKING_DAYS, calendar_for, deadlines_from, joint_tasks_for, working_calendar
from shared.cases.errors import CHANGED_CONCURRENTLY, FEE_UNPAID
from shared.cases.ledger import CaseLedger, check_version, moment, shanghai_day
from shared.cases.models import (
    AcceptRequest,
    Case,
    CaseDetail,
    Deficiency,
    DeficiencyKind,
    ReasonRequest,
    SupplementNotice,
    WorkQueueEntry,
)
from shared.cases.policy import Actor, actor_of, ensure_department_side
from shared.cases.pre_review import deficiencies
from shared.cases.repository import DUE_SHARDS
from shared.cases.states import AWAITING_INTAKE, STATE_NAMES, CaseAction, CaseState, next_state
from shared.cases.views import detail_for, detail_of
from shared.platform.clock import today_in_shanghai
from shared.platform.errors import AppError, Conflict, Forbidden
from shared.platform.events import Envelope
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics
from shared.platform.pagination import Page, decode_cursor, encode_cursor
from shared.platform.principal import Principal, Role, require_role

if TYPE_CHECKING:
    from shared.cases.shapes import StaffSupplementRequest

SYSTEM_PRE_REVIEW = Actor("system", "system:pre_review 自动预审")
SYSTEM_ART32_SWEEP = Actor("system", "system:art32_sweep 视为受理")


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


def closed_event(event_type: str, case: Case, version: int, reason: str, correlation_id: str | None) -> Envelope:
    facts = events.facts(case.model_copy(update={"version": version}))
    return events.envelope(event_type, case, events.ClosedData(**facts, reason=reason), correlation_id)


def accepted_event(
    case: Case, version: int, *, automatic: bool, reason: str | None, correlation_id: str | None
) -> Envelope:
    assert case.deadlines is not None
    facts = events.facts(case.model_copy(update={"version": version}))
    data = events.AcceptedData(**facts, deadlines=case.deadlines, automatic=automatic, reason=reason)
    return events.envelope(events.ACCEPTED, case, data, correlation_id)


def licence_results(case: Case) -> Mapping[str, str]:
    """material id → verification result (valid, expired, suspended, revoked, replaced,
    unknown) for every material an e-licence stands in for; empty when there are none."""
    used = [m for m in case.materials if m.licence is not None]
    if not used:
        return {}
    reuse = ports.licences()()
    results: dict[str, str] = {}
    for material in used:
        assert material.licence is not None
        verdict = reuse.check_reference(material.licence.licence_id, case.applicant.subject_id, case.applicant.uscc)
        results[material.material_id] = verdict.result
    return results


class Intake:
    """Use cases from submission to acceptance."""

    def __init__(self, ledger: CaseLedger) -> None:
        self.ledger = ledger

    def work_queue(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[WorkQueueEntry]:
        """The department's cases awaiting an intake decision, oldest first (受理工作台)."""
        staff = require_role(principal, Role.STAFF)
        if not staff.department_id or not staff.region_prefix:
            raise Forbidden()
        position = decode_cursor(cursor, must_match={"department_id": staff.department_id})
        after = str(position["after"]) if position and "after" in position else None
        page = self.ledger.repository.work_queue(staff.department_id, staff.region_prefix, limit=limit, after=after)
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

    def accept(
        self, principal: Principal, case_id: str, request: AcceptRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """受理 by the lead department: the clock starts; a joint item opens one task per co-department."""
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)
        target = self.ledger.target(case, CaseAction.ACCEPT)
        if steps.fee_due_before_acceptance(case) and not steps.fee_paid(case):
            raise Conflict(FEE_UNPAID, params={"total_fen": case.item.fee_total_fen})
        today = today_in_shanghai()
        calendar = calendar_for(today)
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
        entry = self.ledger.entry(case, CaseAction.ACCEPT, target, actor_of(principal), request.note)
        version = case.version + 1
        envelopes = [
            accepted_event(accepted, version, automatic=False, reason=request.note, correlation_id=correlation_id)
        ]
        if tasks:
            facts = events.facts(accepted.model_copy(update={"version": version}))
            data = events.JointTasksOpenedData(
                **facts, departments=[t.department_id for t in tasks], due_on=[t.due_on for t in tasks]
            )
            envelopes.append(events.envelope(events.JOINT_TASKS_OPENED, accepted, data, correlation_id))
        final = self.ledger.commit(case, accepted, [entry], envelopes)
        # the dashboard's "accepted" line: pre-review's 即办 and the intake sweep count theirs
        metrics().add_metric(name="CasesAcceptedByStaff", unit=MetricUnit.Count, value=1)
        return detail_for(principal, final, self.ledger.timeline(case_id), self.ledger.store)

    def refuse(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """不予受理, with the reason the applicant is told."""
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)
        target = self.ledger.target(case, CaseAction.REFUSE)
        refused = case.model_copy(update={"state": target, "closing_reason": request.reason})
        entry = self.ledger.entry(case, CaseAction.REFUSE, target, actor_of(principal), request.reason)
        envelope = closed_event(events.REFUSED_AT_INTAKE, refused, case.version + 1, request.reason, correlation_id)
        final = self.ledger.commit(case, refused, [entry], [envelope])
        return detail_of(final, self.ledger.timeline(case_id))

    def request_supplement(
        self, principal: Principal, case_id: str, request: StaffSupplementRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """Staff tell the applicant everything to supplement, in one notice (一次性告知)."""
        case = self.ledger.load(case_id)
        ensure_department_side(principal, case)
        check_version(case, request.version)
        items = [
            Deficiency(kind=DeficiencyKind.STAFF_NOTE, target=i.target, message=i.message, message_en=i.message)
            for i in request.items
        ]
        final = self._require_supplement(case, items, "staff", actor_of(principal), correlation_id)
        return detail_of(final, self.ledger.timeline(case_id))

    def _require_supplement(
        self, case: Case, items: list[Deficiency], issued_by: str, actor: Actor, correlation_id: str | None
    ) -> Case:
        target = self.ledger.target(case, CaseAction.REQUIRE_SUPPLEMENT)
        notice = SupplementNotice(notice_id=new_id(), issued_at=moment(), issued_by=issued_by, items=items)
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
        entry = self.ledger.entry(case, CaseAction.REQUIRE_SUPPLEMENT, target, actor, reason)
        facts = events.facts(after.model_copy(update={"version": case.version + 1}))
        data = events.SupplementRequiredData(**facts, notice_id=notice.notice_id, issued_by=issued_by, items=items)
        envelope = events.envelope(events.SUPPLEMENT_REQUIRED, after, data, correlation_id)
        return self.ledger.commit(case, after, [entry], [envelope])

    def pre_review(self, case_id: str, submitted_version: int, *, correlation_id: str | None) -> PreReviewOutcome:
        """自动预审 of one submission. Idempotent without a store: a case no longer in
        the state and version the event describes was handled already (or changed
        since), so a redelivered or stale event is skipped."""
        case = self.ledger.repository.get(case_id)
        if case is None:
            raise LookupError(f"case {case_id} does not exist")
        if case.state is not CaseState.SUBMITTED or case.version != submitted_version:
            return PreReviewOutcome(case_id, "skipped")
        found = deficiencies(case, licence_results(case))
        try:
            if found:
                self._require_supplement(case, found, "pre_review", SYSTEM_PRE_REVIEW, correlation_id)
                return PreReviewOutcome(case_id, "supplement_required", found)
            return self._pass_pre_review(case, correlation_id)
        except Conflict as exc:
            if exc.code != CHANGED_CONCURRENTLY:
                raise
            current = self.ledger.repository.get(case_id)
            if current is not None and (
                current.state is not CaseState.SUBMITTED or current.version != submitted_version
            ):
                return PreReviewOutcome(case_id, "skipped")
            raise

    def _pass_pre_review(self, case: Case, correlation_id: str | None) -> PreReviewOutcome:
        passed_state = self.ledger.target(case, CaseAction.PASS_PRE_REVIEW)
        passed = case.model_copy(update={"state": passed_state})
        first = self.ledger.entry(case, CaseAction.PASS_PRE_REVIEW, passed_state, SYSTEM_PRE_REVIEW, None)
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
                self.ledger.entry(passed, CaseAction.ACCEPT, accepted_state, SYSTEM_PRE_REVIEW, reason, previous=first)
            )
            envelopes.append(
                accepted_event(after, version, automatic=True, reason=reason, correlation_id=correlation_id)
            )
            result = "accepted"
        self.ledger.commit(case, after, entries, envelopes)
        return PreReviewOutcome(case.case_id, result)

    def deem_accepted_when_due(
        self, today: dt.date, *, correlation_id: str | None, keep_going: Callable[[], bool] = lambda: True
    ) -> SweepResult:
        """行政许可法 第32条: a case whose intake decision is still pending after the 5th
        working day from receipt counts as accepted from receipt. Reads the Art. 32
        index shard by shard (never a Scan); a case changed meanwhile is skipped."""
        result = SweepResult()
        for shard in range(DUE_SHARDS):
            for case in self.ledger.repository.due_for_deemed_acceptance(today, shard):
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
        target = self.ledger.target(case, CaseAction.DEEM_ACCEPTED)
        received_on = shanghai_day(case.received_at)
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
        entry = self.ledger.entry(case, CaseAction.DEEM_ACCEPTED, target, SYSTEM_ART32_SWEEP, reason)
        envelope = accepted_event(
            accepted, case.version + 1, automatic=True, reason=reason, correlation_id=correlation_id
        )
        self.ledger.commit(case, accepted, [entry], [envelope])
