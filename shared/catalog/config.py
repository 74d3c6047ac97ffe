"""The catalogue's settings (shared.platform.config explains the reading rules)."""

from shared.platform.config import EnvironmentSettings, reader


class CatalogSettings(EnvironmentSettings):
    catalog_table: str


class OpenDataSettings(EnvironmentSettings):
    """Where open_data_publisher writes the public 不见面 / 见一次面 snapshots."""

    open_data_bucket: str


catalog_settings = reader(CatalogSettings)
open_data_settings = reader(OpenDataSettings)
