"""What the reports context needs from others: the supervision context's month counters and
scorecards (pre-aggregated: a report never reads cases). Wired by the function entry points
through `reports_service()`; tests may hand in their own."""

from __future__ import annotations

from typing import Protocol

from shared.platform.errors import NotFound
from shared.supervision.api import MonitoringView, Scorecards, monitoring


class MonthSource(Protocol):
    def month_view(self, region_code: str, month: str) -> MonitoringView:
        """The month's figures of the region, its sub-regions and its own departments (one Query)."""
        ...

    def ranking(self, region_code: str, month: str) -> list[tuple[int, str, float]] | None:
        """The region's closed scorecard of the month as (rank, department, score), best first;
        None when the month is not closed."""
        ...

    def active_regions(self, month: str, province: str) -> list[str]:
        """Every region with counts in the month."""
        ...


class SupervisionSource:
    """The supervision context's monitoring counters and closed scorecards (its public api)."""

    def month_view(self, region_code: str, month: str) -> MonitoringView:
        return monitoring().month_view(region_code, month)

    def ranking(self, region_code: str, month: str) -> list[tuple[int, str, float]] | None:
        try:
            card = Scorecards(monitoring()).stored(region_code, month)
        except NotFound:
            return None
        ranked = [d for d in card.departments if d.score is not None and d.rank is not None]
        ranked.sort(key=lambda d: (d.rank or 0, d.department_id))
        return [(d.rank or 0, d.department_id, float(d.score or 0)) for d in ranked]

    def active_regions(self, month: str, province: str) -> list[str]:
        return monitoring().active_regions(month, province)
