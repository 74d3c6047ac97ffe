"""The admin context's settings."""

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class AdminSettings(EnvironmentSettings):
    admin_table: str


class ClaimSettings(EnvironmentSettings):
    claim_limit_days: int = Field(
        default=10,
        ge=1,
        le=60,
        description=(
            "Working days a city or county department has to claim a basic item the province published "
            "(事项认领时限); supervision warns when it runs late."
        ),
    )


admin_settings = reader(AdminSettings)
claim_settings = reader(ClaimSettings)
