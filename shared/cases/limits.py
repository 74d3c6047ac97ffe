"""A case's time limits as facts for supervision (D-116): the 法定 (legal) and 承诺
(promised) limits while the case is under review, each open joint task's limit,
the Art. 44 licence limit from an approval until the licence is issued, and a
renewal's (延续, Art. 50) `decide_by` from the first submission until the
decision (D-180): undecided by then, the licence is deemed renewed.

`limit_events(before, after)` compares the limits a transition leaves with those
it found and returns `limit.set` for each that started or moved (paused while the
case is suspended) and `limit.cleared` for each that ended, with the case's new
version — one `limits.changed` carrying them all when several moved (D-340); the
ledger commits them in the transition's own transaction. The cases
context never sweeps its table for warnings: supervision watches these facts.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from shared.cases.deadlines import calendar_for
from shared.cases.models import Case, TaskState
from shared.cases.states import AWAITING_INTAKE, CLOCK_RUNNING, LICENCE_CLOCK, UNDER_REVIEW, CaseState
from shared.platform.events import Envelope
from shared.platform.limits import LimitClearedData, LimitData, limit_changes, limit_key

CONTEXT = "cases"
CASE = "case"
JOINT_TASK = "joint_task"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Art. 50 runs from the application until the decision, whatever the case waits for
# (补正, 中止): the licence's end of validity does not move, so this limit never pauses.
RENEWAL_PENDING = AWAITING_INTAKE | UNDER_REVIEW | {CaseState.SUPPLEMENT_REQUIRED}


def task_subject(case_id: str, department_id: str) -> str:
    """A joint task's subject id: the case and the co-department."""
    return f"{case_id}:{department_id}"


def case_limits(case: Case) -> dict[str, LimitData]:
    """The limits that run (or are paused) in the case's state, by limit id."""
    found: list[LimitData] = []
    common = {"context": CONTEXT, "version": case.version, "label": case.case_number, "title": case.item.name}
    common["region_code"] = case.item.region_code
    if case.state in UNDER_REVIEW and case.deadlines is not None:
        clock = case.deadlines
        paused = case.state not in CLOCK_RUNNING or clock.suspended_since is not None
        extension = clock.extension.working_days if clock.extension else 0
        for name, due_on, days in (
            ("legal", clock.legal_due_on, clock.legal_days + extension),
            ("promised", clock.promised_due_on, clock.promised_days),
        ):
            found.append(
                LimitData(
                    **common,
                    limit_id=limit_key(CONTEXT, CASE, case.case_id, name),
                    subject_kind=CASE,
                    subject_id=case.case_id,
                    name=name,
                    department_id=case.item.department_id,
                    handler_subject_id=case.handler_subject_id,
                    started_on=clock.started_on,
                    due_on=due_on,
                    limit_days=days,
                    paused=paused,
                    paused_days=clock.suspended_working_days,
                )
            )
        for task in case.joint_tasks:
            if task.state is not TaskState.OPEN:
                continue
            subject = task_subject(case.case_id, task.department_id)
            found.append(
                LimitData(
                    **common,
                    limit_id=limit_key(CONTEXT, JOINT_TASK, subject, "task"),
                    subject_kind=JOINT_TASK,
                    subject_id=subject,
                    name="task",
                    department_id=task.department_id,
                    handler_subject_id=task.handler_subject_id,
                    started_on=task.opened_on,
                    due_on=task.due_on,
                    limit_days=task.limit_days,
                    paused=paused,
                    paused_days=task.suspended_working_days,
                )
            )
    if case.state in LICENCE_CLOCK and case.licence_clock is not None:
        found.append(
            LimitData(
                **common,
                limit_id=limit_key(CONTEXT, CASE, case.case_id, "licence"),
                subject_kind=CASE,
                subject_id=case.case_id,
                name="licence",
                department_id=case.item.department_id,
                handler_subject_id=case.handler_subject_id,
                started_on=case.licence_clock.started_on,
                due_on=case.licence_clock.due_on,
                limit_days=case.licence_clock.limit_days,
            )
        )
    if case.renews is not None and case.state in RENEWAL_PENDING and case.first_received_at is not None:
        started_on = case.first_received_at.astimezone(SHANGHAI).date()
        due_on = case.renews.decide_by
        found.append(
            LimitData(
                **common,
                limit_id=limit_key(CONTEXT, CASE, case.case_id, "renewal"),
                subject_kind=CASE,
                subject_id=case.case_id,
                name="renewal",
                department_id=case.item.department_id,
                handler_subject_id=case.handler_subject_id,
                started_on=started_on,
                due_on=due_on,
                limit_days=calendar_for(started_on).working_days_between(started_on, due_on).working_days,
            )
        )
    return {limit.limit_id: limit for limit in found}


def _reason(limit: LimitData, after: Case) -> str:
    """Why a limit ended: the case's new state (`approved`, `denied`, `withdrawn`, …), a
    joint task's opinion (`task_approved`, `task_denied`), or `licence_issued`."""
    if limit.subject_kind == JOINT_TASK:
        task = next(
            (t for t in after.joint_tasks if task_subject(after.case_id, t.department_id) == limit.subject_id), None
        )
        if task is not None and task.state is not TaskState.OPEN and after.state in UNDER_REVIEW:
            return f"task_{task.state.value}"
    if limit.name == "licence" and after.state is not CaseState.WITHDRAWN:
        return "licence_issued"
    return after.state.value


def limit_events(before: Case | None, after: Case, correlation_id: str | None) -> list[Envelope]:
    """`limit.set` for every limit that started or moved, `limit.cleared` for every one that
    ended; several in one `limits.changed` (D-340)."""
    found = case_limits(before) if before is not None else {}
    now_running = case_limits(after)
    started = [
        limit
        for limit_id, limit in now_running.items()
        if (earlier := found.get(limit_id)) is None
        or earlier.model_dump(exclude={"version"}) != limit.model_dump(exclude={"version"})
    ]
    ended = [
        LimitClearedData(
            **limit.model_dump(include=set(LimitClearedData.model_fields) - {"reason", "version"}),
            version=after.version,
            reason=_reason(limit, after),
        )
        for limit_id, limit in found.items()
        if limit_id not in now_running
    ]
    return limit_changes(CONTEXT, after.case_id, started, ended, correlation_id=correlation_id)
