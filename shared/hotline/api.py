"""The hotline context's public module. Other contexts and the functions import only
this module and `shared.hotline.events`.

Names load on first use (`shared.platform.public`, D-045): importing this module costs
nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.hotline.notify import tell_answered
    from shared.hotline.open311 import router as open311_router
    from shared.hotline.ports import Guide, wire
    from shared.hotline.routes import router
    from shared.hotline.service import HotlineService, hotline_service

__all__ = ["Guide", "HotlineService", "hotline_service", "open311_router", "router", "tell_answered", "wire"]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "open311_router": ".open311",
        "Guide": ".ports",
        "wire": ".ports",
        "HotlineService": ".service",
        "hotline_service": ".service",
        "tell_answered": ".notify",
    },
)
