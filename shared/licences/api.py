"""The e-licences context's public module. Other contexts and the functions
import only this module and `shared.licences.events`.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.licences.ports import wire
    from shared.licences.routes import router
    from shared.licences.service import IssuanceRefused, LicencesService, licences_service
    from shared.licences.types import licence_type, licence_type_status

__all__ = [
    "IssuanceRefused",
    "LicencesService",
    "licence_type",
    "licence_type_status",
    "licences_service",
    "router",
    "wire",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "IssuanceRefused": ".service",
        "LicencesService": ".service",
        "licences_service": ".service",
        "wire": ".ports",
        "licence_type": ".types",
        "licence_type_status": ".types",
    },
)
