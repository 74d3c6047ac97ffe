"""The projects context's settings (投资项目, C24)."""

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class ProjectsSettings(EnvironmentSettings):
    projects_table: str
    projects_bucket: str = Field(description="Filing notices (filing-notices/<project_id>.pdf).")
    project_serial_shards: int = Field(
        default=8,
        ge=1,
        le=64,
        description=(
            "Counter shards per year and division: parallel registrations spread over them "
            "(serial = shard + 1 + n x shards), so they seldom contend for one item."
        ),
    )


projects_settings = reader(ProjectsSettings)
