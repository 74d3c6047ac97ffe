"""The projects context's public module. Other contexts and the functions
import only this module and `shared.projects.events`.

Names load on first use (`shared.platform.public`, D-045)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.projects.codes import check_code, make_code
    from shared.projects.routes import router
    from shared.projects.service import projects_service

__all__ = ["check_code", "make_code", "projects_service", "router"]

__getattr__ = lazy_exports(
    globals(),
    {"router": ".routes", "projects_service": ".service", "check_code": ".codes", "make_code": ".codes"},
)
