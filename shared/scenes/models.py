"""The scenes context's records and API shapes (一件事, D-279)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

APPLICATION_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
SCENE_ID_PATTERN = r"^[0-9]{6}-[a-z][a-z0-9-]{1,40}$"
SLOT_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"

MaterialId = Annotated[str, Field(pattern=APPLICATION_ID_PATTERN)]
SlotId = Annotated[str, Field(pattern=SLOT_ID_PATTERN)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class SharedMaterial(_Input):
    slot_id: SlotId
    material_id: MaterialId = Field(description="From `POST /v1/scene-uploads`, after the file was posted.")
    implementation_code: Annotated[str, Field(pattern=r"^[0-9A-Z]{20,40}$")] | None = Field(
        default=None,
        description=(
            "Only for this item's case: where two items' slots share an id but are different documents "
            "(each item's `application_form`). Omitted: every selected item asking the slot gets it."
        ),
    )


class SceneSubmission(_Input):
    """Body of `POST /v1/scene-applications`: the answers, the ONE combined form and the
    shared materials, each uploaded once."""

    scene_id: Annotated[str, Field(pattern=SCENE_ID_PATTERN, examples=["320102-restaurant"])]
    answers: dict[Annotated[str, Field(max_length=31)], Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict, max_length=10, description="question_id → the chosen option, as for the guide."
    )
    form: dict[Annotated[str, Field(max_length=64)], Any] = Field(
        default_factory=dict, max_length=200, description="The combined form's fields (each asked once)."
    )
    materials: list[SharedMaterial] = Field(default_factory=list, max_length=50)


class SceneUploadRequest(_Input):
    """Body of `POST /v1/scene-uploads`: one file of one shared material."""

    slot_id: SlotId
    file_name: Annotated[str, Field(min_length=1, max_length=200)]
    content_type: Annotated[str, Field(min_length=3, max_length=100)]
    size_bytes: int = Field(gt=0, le=100 * 1024 * 1024)
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class SceneUploadTicket(BaseModel):
    model_config = ConfigDict(defer_build=True)

    material_id: str
    slot_id: str
    url: str
    fields: dict[str, str]
    expires_at: dt.datetime


class ApplicationState(StrEnum):
    SUBMITTED = "submitted"  # 已提交: its cases are being handled
    COMPLETED = "completed"  # 已办结: every case is finished


class SceneCase(BaseModel):
    """One item of the application and its case, as the case events last said."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    implementation_code: str
    item_name: str
    department_id: str
    department_name: str
    case_id: str
    case_number: str | None = Field(default=None, description="Known once the case exists.")
    state: str | None = Field(default=None, description="The case's state; null until it is opened.")
    case_version: int = Field(default=0, description="The case version the state is from (older events are ignored).")
    finished: bool = False


class SceneApplication(BaseModel):
    """A scene application (一件事申请) and its one progress view."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    application_id: str
    scene_id: str
    scene_name: str
    region_code: str
    applicant_subject_id: str
    applicant_uscc: str | None = None
    state: ApplicationState
    answers: dict[str, str]
    cases: list[SceneCase]
    submitted_at: dt.datetime
    completed_at: dt.datetime | None = None
    version: int = 1

    def record(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
