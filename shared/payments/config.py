"""The payments context's settings (unified public payment, C10)."""

import re
from typing import Self

from pydantic import Field, field_validator, model_validator

from shared.platform.config import EnvironmentSettings, reader


class PaymentsSettings(EnvironmentSettings):
    """The table; the channel a payment starts at by default and its cashier URL; how
    long an order stays payable."""

    payments_table: str
    payment_default_channel: str = "jspay"
    payment_channel_pay_url: str = "https://pay.jszwfw.gov.cn/cashier"
    payment_order_valid_hours: int = Field(default=168, ge=1, le=24 * 90)
    stage: str = "local"  # the cashier link may be http only on the local and test stages

    @field_validator("payment_default_channel")
    @classmethod
    def _channel_name(cls, value: str) -> str:
        # the same shape as the callback route's channel segment, so the default is reachable
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", value):
            raise ValueError("PAYMENT_DEFAULT_CHANNEL is a lower-case channel name")
        return value

    @model_validator(mode="after")
    def _pay_url(self) -> Self:
        # a cashier link goes to citizens: HTTPS, except the local channel simulator
        allowed = ("https://", "http://") if self.stage in {"local", "test"} else ("https://",)
        if not self.payment_channel_pay_url.startswith(allowed) or " " in self.payment_channel_pay_url:
            raise ValueError("PAYMENT_CHANNEL_PAY_URL must be an https URL (http only on the local stage)")
        return self


class ChannelSettings(EnvironmentSettings):
    """Each channel's callback secret in Secrets Manager as `channel=<secret arn>,…`, and
    the callback replay window."""

    payment_channel_secrets: str
    payment_callback_window_s: int = Field(default=300, ge=30, le=3600)


class ReconciliationSettings(EnvironmentSettings):
    """Where statements and reconciliation reports go."""

    payment_reconciliation_bucket: str


payments_settings = reader(PaymentsSettings)
channel_settings = reader(ChannelSettings)
reconciliation_settings = reader(ReconciliationSettings)
