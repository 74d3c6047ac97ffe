"""The halls context's public module; other contexts and functions import only this."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.halls.models import Booking, Hall
    from shared.halls.routes import router
    from shared.halls.service import HallsService, halls_service

__all__ = ["Booking", "Hall", "HallsService", "halls_service", "router"]

__getattr__ = lazy_exports(
    globals(),
    {
        "Booking": ".models",
        "Hall": ".models",
        "HallsService": ".service",
        "halls_service": ".service",
        "router": ".routes",
    },
)
