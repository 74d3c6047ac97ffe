"""The exchange context's settings: its table, the registered department systems
(data: who they are, which department they act for, their public keys) and the
freshness window of their messages."""

from __future__ import annotations

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class ExchangeSettings(EnvironmentSettings):
    exchange_table: str


class DepartmentSystemSettings(EnvironmentSettings):
    department_systems: str = Field(
        default="[]",
        description="JSON list of registered department systems (shared/exchange/partners.py).",
    )
    message_window_s: int = Field(default=300, ge=30, le=86_400)
    """A message whose `sent_at` is further than this from our clock is stale (parked)."""


class ExchangeStoreSettings(EnvironmentSettings):
    exchange_bucket: str
    claim_lease_s: int = Field(default=120, ge=30, le=3_600)
    """A claim younger than this may still be being written (the writer's timeout, with margin)."""


class NationalPushSettings(EnvironmentSettings):
    national_push_prefix: str = Field(default="national-push", pattern=r"^[a-z0-9-]{1,40}$")
    province_code: str = Field(default="320000", pattern=r"^\d{6}$")


exchange_settings = reader(ExchangeSettings)
department_system_settings = reader(DepartmentSystemSettings)
exchange_store_settings = reader(ExchangeStoreSettings)
national_push_settings = reader(NationalPushSettings)
