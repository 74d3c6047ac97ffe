"""Configuration read once from the environment into a typed model.

Every function gets its settings from the template's environment variables;
tests and the local cloud set the same variables. Reading them through one
cached model keeps the names in one place and fails early on a typo.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: str = "local"
    region: str = "cn-north-1"
    catalog_table: str = ""
    idempotency_table: str = ""
    event_bus_name: str = ""
    open_data_bucket: str = ""
    # The local operator key guards operator endpoints until the identity
    # context's authorizer takes over (see docs/decisions.md, D-008).
    operator_api_key: str = ""
    max_body_bytes: int = Field(default=262_144, ge=1024)
    cors_allow_origin: str = "*"


_ENV = {
    "stage": "STAGE",
    "region": "AWS_REGION",
    "catalog_table": "CATALOG_TABLE",
    "idempotency_table": "IDEMPOTENCY_TABLE",
    "event_bus_name": "EVENT_BUS_NAME",
    "open_data_bucket": "OPEN_DATA_BUCKET",
    "operator_api_key": "OPERATOR_API_KEY",
    "max_body_bytes": "MAX_BODY_BYTES",
    "cors_allow_origin": "CORS_ALLOW_ORIGIN",
}


@lru_cache(maxsize=1)
def settings() -> Settings:
    values = {field: os.environ[var] for field, var in _ENV.items() if os.environ.get(var)}
    return Settings.model_validate(values)


def reset_settings() -> None:
    """For tests that change the environment between cases."""
    settings.cache_clear()
