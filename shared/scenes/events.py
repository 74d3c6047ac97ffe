"""Events the scenes context publishes (source `jszw.scenes`), through the outbox
in the same transaction as the change they describe.

- `scene_application.submitted`: the combined form was submitted; its cases' ids,
  the form and the shared materials (cases: `scene_case_opener` opens one case per item).
- `scene_application.completed`: every case of the application is finished
  (notifications: the applicant's message).

`subject` is the application id. Data never holds a person's name or number.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.platform.events import register_event_type
from shared.platform.ids import derived_id

SOURCE = "scenes"
SUBMITTED = "scene_application.submitted"
COMPLETED = "scene_application.completed"


def scene_case_id(application_id: str, implementation_code: str) -> str:
    """The id of the case an application opens for an item, fixed before it exists."""
    return derived_id(application_id, implementation_code)


class SceneCaseRef(BaseModel):
    model_config = ConfigDict(defer_build=True)

    implementation_code: str
    case_id: str


class SharedMaterialRef(BaseModel):
    """A file uploaded once for the application: copied into each case whose item asks its slot."""

    model_config = ConfigDict(defer_build=True)

    slot_id: str
    key: str
    implementation_code: str | None = None  # only this item's case; None: every case asking the slot


class SceneFacts(BaseModel):
    """What every scene application event carries."""

    model_config = ConfigDict(defer_build=True)

    application_id: str
    scene_id: str
    scene_name: str
    region_code: str
    notify_subject_id: str
    applicant_uscc: str | None = None


class SceneSubmittedData(SceneFacts):
    form: dict[str, Any]
    cases: list[SceneCaseRef]
    materials: list[SharedMaterialRef]


class SceneCompletedData(SceneFacts):
    cases: int
    # how many of them ended with the result asked for (办结 after an approval)
    completed: int


register_event_type(
    SUBMITTED,
    SceneSubmittedData,
    "A scene application (一件事) was submitted: one case per item to open, with the one form and shared materials.",
)
register_event_type(
    COMPLETED, SceneCompletedData, "Every case of a scene application (一件事) is finished; the scene is complete."
)
