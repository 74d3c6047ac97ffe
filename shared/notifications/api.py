"""The notifications context's public module (message center). Other contexts
and the functions import only this module.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.notifications.consumers import messages_for
    from shared.notifications.routes import router
    from shared.notifications.service import inbox_service

__all__ = [
    "inbox_service",
    "messages_for",
    "router",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "messages_for": ".consumers",
        "inbox_service": ".service",
    },
)
