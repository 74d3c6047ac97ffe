"""The working-day calendar's settings: it keeps its years in the catalogue's table."""

from shared.platform.config import EnvironmentSettings, reader


class WorkdaysSettings(EnvironmentSettings):
    catalog_table: str


workdays_settings = reader(WorkdaysSettings)
