"""The exchange context's public module. Other contexts and the functions
import only this module and `shared.exchange.events`.

Names load on first use (`shared.platform.public`, D-045).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.exchange.national import push_day
    from shared.exchange.ports import wire
    from shared.exchange.routes import router
    from shared.exchange.service import ExchangeService, NotYet, Outcome, exchange_service
    from shared.exchange.store import STORED_EVENTS, store_batch, store_one

__all__ = [
    "STORED_EVENTS",
    "ExchangeService",
    "NotYet",
    "Outcome",
    "exchange_service",
    "push_day",
    "router",
    "store_batch",
    "store_one",
    "wire",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "wire": ".ports",
        "ExchangeService": ".service",
        "NotYet": ".service",
        "Outcome": ".service",
        "exchange_service": ".service",
        "STORED_EVENTS": ".store",
        "store_batch": ".store",
        "store_one": ".store",
        "push_day": ".national",
    },
)
