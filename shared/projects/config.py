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

    project_approval_basic_code: str = Field(
        default="320101201000",
        pattern=r"^\d{12}$",
        description=(
            "Basic code (基本编码) of the joint approval item (企业投资项目核准并联审批) a project on the approval "
            "catalogue opens; the implementation is the project's division's, else the city's, else the province's."
        ),
    )
    project_change_threshold_percent: int = Field(
        default=20,
        ge=1,
        le=100,
        description=(
            "A change of total investment by more than this percentage of the filed amount is a change filing "
            "(备案变更) with its own notice, as is any change of location (《企业投资项目核准和备案管理条例》第十四条: "
            "较大变更 must be told to the filing authority). The 20 % is OUR reading of 较大变更, UNCONFIRMED."
        ),
    )


projects_settings = reader(ProjectsSettings)
