"""The delivery context's public module. Other contexts and the functions
import only this module and `shared.delivery.events`.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.delivery.partner import UnmappableMessage, to_update
    from shared.delivery.ports import wire
    from shared.delivery.routes import router
    from shared.delivery.service import UnknownRegion, UnknownShipment, UnknownWaybill, delivery_service

__all__ = [
    "UnknownRegion",
    "UnknownShipment",
    "UnknownWaybill",
    "UnmappableMessage",
    "delivery_service",
    "router",
    "to_update",
    "wire",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "UnmappableMessage": ".partner",
        "to_update": ".partner",
        "UnknownRegion": ".service",
        "UnknownShipment": ".service",
        "UnknownWaybill": ".service",
        "delivery_service": ".service",
        "wire": ".ports",
    },
)
