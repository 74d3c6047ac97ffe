"""The projects context's public module. Other contexts and the functions
import only this module and `shared.projects.events`.

Names load on first use (`shared.platform.public`, D-045)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.projects.case_adapter import CasesApprovalCases
    from shared.projects.codes import check_code, make_code
    from shared.projects.consumers import projects_consumer
    from shared.projects.ports import wire
    from shared.projects.routes import router
    from shared.projects.service import projects_service

__all__ = [
    "CasesApprovalCases",
    "check_code",
    "make_code",
    "projects_consumer",
    "projects_service",
    "router",
    "wire",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "projects_service": ".service",
        "check_code": ".codes",
        "make_code": ".codes",
        "wire": ".ports",
        "CasesApprovalCases": ".case_adapter",
        "projects_consumer": ".consumers",
    },
)
