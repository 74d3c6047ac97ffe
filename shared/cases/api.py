"""The cases context's public module: the façade, its entry-point wiring and
what the licences context may ask of a case. Other contexts and the functions
import only this module and `shared.cases.events`.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.cases.department_systems import act_as_department_system
    from shared.cases.fulfilment import STEP_EVENTS, StepOutcome
    from shared.cases.licence_materials import CaseApplicant, case_for_licence_query
    from shared.cases.ports import ItemSource, LicenceReuse, wire
    from shared.cases.routes import router
    from shared.cases.service import CasesService, cases_service, clear_caches, preload
    from shared.cases.shapes import FormUpdate, NewCase, SubmitRequest

__all__ = [
    "STEP_EVENTS",
    "CaseApplicant",
    "CasesService",
    "FormUpdate",
    "ItemSource",
    "LicenceReuse",
    "NewCase",
    "StepOutcome",
    "SubmitRequest",
    "act_as_department_system",
    "case_for_licence_query",
    "cases_service",
    "clear_caches",
    "preload",
    "router",
    "wire",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "act_as_department_system": ".department_systems",
        "CasesService": ".service",
        "cases_service": ".service",
        "clear_caches": ".service",
        "preload": ".service",
        "wire": ".ports",
        "LicenceReuse": ".ports",
        "ItemSource": ".ports",
        "STEP_EVENTS": ".fulfilment",
        "StepOutcome": ".fulfilment",
        "CaseApplicant": ".licence_materials",
        "case_for_licence_query": ".licence_materials",
        # another context opening a case on the applicant's behalf (projects: the approval case, D-307)
        "NewCase": ".shapes",
        "FormUpdate": ".shapes",
        "SubmitRequest": ".shapes",
    },
)
