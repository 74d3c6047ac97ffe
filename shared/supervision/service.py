"""The supervision context's use cases, composed over one repository: the limits
watcher, the warning sweep and list (and supervision orders, `orders`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from shared.supervision.orders import Orders
from shared.supervision.repository import SupervisionRepository
from shared.supervision.warnings import SweepResult, WarningPolicy, Warnings
from shared.supervision.watcher import LimitsWatcher


class SupervisionService:
    def __init__(self, repository: SupervisionRepository | None = None) -> None:
        self.repository = repository or SupervisionRepository()
        self.watcher = LimitsWatcher(self.repository)
        self.warnings = Warnings(self.repository)
        self.orders = Orders(self.repository)

    def sweep(
        self,
        today: dt.date,
        policy: WarningPolicy,
        *,
        correlation_id: str | None,
        keep_going: Callable[[], bool] = lambda: True,
    ) -> SweepResult:
        """The scheduled sweep: warnings on every limit, escalation of unanswered orders."""
        return self.warnings.sweep(
            today, policy, correlation_id=correlation_id, keep_going=keep_going, escalate=self.orders.escalate_overdue
        )


@cache
def supervision_service() -> SupervisionService:
    return SupervisionService()
