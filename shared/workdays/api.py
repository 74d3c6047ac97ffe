"""The working-day calendar's public module (reference data every context
counts days with). Other contexts and the functions import only this module.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.workdays.models import Deadline, WorkingDayCount
    from shared.workdays.routes import router
    from shared.workdays.rules import Calendar
    from shared.workdays.service import calendar, deadline, readiness

__all__ = [
    "Calendar",
    "Deadline",
    "WorkingDayCount",
    "calendar",
    "deadline",
    "readiness",
    "router",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "calendar": ".service",
        "deadline": ".service",
        "readiness": ".service",
        "Calendar": ".rules",
        "Deadline": ".models",
        "WorkingDayCount": ".models",
    },
)
