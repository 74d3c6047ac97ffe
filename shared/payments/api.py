"""The payments context's public module. Other contexts and the functions
import only this module and `shared.payments.events`.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.payments.callbacks import callback_handler
    from shared.payments.channel import MalformedNotification, parse_queue_message
    from shared.payments.models import Via
    from shared.payments.reconciliation import reconcile, report_key
    from shared.payments.routes import callbacks_router, router
    from shared.payments.service import payments_service
    from shared.payments.signing import channels

__all__ = [
    "MalformedNotification",
    "Via",
    "callback_handler",
    "callbacks_router",
    "channels",
    "parse_queue_message",
    "payments_service",
    "reconcile",
    "report_key",
    "router",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "callbacks_router": ".routes",
        "callback_handler": ".callbacks",
        "MalformedNotification": ".channel",
        "parse_queue_message": ".channel",
        "Via": ".models",
        "channels": ".signing",
        "payments_service": ".service",
        "reconcile": ".reconciliation",
        "report_key": ".reconciliation",
    },
)
