"""The queries context's public module. Other contexts and the functions import only
this module.

Names load on first use (`shared.platform.public`, D-045): importing this module costs
nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.queries.ports import wire
    from shared.queries.routes import router

__all__ = ["router", "wire"]

__getattr__ = lazy_exports(globals(), {"router": ".routes", "wire": ".ports"})
