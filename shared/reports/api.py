"""The reports context's public module: the functions import only this.

Names load on first use (`shared.platform.public`, D-045)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.reports.routes import router
    from shared.reports.service import ReportsService, checked_month, previous_month, reports_service

__all__ = ["ReportsService", "checked_month", "previous_month", "reports_service", "router"]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "ReportsService": ".service",
        "checked_month": ".service",
        "previous_month": ".service",
        "reports_service": ".service",
    },
)
