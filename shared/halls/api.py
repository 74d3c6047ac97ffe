"""The halls context's public module; other contexts and functions import only this."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.halls.models import Booking, Hall
    from shared.halls.service import HallsService

__all__ = ["Booking", "Hall", "HallsService"]

__getattr__ = lazy_exports(globals(), {"Booking": ".models", "Hall": ".models", "HallsService": ".service"})
