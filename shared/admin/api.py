"""The admin context's public module (D-045: names load on first use)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.admin.consumers import admin_consumer
    from shared.admin.ports import wire
    from shared.admin.routes import router

__all__ = ["admin_consumer", "router", "wire"]

__getattr__ = lazy_exports(
    globals(),
    {"router": ".routes", "admin_consumer": ".consumers", "wire": ".ports"},
)
