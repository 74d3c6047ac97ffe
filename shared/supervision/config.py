"""The supervision context's settings (shared.platform.config explains the reading rules)."""

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class SupervisionSettings(EnvironmentSettings):
    """The Supervision table: limits as watched, warnings, orders and their outbox."""

    supervision_table: str


supervision_settings = reader(SupervisionSettings)


class WarningSettings(EnvironmentSettings):
    """效能监察 (the warning sweep): yellow once this share of a limit is used or at most this
    many working days are left; the sweep reads due dates this many calendar days ahead.
    The supervisors' lists are partitioned by the province's cities, which come from the
    division table (`shared.platform.config.ProvinceSettings.province_cities`)."""

    supervision_yellow_share: float = Field(default=0.8, gt=0, le=1)
    supervision_yellow_days_left: int = Field(default=3, ge=0, le=30)
    supervision_horizon_days: int = Field(default=120, ge=7, le=366)


warning_settings = reader(WarningSettings)
