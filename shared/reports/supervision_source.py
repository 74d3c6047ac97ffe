"""The reports context's month source over the supervision context's public api: monitoring
month counters and closed scorecards (wired into `ports.supervision` by the entry points)."""

from __future__ import annotations

from shared.platform.errors import NotFound
from shared.supervision.api import MonitoringView, Scorecards, monitoring


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
