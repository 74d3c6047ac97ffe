"""The notifications context's settings (消息中心). SMS delivery is the platform's
(shared.platform.sms, `sms_settings` in shared.platform.config)."""

from shared.platform.config import EnvironmentSettings, reader


class NotificationsSettings(EnvironmentSettings):
    notifications_table: str


notifications_settings = reader(NotificationsSettings)
