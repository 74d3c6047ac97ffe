"""Warnings (效能监察预警, C26): the sweep that raises yellow and red warnings against
every running limit the watcher knows, whatever context runs it, and the
supervisors' list of open warnings within their region (D-116).

A limit's figures come from its facts and the platform calendar: working days used
= working days from `started_on` to today less `paused_days`; left = `limit_days`
less used; overdue once today is past `due_on`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import shared.workdays.api as workdays
from shared.platform.clock import now
from shared.platform.config import province_settings
from shared.platform.errors import Forbidden
from shared.platform.limits import LimitData
from shared.platform.pagination import Page
from shared.platform.principal import Principal, Role
from shared.supervision import events
from shared.supervision.config import warning_settings
from shared.supervision.models import Level, Usage, WarningView
from shared.supervision.repository import DUE_SHARDS, SupervisionRepository


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
        config = warning_settings()
        return cls(
            config.supervision_yellow_share, config.supervision_yellow_days_left, config.supervision_horizon_days
        )

    def levels(self, limit: LimitData, use: Usage) -> list[Level]:
        """The levels that apply: red implies yellow too (each written once). A limit of
        0 days (即办件: the day itself) warns only when broken."""
        if use.overdue:
            return [Level.YELLOW, Level.RED]
        if limit.limit_days <= 0:
            return []
        share_used = use.used_days / limit.limit_days
        if share_used >= self.yellow_share or use.left_days <= self.yellow_days_left:
            return [Level.YELLOW]
        return []


def usage(calendar: workdays.Calendar, limit: LimitData, today: dt.date) -> Usage:
    """Working days used of `limit` by the end of `today`, not counting paused days."""
    elapsed = calendar.working_days_between(limit.started_on, today).working_days
    used = max(elapsed - limit.paused_days, 0)
    return Usage(used_days=used, left_days=limit.limit_days - used, overdue=today > limit.due_on)


def calendar_for(day: dt.date) -> workdays.Calendar:
    """The working-day calendar with the years around `day`, read in one call."""
    return workdays.calendar(range(day.year - 1, day.year + 3))


@dataclass
class SweepResult:
    read: int = 0
    raised: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    already: int = 0
    finished: bool = True


Found = tuple[LimitData, Level, Usage]
ORDER_LIMITS = ("supervision", "order")
"""(context, subject kind) of a supervision order's reply limit."""


class Warnings:
    def __init__(self, repository: SupervisionRepository) -> None:
        self.repository = repository

    def sweep(
        self,
        today: dt.date,
        policy: WarningPolicy,
        *,
        correlation_id: str | None,
        keep_going: Callable[[], bool] = lambda: True,
        escalate: Callable[[LimitData, str | None], bool] | None = None,
    ) -> SweepResult:
        """Raise yellow / red warnings against every running limit due within the horizon,
        each once per (limit, level). Reads the due index shard by shard (never a Scan).
        `escalate` is told of every overdue supervision order's reply limit (D-117)."""
        result = SweepResult()
        calendar = calendar_for(today)
        last_day = today + dt.timedelta(days=policy.horizon_days)
        for shard in range(DUE_SHARDS):
            found: list[Found] = []
            for limit in self.repository.due_until(last_day, shard):
                result.read += 1
                use = usage(calendar, limit, today)
                found.extend((limit, level, use) for level in policy.levels(limit, use))
                is_order = (limit.context, limit.subject_kind) == ORDER_LIMITS
                # one level per run: an order escalated in this run is not escalated again by it
                fresh = limit.subject_id not in result.escalated
                if escalate and use.overdue and is_order and fresh and escalate(limit, correlation_id):
                    result.escalated.append(limit.subject_id)
            # one BatchGetItem per 100 candidate warnings: a re-run writes nothing it wrote before
            existing = self.repository.existing_warnings([(limit.limit_id, level.value) for limit, level, _ in found])
            for limit, level, use in found:
                if not keep_going():
                    result.finished = False
                    return result
                if (limit.limit_id, level.value) in existing or not self._raise(
                    limit, level, use, today, correlation_id
                ):
                    result.already += 1
                else:
                    result.raised.append(f"{limit.limit_id}:{level.value}")
        return result

    def _raise(self, limit: LimitData, level: Level, use: Usage, today: dt.date, correlation_id: str | None) -> bool:
        warning = WarningView(
            **limit.model_dump(include=set(WarningView.model_fields) & set(LimitData.model_fields)),
            level=level,
            used_days=use.used_days,
            left_days=use.left_days,
            raised_on=today,
            raised_at=now(),
        )
        data = events.WarningRaisedData(
            **warning.model_dump(include=set(events.WarningRaisedData.model_fields)),
            handler_subject_id=limit.handler_subject_id,
        )
        envelope = events.envelope(events.WARNING_RAISED, limit.subject_id, data, correlation_id)
        return self.repository.put_warning(warning, envelope, limit_version=limit.version)

    def list(
        self,
        principal: Principal,
        *,
        region_code: str | None,
        filters: dict[str, str | None],
        limit: int,
        cursor: str | None,
    ) -> Page[WarningView]:
        """Open warnings within the supervisor's region prefix (optionally narrowed to a
        sub-region), a page at a time, city partition by city partition, newest first."""
        prefix = supervisor_prefix(principal, region_code)
        return self.repository.warnings_page(
            cities_within(prefix),
            region_prefix=prefix,
            filters={k: v for k, v in filters.items() if v},
            limit=limit,
            cursor=cursor,
        )

    def list_for_department(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[WarningView]:
        """Open warnings of the staff member's own department within their region (the work queue's
        yellow and red): the supervisors' list narrowed to one department, nothing beside it."""
        if principal.role is not Role.STAFF or not principal.department_id or not principal.region_prefix:
            raise Forbidden()
        prefix = principal.region_prefix
        return self.repository.warnings_page(
            cities_within(prefix),
            region_prefix=prefix,
            filters={"department_id": principal.department_id},
            limit=limit,
            cursor=cursor,
        )


def supervisor_prefix(principal: Principal, region_code: str | None = None) -> str:
    """The region prefix a supervisor reads: their own, or a sub-region of it (403 outside)."""
    if principal.role is not Role.SUPERVISOR or not principal.region_prefix:
        raise Forbidden()
    prefix = principal.region_prefix
    if region_code:
        if not region_code.startswith(prefix) and not prefix.startswith(region_code):
            raise Forbidden()
        prefix = region_code if len(region_code) > len(prefix) else prefix
    return prefix


def cities_within(prefix: str) -> list[str]:
    """The list partitions (the province's cities, from the division table) a prefix covers."""
    cities = province_settings().province_cities
    return [c for c in cities if c.startswith(prefix[:4]) or (len(prefix) < 4 and c.startswith(prefix))]
