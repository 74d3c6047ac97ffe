"""The supervision context's settings (shared.platform.config explains the reading rules)."""

from shared.platform.config import EnvironmentSettings, reader


class SupervisionSettings(EnvironmentSettings):
    """The Supervision table: limits as watched, warnings, orders and their outbox."""

    supervision_table: str


supervision_settings = reader(SupervisionSettings)
