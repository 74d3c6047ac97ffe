"""The catalogue's public module. Other contexts and the functions import only
this module and `shared.catalog.events`.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.catalog.codes import (
        IMPLEMENTATION_CODE_PATTERN,
        implementation_code_for,
        make_government_uscc,
        parent_region,
    )
    from shared.catalog.form_identity import IDENTITY_BINDINGS, IDENTITY_KEYWORD, identity_bindings
    from shared.catalog.licence_types import record_licence_type
    from shared.catalog.models import Department, ItemDetail, SceneAnswers
    from shared.catalog.open_data import snapshot_key, write_region_snapshot
    from shared.catalog.routes import router
    from shared.catalog.service import (
        CatalogService,
        claim_item,
        department_name,
        departments_implementing,
        departments_in,
    )
    from shared.catalog.writes import NewItem

__all__ = [
    "IDENTITY_BINDINGS",
    "IDENTITY_KEYWORD",
    "IMPLEMENTATION_CODE_PATTERN",
    "CatalogService",
    "Department",
    "ItemDetail",
    "NewItem",
    "SceneAnswers",
    "claim_item",
    "department_name",
    "departments_implementing",
    "departments_in",
    "identity_bindings",
    "implementation_code_for",
    "make_government_uscc",
    "parent_region",
    "record_licence_type",
    "router",
    "snapshot_key",
    "write_region_snapshot",
]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "CatalogService": ".service",
        "department_name": ".service",
        "departments_in": ".service",
        "departments_implementing": ".service",
        "claim_item": ".service",
        "Department": ".models",
        "NewItem": ".writes",
        "ItemDetail": ".models",
        "SceneAnswers": ".models",
        "record_licence_type": ".licence_types",
        "snapshot_key": ".open_data",
        "write_region_snapshot": ".open_data",
        "parent_region": ".codes",
        "IMPLEMENTATION_CODE_PATTERN": ".codes",
        "make_government_uscc": ".codes",
        "implementation_code_for": ".codes",
        "IDENTITY_BINDINGS": ".form_identity",
        "IDENTITY_KEYWORD": ".form_identity",
        "identity_bindings": ".form_identity",
    },
)
