"""The reports context's month source over the supervision context's public api: monitoring
month counters and closed scorecards (wired into `ports.supervision` by the entry points)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shared.supervision.api as supervision
from shared.platform.errors import NotFound

if TYPE_CHECKING:
    from shared.supervision.api import MonitoringView


class SupervisionSource:
    """The supervision context's monitoring counters and closed scorecards (its public api, whose
    names load with the first report generated, not at ReportsApiFunction's cold start: D-338)."""

    def month_view(self, region_code: str, month: str) -> MonitoringView:
        return supervision.monitoring().month_view(region_code, month)

    def ranking(self, region_code: str, month: str) -> list[tuple[int, str, float]] | None:
        try:
            card = supervision.Scorecards(supervision.monitoring()).stored(region_code, month)
        except NotFound:
            return None
        ranked = [d for d in card.departments if d.score is not None and d.rank is not None]
        ranked.sort(key=lambda d: (d.rank or 0, d.department_id))
        return [(d.rank or 0, d.department_id, float(d.score or 0)) for d in ranked]

    def active_regions(self, month: str, province: str) -> list[str]:
        return supervision.monitoring().active_regions(month, province)
