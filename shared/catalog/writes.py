"""The operator's shapes: the write requests (drafts, publish, retire, synonyms, departments) only
the catalogue-management routes and the seeding accept, the draft they answer with, and the basic
item with its caps (三级四同, 限高) that every write checks. Apart from `shared.catalog.models` so that
catalog_api's read routes never create these classes: the routes, the service and the repository
name them through `lazy_module` and they load with the first write or operator read (D-316).
"""

from typing import Annotated

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from shared.catalog.codes import ItemType
from shared.catalog.models import (
    CONTENT_FIELDS,
    MAX_REVISION,
    BasicCodeText,
    DepartmentId,
    ImplementationCodeText,
    ItemContent,
    ItemIdentity,
    RegionCode,
    ShortText,
    Uscc,
    _Input,
    _Shape,
)


class NewDepartment(_Input):
    id: DepartmentId
    name: ShortText
    uscc: Uscc
    region_code: RegionCode
    sector: Annotated[str, Field(pattern=r"^[a-z_]{2,40}$")] | None = None


class NewItem(ItemContent):
    """Body of `POST /v1/items`: the first draft of a new implementation."""

    implementation_code: ImplementationCodeText
    basic_code: BasicCodeText
    department_id: DepartmentId
    region_code: RegionCode
    note: ShortText | None = Field(default=None, description="Why the item is added (kept in the change history).")


class DraftUpdate(ItemContent):
    """Body of `PUT /v1/items/{item_code}/draft`: the whole guide as it should be.

    `revision` is the draft revision the editor started from; 0 means "no
    draft yet: start one from the published version".
    """

    revision: int = Field(
        ge=0, le=MAX_REVISION, description="Revision of the draft being replaced; 0 when starting a new draft."
    )
    note: ShortText | None = None
    clear_fields: list[str] = Field(
        default_factory=list,
        max_length=len(CONTENT_FIELDS),
        description=(
            "Guide fields to reset to their defaults on purpose. A field the current draft or published "
            "version sets (e.g. result_licence_type_code) that the body leaves out is refused with 422 "
            "catalog.draft_drops_fields unless it is named here: a full-replace PUT must not lose it silently."
        ),
    )


class PublishRequest(_Input):
    revision: int | None = Field(
        default=None,
        ge=1,
        le=MAX_REVISION,
        description="The draft revision that was reviewed; refused with 409 if it moved on.",
    )
    note: ShortText | None = Field(default=None, description="Change note for the history (变更说明).")


class RetireRequest(_Input):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)] = Field(
        description="Why the item is retired (取消/下线原因); shown in the change history."
    )


class SynonymUpdate(_Input):
    means: Annotated[
        str,
        Field(
            min_length=1,
            max_length=40,
            examples=["驾驶证"],
            description="The keyword(s) searched instead, as the catalogue names the thing (space-separated).",
        ),
    ]


class ItemDraft(ItemContent, ItemIdentity):
    """The editable draft of an implementation (operators only)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    revision: int
    based_on_version: int = Field(description="The published version this draft started from; 0 if never published.")
    changed_fields: list[str] = Field(description="Fields that differ from the version it is based on.")
    note: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    updated_by: str


class ItemCaps(_Input):
    """限高 (C29, D-173): the most any implementation of a basic item may ask of
    an applicant; a cap left out (null) does not limit."""

    max_materials: int | None = Field(default=None, ge=0, le=60, description="Most materials (申请材料) in the guide.")
    max_legal_limit_days: int | None = Field(
        default=None, ge=1, le=365, description="Longest legal limit (法定办结时限), working days."
    )
    max_fee_fen: int | None = Field(
        default=None, ge=0, le=100_000_000_00, description="Highest total of the fees, in fen (分)."
    )


class BasicItem(_Shape):
    """基本目录事项: the four 三级四同 fields every implementation must repeat,
    and the caps (限高) none may exceed."""

    basic_code: str
    name: str
    item_type: ItemType
    legal_basis: str
    fingerprint: str
    created_at: AwareDatetime
    created_by_implementation: str
    caps: ItemCaps | None = None
    caps_revision: int = Field(default=0, description="Bumped by every change of the caps (guards racing writes).")
