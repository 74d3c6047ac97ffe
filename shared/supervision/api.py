"""The supervision context's public module. Other contexts and the functions
import only this module and `shared.supervision.events`.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start. Keep additions additive: monitoring and
scorecards export from here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.supervision.monitoring_consumer import apply_batch, monitoring_dispatcher
    from shared.supervision.monitoring_routes import monitoring_router
    from shared.supervision.monitoring_service import Monitoring, MonitoringView, Scorecards, monitoring, scoped_region
    from shared.supervision.routes import router
    from shared.supervision.service import SupervisionService, supervision_service
    from shared.supervision.warnings import SweepResult, WarningPolicy
    from shared.supervision.watcher import LimitsWatcher, Watched, limits_watcher

__all__ = [
    "LimitsWatcher",
    "Monitoring",
    "MonitoringView",
    "Scorecards",
    "SupervisionService",
    "SweepResult",
    "WarningPolicy",
    "Watched",
    "apply_batch",
    "limits_watcher",
    "monitoring",
    "monitoring_dispatcher",
    "monitoring_router",
    "router",
    "scoped_region",
    "supervision_service",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "monitoring_dispatcher": ".monitoring_consumer",
        "apply_batch": ".monitoring_consumer",
        "monitoring_router": ".monitoring_routes",
        "Monitoring": ".monitoring_service",
        "MonitoringView": ".monitoring_service",
        "Scorecards": ".monitoring_service",
        "monitoring": ".monitoring_service",
        "scoped_region": ".monitoring_service",
        "LimitsWatcher": ".watcher",
        "Watched": ".watcher",
        "limits_watcher": ".watcher",
        "SupervisionService": ".service",
        "supervision_service": ".service",
        "SweepResult": ".warnings",
        "WarningPolicy": ".warnings",
    },
)
