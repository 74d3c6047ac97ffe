"""The operator's write requests (drafts, publish, retire, synonyms, departments): bodies only
the catalogue-management routes and the seeding accept. Apart from `shared.catalog.models` so that
catalog_api's read routes never create these classes: the routes name them through
`lazy_module` and they load with the first write request (D-316).
"""

from typing import Annotated

from pydantic import Field, StringConstraints

from shared.catalog.models import (
    CONTENT_FIELDS,
    MAX_REVISION,
    BasicCodeText,
    DepartmentId,
    ImplementationCodeText,
    ItemContent,
    RegionCode,
    ShortText,
    Uscc,
    _Input,
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
