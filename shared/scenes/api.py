"""The scenes context's public module. Other contexts and the functions import only
this module and `shared.scenes.events`.

Names load on first use (`shared.platform.public`, D-045)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.scenes.consumers import scenes_consumer
    from shared.scenes.ports import wire
    from shared.scenes.routes import router
    from shared.scenes.service import scenes_service

__all__ = ["router", "scenes_consumer", "scenes_service", "wire"]

__getattr__ = lazy_exports(
    globals(),
    {"router": ".routes", "scenes_consumer": ".consumers", "scenes_service": ".service", "wire": ".ports"},
)
