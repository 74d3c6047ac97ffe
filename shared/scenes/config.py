"""The scenes context's settings (一件事, D-279)."""

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class ScenesSettings(EnvironmentSettings):
    scenes_table: str
    materials_bucket: str = Field(
        default="",
        description=(
            "The materials bucket: shared uploads of a scene application go under "
            "`scene-uploads/<subject>/<material_id>` until its cases copy them in (scenes_api only)."
        ),
    )
    scene_upload_ttl_s: int = Field(default=900, ge=60, le=3600, description="How long an upload form is valid.")


scenes_settings = reader(ScenesSettings)
