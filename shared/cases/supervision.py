"""Supervision (效能监察, C26): the sweep that raises yellow and red warnings
against the promised and legal limits of running cases and the limits of open
joint tasks, and the supervisor's list of warnings within their region."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shared.workdays.api as workdays
from shared.cases import clock, events
from shared.cases.config import supervision_settings
from shared.cases.deadlines import calendar_for
from shared.cases.ledger import CaseLedger, moment
from shared.cases.models import Case, TaskState, WarningKind
from shared.cases.policy import Actor
from shared.cases.repository import DUE_SHARDS, city_prefixes
from shared.cases.states import CLOCK_RUNNING, LICENCE_CLOCK
from shared.platform.errors import Forbidden
from shared.platform.pagination import Page
from shared.platform.principal import Principal, Role

SYSTEM_SWEEP = Actor("system", "system:supervision_sweep 效能监察")
CASE_TARGET = "case"
LICENCE_TARGET = "licence"

Numbers = tuple[dt.date, int, int, int, str | None]
"""A warning's figures: due date, working days used, limit, left, and the staff to tell."""
Found = tuple[str, WarningKind, str, Numbers]
"""One warning the sweep found due: target, kind, level and its figures."""


@dataclass(frozen=True)
class WarningPolicy:
    """When the sweep warns: yellow once `yellow_share` of a limit is used or at most
    `yellow_days_left` working days remain; red when overdue. `horizon_days`: calendar
    days ahead the sweep reads (covers the yellow window of limits up to horizon in
    working days / (1 - share); longer limits warn on days left only)."""

    yellow_share: float
    yellow_days_left: int
    horizon_days: int

    @classmethod
    def configured(cls) -> WarningPolicy:
        """From the validated settings (SUPERVISION_YELLOW_SHARE, _YELLOW_DAYS_LEFT, _HORIZON_DAYS)."""
        config = supervision_settings()
        return cls(
            config.supervision_yellow_share, config.supervision_yellow_days_left, config.supervision_horizon_days
        )


@dataclass
class SupervisionResult:
    read: int = 0
    raised: list[str] = field(default_factory=list)
    already: int = 0
    finished: bool = True


class Supervision:
    """The deadline sweep and the warnings list."""

    def __init__(self, ledger: CaseLedger) -> None:
        self.ledger = ledger

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
        calendar = calendar_for(today)
        last_day = today + dt.timedelta(days=policy.horizon_days)
        for shard in range(DUE_SHARDS):
            due: list[tuple[Case, list[Found]]] = []
            for case in self.ledger.repository.watched_until(last_day, shard):
                result.read += 1
                if case.state in CLOCK_RUNNING and case.deadlines is not None:
                    levels = self._levels(case, today, calendar, policy)
                elif case.state in LICENCE_CLOCK and case.licence_clock is not None:
                    levels = _licence_levels(case, today, calendar, policy)
                else:
                    levels = []
                if levels:
                    due.append((case, levels))
            # one BatchGetItem per 100 candidate warnings: a re-run writes nothing it wrote before
            existing = self.ledger.repository.existing_warnings(
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

    def _levels(self, case: Case, today: dt.date, calendar: workdays.Calendar, policy: WarningPolicy) -> list[Found]:
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
            # days the case was suspended did not count against the task's limit either
            used = max(
                calendar.working_days_between(task.opened_on, today).working_days - task.suspended_working_days, 0
            )
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
        department = case.item.department_id if target in {CASE_TARGET, LICENCE_TARGET} else target
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
            "raised_at": moment().isoformat(),
        }
        return self.ledger.repository.put_warning(warning, envelope, case_version=case.version)

    def list_warnings(
        self,
        principal: Principal,
        *,
        region_code: str | None,
        department_id: str | None,
        level: str | None,
        kind: str | None = None,
        limit: int,
        cursor: str | None,
    ) -> Page[dict[str, Any]]:
        """Open warnings within the supervisor's region prefix (optionally narrowed),
        a page at a time, city partition by city partition, newest first in each."""
        if principal.role is not Role.SUPERVISOR or not principal.region_prefix:
            raise Forbidden()
        prefix = principal.region_prefix
        if region_code:
            if not region_code.startswith(prefix) and not prefix.startswith(region_code):
                raise Forbidden()
            prefix = region_code if len(region_code) > len(prefix) else prefix
        cities = [c for c in city_prefixes() if c.startswith(prefix[:4]) or prefix.startswith(c)]
        cities = [c for c in cities if c.startswith(prefix[:4])] if len(prefix) >= 4 else cities
        return self.ledger.repository.warnings_page(
            cities,
            region_prefix=prefix,
            department_id=department_id,
            level=level,
            kind=kind,
            limit=limit,
            cursor=cursor,
        )


def _licence_levels(case: Case, today: dt.date, calendar: workdays.Calendar, policy: WarningPolicy) -> list[Found]:
    """Art. 44: the licence within 10 working days of the approval, warned like any limit."""
    assert case.licence_clock is not None
    started = case.licence_clock
    used = max(calendar.working_days_between(started.started_on, today).working_days, 0)
    use = clock.Usage(
        limit_days=started.limit_days,
        used_days=used,
        left_days=started.limit_days - used,
        overdue=today > started.due_on,
        running=True,
    )
    numbers = (started.due_on, used, started.limit_days, use.left_days, case.handler_subject_id)
    return [(LICENCE_TARGET, WarningKind.LICENCE, level, numbers) for level in _level(use, policy)]


def _overdue(use: clock.Usage) -> list[str]:
    return ["yellow", "red"] if use.overdue else []


def _level(use: clock.Usage, policy: WarningPolicy) -> list[str]:
    """The levels that apply: red implies yellow too (each written once)."""
    if use.overdue:
        return ["yellow", "red"]
    if use.running and (use.share_used >= policy.yellow_share or use.left_days <= policy.yellow_days_left):
        return ["yellow"]
    return []
