"""The reports context's public module: the functions import only this.

Names load on first use (`shared.platform.public`, D-045)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.reports.analytics_consumer import analytics_apply_batch, analytics_apply_record, analytics_dispatcher
    from shared.reports.analytics_routes import analytics_router
    from shared.reports.ports import wire
    from shared.reports.routes import router
    from shared.reports.service import ReportsService, checked_month, reports_service
    from shared.reports.supervision_source import SupervisionSource

__all__ = [
    "ReportsService",
    "SupervisionSource",
    "analytics_apply_batch",
    "analytics_apply_record",
    "analytics_dispatcher",
    "analytics_router",
    "checked_month",
    "reports_service",
    "router",
    "wire",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "analytics_apply_batch": ".analytics_consumer",
        "analytics_apply_record": ".analytics_consumer",
        "analytics_dispatcher": ".analytics_consumer",
        "analytics_router": ".analytics_routes",
        "router": ".routes",
        "ReportsService": ".service",
        "checked_month": ".service",
        "reports_service": ".service",
        "SupervisionSource": ".supervision_source",
        "wire": ".ports",
    },
)
