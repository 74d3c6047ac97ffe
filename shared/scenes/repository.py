"""The Scenes table (一件事, D-279).

| item         | pk                    | sk    | notes |
|--------------|-----------------------|-------|-------|
| application  | `APP#<application_id>`| `APP` | gsi1: `OWNER#<subject>` / `<submitted_at>#<id>` |
| outbox       | as every table (shared.platform.dynamo) | | |

Every change is one transaction: the application, conditional on the version
read, and its outbox event.
"""

from __future__ import annotations

from typing import Any

from shared.platform.dynamo import Repository, values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.scenes.config import scenes_settings
from shared.scenes.models import SceneApplication


def application_key(application_id: str) -> dict[str, str]:
    return {"pk": f"APP#{application_id}", "sk": "APP"}


class ApplicationMoved(Conflict):
    """Another writer changed the application since it was read: read again."""


class ScenesRepository(Repository):
    def configured_table(self) -> str:
        return scenes_settings().scenes_table

    def application(self, application_id: str) -> SceneApplication | None:
        item = self.get_item(application_key(application_id), consistent=True)
        return SceneApplication.model_validate(item) if item else None

    def _item(self, application: SceneApplication) -> dict[str, Any]:
        return (
            application.record()
            | application_key(application.application_id)
            | {
                "kind": "scene_application",
                "gsi1pk": f"OWNER#{application.applicant_subject_id}",
                "gsi1sk": f"{application.submitted_at.isoformat()}#{application.application_id}",
            }
        )

    def create(self, application: SceneApplication, event: Envelope) -> None:
        tx = self.transaction()
        tx.put(self._item(application), condition="attribute_not_exists(pk)")
        tx.emit(event)
        tx.commit()

    def save(self, application: SceneApplication, *, expected_version: int, events: list[Envelope]) -> None:
        """The changed application, if nobody changed it since `expected_version` was read."""
        tx = self.transaction()
        tx.put(
            self._item(application),
            condition="version = :expected",
            values=values(expected=expected_version),
            on_conflict=ApplicationMoved(),
        )
        for event in events:
            tx.emit(event)
        tx.commit()
