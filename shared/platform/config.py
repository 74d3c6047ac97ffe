"""Configuration: typed models read once from the environment, checked at cold start.

Each context keeps its settings in its own module (`shared/<context>/config.py`),
one small model per thing a function may need (its table, a bucket, a key), so
a function validates exactly what its template entry gives it. Here is the
common part: the reader every model uses and the platform's own settings.

- A field reads the environment variable of its name in capitals
  (`cases_table` ← `CASES_TABLE`); an empty variable counts as unset.
- A field without a default is required: a missing or malformed variable is a
  `ConfigurationError` naming the variable (never its value).
- `reader(Model)` gives the cached accessor (one read per process, like the
  template's environment); every function calls `require(...)` with the
  accessors it needs at import, so a missing variable fails the first
  invocation by name instead of a later request. `reset_settings()` forgets
  every cached model (tests and seeds change the environment).
"""

import os
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.platform.public import lazy_module

if TYPE_CHECKING:
    from shared.codes import divisions
else:
    # the division table loads when a function reads `PROVINCE_CODE`, not with every import of the
    # platform's configuration (most functions never read it; D-315)
    divisions = lazy_module("shared.codes.divisions")


class ConfigurationError(RuntimeError):
    """Environment variables a function needs are missing or invalid (named, values never shown)."""


class EnvironmentSettings(BaseModel):
    """A settings model filled from environment variables (see the module docstring)."""

    # built on first validation (`require` at cold start): a function imports every settings model
    # of the contexts it touches but validates only the few it needs
    model_config = ConfigDict(frozen=True, defer_build=True)

    @classmethod
    def variable(cls, field: str) -> str:
        return field.upper()

    @classmethod
    def from_environment(cls) -> Self:
        values = {
            name: os.environ[cls.variable(name)] for name in cls.model_fields if os.environ.get(cls.variable(name))
        }
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = sorted(
                {
                    f"{cls.variable(str(error['loc'][0])) if error['loc'] else cls.__name__} "
                    f"({'missing' if error['type'] == 'missing' else error['msg']})"
                    for error in exc.errors(include_input=False, include_url=False)
                }
            )
            raise ConfigurationError(f"{cls.__name__}: {'; '.join(problems)}") from None


_readers: list[Callable[[], EnvironmentSettings]] = []


def reader[Model: EnvironmentSettings](model: type[Model]) -> Callable[[], Model]:
    """The cached accessor of `model` (read and validated on first call)."""

    @lru_cache(maxsize=1)
    def read() -> Model:
        return model.from_environment()

    _readers.append(read)
    return read


def require(*accessors: Callable[[], EnvironmentSettings]) -> None:
    """Read every model a function needs, at its cold start; one error naming every
    missing or invalid variable."""
    problems: list[str] = []
    for accessor in accessors:
        try:
            accessor()
        except ConfigurationError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigurationError(" | ".join(problems))


def reset_settings() -> None:
    """Forget every cached model (for tests and seeds that change the environment)."""
    for read in _readers:
        read.cache_clear()  # type: ignore[attr-defined]


# --- the platform's own settings ------------------------------------------------------------


class HttpSettings(EnvironmentSettings):
    """Every API function (shared.platform.http)."""

    max_body_bytes: int = Field(default=262_144, ge=1024)
    cors_allow_origin: str = "*"


class IdempotencySettings(EnvironmentSettings):
    """Idempotency-Key records (Globals: every function has the table)."""

    idempotency_table: str


class EventBusSettings(EnvironmentSettings):
    """The outbox relay's target bus (Globals)."""

    event_bus_name: str


class ConsumerSettings(EnvironmentSettings):
    """Queue consumers (shared.platform.consumer): a consumer parks a message that failed
    this many receives (or failed for good) in its own DLQ, with the failure reason
    (equal to the queue's maxReceiveCount). Without `DLQ_URL` the redrive policy parks it."""

    dlq_url: str = ""
    max_receives: int = Field(default=3, ge=1, le=10)


class SealingSettings(EnvironmentSettings):
    """The KMS key that encrypts personal data kept for display or delivery (the template's DataKey)."""

    personal_data_key_id: str


class PdfSealSettings(EnvironmentSettings):
    """The KMS ECC_NIST_P256 key that seals issued PDFs (PAdES, D-227): the template's
    LicenceSigningKey, the platform's issuing key. Empty: documents go out unsealed."""

    pdf_seal_key_id: str = ""


class StageSettings(EnvironmentSettings):
    """The deployment stage: local and test stages may use http partners and demo adapters."""

    stage: str = "local"


class ProvinceSettings(EnvironmentSettings):
    """The province this deployment serves (GB/T 2260 province code, Jiangsu `320000`):
    where a catalogue search looks when the caller names no division, and, with the
    division table, the city partitions of the supervisors' lists (`province_cities`)."""

    province_code: str = "320000"

    @field_validator("province_code")
    @classmethod
    def _a_province_in_the_table(cls, value: str) -> str:
        if not (divisions.is_division_code(value) and divisions.level_of(value) is divisions.DivisionLevel.PROVINCE):
            raise ValueError("PROVINCE_CODE is a 6-digit province code (<2 digits>0000)")
        if not divisions.is_in_use_today(value):
            raise ValueError("PROVINCE_CODE is not a province in the GB/T 2260 table")
        return value

    @property
    def province_cities(self) -> tuple[str, ...]:
        """`<pp>00` and the 4-digit prefix of every city in use (shared.codes.divisions.city_prefixes)."""
        return divisions.city_prefixes(self.province_code)


class PartnerSettings(EnvironmentSettings):
    """Every partner call (shared.platform.partners): timeout, and the circuit breaker (open
    after N consecutive failures, fail fast for open_s, then one trial call)."""

    partner_timeout_s: float = Field(default=3.0, gt=0, le=30)
    partner_breaker_failures: int = Field(default=5, ge=1, le=100)
    partner_breaker_open_s: int = Field(default=30, ge=1, le=600)


class SmsSettings(EnvironmentSettings):
    """SMS delivery (shared.platform.sms): "outbox" writes messages to `sms_outbox_bucket`
    (local and test stages); "gateway" sends through the province's SMS gateway over signed
    HTTPS (its HMAC key in Secrets Manager)."""

    sms_channel: Literal["outbox", "gateway"] = "outbox"
    sms_outbox_bucket: str = ""
    sms_gateway_url: str = ""
    sms_gateway_app_id: str = "jszw-platform"
    sms_gateway_secret_arn: str = ""

    @model_validator(mode="after")
    def _outbox_has_its_bucket(self) -> Self:
        if self.sms_channel == "outbox" and not self.sms_outbox_bucket:
            raise ValueError("SMS_OUTBOX_BUCKET is required when SMS_CHANNEL is outbox")
        return self


http_settings = reader(HttpSettings)
stage_settings = reader(StageSettings)
province_settings = reader(ProvinceSettings)
partner_settings = reader(PartnerSettings)
sms_settings = reader(SmsSettings)
idempotency_settings = reader(IdempotencySettings)
event_bus_settings = reader(EventBusSettings)
consumer_settings = reader(ConsumerSettings)
sealing_settings = reader(SealingSettings)
pdf_seal_settings = reader(PdfSealSettings)
