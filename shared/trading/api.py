"""The trading context's public module. Other contexts and the functions import only this
module and `shared.trading.events`. Names load on first use (D-045)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.trading.consumers import trading_consumer
    from shared.trading.credit import credit_platform
    from shared.trading.ports import wire
    from shared.trading.routes import router
    from shared.trading.service import trading_service

__all__ = ["credit_platform", "router", "trading_consumer", "trading_service", "wire"]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "trading_service": ".service",
        "wire": ".ports",
        "credit_platform": ".credit",
        "trading_consumer": ".consumers",
    },
)
