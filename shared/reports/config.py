"""The reports context's settings."""

from shared.platform.config import EnvironmentSettings, reader


class ReportsSettings(EnvironmentSettings):
    """Where the reports and their open data go: the platform's open-data bucket, under `open-data/reports/`."""

    open_data_bucket: str


reports_settings = reader(ReportsSettings)


class AnalyticsSettings(EnvironmentSettings):
    """The Reports table: the slow-step and load projection fed by case events (D-267)."""

    reports_table: str


analytics_settings = reader(AnalyticsSettings)
