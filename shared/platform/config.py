"""Configuration read once from the environment into a typed model.

Every function gets its settings from the template's environment variables;
tests and the local cloud set the same variables. Reading them through one
cached model keeps the names in one place and fails early on a typo.
"""

import os
import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: str = "local"
    region: str = "cn-north-1"
    catalog_table: str = ""
    idempotency_table: str = ""
    event_bus_name: str = ""
    open_data_bucket: str = ""
    max_body_bytes: int = Field(default=262_144, ge=1024)
    cors_allow_origin: str = "*"

    # --- identity (身份认证) and notifications (消息中心) ---
    identity_table: str = ""
    notifications_table: str = ""
    # Secrets Manager secret whose value keys the HMAC of ID numbers, phones and codes
    identity_hash_secret_arn: str = ""
    # KMS key that encrypts personal data kept for display or delivery (the template's DataKey)
    personal_data_key_id: str = ""
    # Asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs access tokens; earlier keys
    # still accepted during a rotation are listed, comma-separated, in token_previous_key_ids
    token_signing_key_id: str = ""
    token_previous_key_ids: str = ""
    token_issuer: str = "https://id.jszwfw.gov.cn/local"  # noqa: S105 (a claim value, not a secret)
    token_audience: str = "jszw-api"  # noqa: S105 (a claim value, not a secret)
    access_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    refresh_token_idle_s: int = Field(default=7 * 86_400, ge=300)  # unused this long → expired
    session_max_age_s: int = Field(default=30 * 86_400, ge=3600)  # sign in again after this
    # how long a warm authorizer trusts "this session is active" before reading it again
    session_check_cache_s: int = Field(default=30, ge=0, le=300)
    otp_ttl_s: int = Field(default=300, ge=60, le=900)
    otp_max_attempts: int = Field(default=5, ge=1, le=10)
    otp_resend_interval_s: int = Field(default=60, ge=1)
    otp_max_per_phone_per_hour: int = Field(default=5, ge=1)
    otp_max_per_source_per_hour: int = Field(default=30, ge=1)
    # Password attempts: per (login, source address) the first sign_in_free_failures failures are
    # immediate, then each waits sign_in_backoff_base_s · 2^(n − free) s, capped at sign_in_window_s;
    # a source address makes at most 5 × sign_in_max_attempts_per_window attempts per window.
    sign_in_max_attempts_per_window: int = Field(default=10, ge=1)
    sign_in_window_s: int = Field(default=900, ge=60)
    sign_in_free_failures: int = Field(default=5, ge=1, le=20)
    sign_in_backoff_base_s: int = Field(default=2, ge=1, le=60)
    # scrypt cost N = 2**password_scrypt_log2_n (r=8, p=1): 17 is OWASP's minimum (128 MiB)
    password_scrypt_log2_n: int = Field(default=17, ge=10, le=20)
    # SMS delivery (shared.platform.sms): "outbox" writes messages to sms_outbox_bucket (local
    # and test stages); "gateway" sends through the province's SMS gateway over signed HTTPS
    sms_channel: Literal["outbox", "gateway"] = "outbox"
    sms_outbox_bucket: str = ""
    sms_gateway_url: str = ""
    sms_gateway_app_id: str = "jszw-platform"
    sms_gateway_secret_arn: str = ""  # Secrets Manager: the HMAC key shared with the gateway
    # Real-name registries (shared.identity.registries): "seeded" reads demo entries that
    # infra/seed/identity writes into the identity table (local and test stages only);
    # "https" asks the population and enterprise registries over signed HTTPS
    real_name_registry: Literal["seeded", "https"] = "seeded"
    real_name_registry_url: str = ""
    real_name_registry_app_id: str = "jszw-platform"
    real_name_registry_secret_arn: str = ""
    # every partner call: timeout, and the circuit breaker (open after N consecutive failures,
    # fail fast for open_s, then one trial call)
    partner_timeout_s: float = Field(default=3.0, gt=0, le=30)
    partner_breaker_failures: int = Field(default=5, ge=1, le=100)
    partner_breaker_open_s: int = Field(default=30, ge=1, le=600)

    # --- cases (办件) ---
    cases_table: str = ""
    materials_bucket: str = ""
    material_upload_ttl_s: int = Field(default=900, ge=60, le=3600)  # presigned POST lifetime
    # 并联审批: each co-department's own limit in working days (capped by the item's promised limit)
    joint_task_working_days: int = Field(default=20, ge=1, le=120)
    # 效能监察 (supervision sweep): yellow once this share of a limit is used or at most this many
    # working days are left; the sweep reads due dates this many calendar days ahead
    supervision_yellow_share: float = Field(default=0.8, gt=0, le=1)
    supervision_yellow_days_left: int = Field(default=3, ge=0, le=30)
    supervision_horizon_days: int = Field(default=120, ge=7, le=366)
    # Partitions of the supervisors' lists (warnings, extension requests): the province's own
    # code and its cities, as 4-digit GB/T 2260 prefixes, comma-separated (Jiangsu: 3200..3213).
    # Configuration until the division table is shared reference data (issue 23 point 3).
    supervision_city_prefixes: str = ",".join(f"32{n:02d}" for n in range(14))

    # --- delivery ---
    # Courier shipments (快递送, C12): the Delivery table, the partner-outbound queue the
    # booking worker writes to, and the partner-inbound DLQ operators read through the API.
    delivery_table: str = ""
    courier_outbound_queue_url: str = ""
    courier_inbound_dlq_url: str = ""

    # --- payments ---
    # Unified public payment (C10): the Payments table; each channel's callback secret in
    # Secrets Manager as `channel=<secret arn>,…`; the channel's cashier URL; how long an
    # order stays payable; the callback replay window; the statements/reports bucket.
    payments_table: str = ""
    payment_channel_secrets: str = ""
    payment_default_channel: str = "jspay"
    payment_channel_pay_url: str = "https://pay.jszwfw.gov.cn/cashier"
    payment_order_valid_hours: int = Field(default=168, ge=1, le=24 * 90)
    payment_callback_window_s: int = Field(default=300, ge=30, le=3600)
    payment_reconciliation_bucket: str = ""

    # --- licences ---
    # E-licence library (电子证照, C11/C15): the Licences table and bucket (certificates,
    # published trust list and status lists); the signer (`es256`: the KMS ECC_NIST_P256
    # key; `sm2`: SM2/SM3 with a key derived from a Secrets Manager secret); KMS keys retired
    # from signing but kept in the trust list; status-list size; download-link lifetime;
    # renewal reminder lead (Art. 50: 30 days); how old an offline verifier's data may be.
    licences_table: str = ""
    licences_bucket: str = ""
    licence_signer: Literal["es256", "sm2"] = "es256"
    licence_signing_key_id: str = ""
    licence_previous_key_ids: str = ""
    licence_sm2_secret_arn: str = ""
    licence_status_list_size: int = Field(default=131_072, ge=1024, le=1_048_576, multiple_of=4)
    licence_download_ttl_s: int = Field(default=300, ge=30, le=3600)
    licence_reminder_days: int = Field(default=30, ge=1, le=365)
    licence_offline_max_age_s: int = Field(default=86_400, ge=60)

    # --- queue consumers (shared.platform.consumer) ---
    # A consumer parks a message that failed this many receives (or failed for good) in its
    # own DLQ, with the failure reason as message attributes (equal to the queue's maxReceiveCount).
    dlq_url: str = ""
    max_receives: int = Field(default=3, ge=1, le=10)

    @field_validator("supervision_city_prefixes")
    @classmethod
    def _city_prefixes(cls, value: str) -> str:
        prefixes = [p.strip() for p in value.split(",") if p.strip()]
        if not prefixes or any(not re.fullmatch(r"[1-9][0-9]{3}", p) for p in prefixes):
            raise ValueError("SUPERVISION_CITY_PREFIXES lists 4-digit division prefixes, comma-separated")
        if len(set(prefixes)) != len(prefixes) or len({p[:2] for p in prefixes}) != 1:
            raise ValueError("SUPERVISION_CITY_PREFIXES lists each prefix once, all in one province")
        if f"{prefixes[0][:2]}00" not in prefixes:
            raise ValueError("SUPERVISION_CITY_PREFIXES includes the province's own partition (<province>00)")
        return ",".join(prefixes)

    @field_validator("payment_default_channel")
    @classmethod
    def _channel_name(cls, value: str) -> str:
        # the same shape as the callback route's channel segment, so the default is reachable
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", value):
            raise ValueError("PAYMENT_DEFAULT_CHANNEL is a lower-case channel name")
        return value

    @model_validator(mode="after")
    def _pay_url(self) -> "Settings":
        # a cashier link goes to citizens: HTTPS, except the local channel simulator
        allowed = ("https://", "http://") if self.stage in {"local", "test"} else ("https://",)
        if not self.payment_channel_pay_url.startswith(allowed) or " " in self.payment_channel_pay_url:
            raise ValueError("PAYMENT_CHANNEL_PAY_URL must be an https URL (http only on the local stage)")
        return self

    @property
    def city_prefixes(self) -> tuple[str, ...]:
        return tuple(self.supervision_city_prefixes.split(","))


_ENV = {
    "stage": "STAGE",
    "region": "AWS_REGION",
    "catalog_table": "CATALOG_TABLE",
    "idempotency_table": "IDEMPOTENCY_TABLE",
    "event_bus_name": "EVENT_BUS_NAME",
    "open_data_bucket": "OPEN_DATA_BUCKET",
    "max_body_bytes": "MAX_BODY_BYTES",
    "cors_allow_origin": "CORS_ALLOW_ORIGIN",
    "identity_table": "IDENTITY_TABLE",
    "notifications_table": "NOTIFICATIONS_TABLE",
    "identity_hash_secret_arn": "IDENTITY_HASH_SECRET_ARN",
    "personal_data_key_id": "PERSONAL_DATA_KEY_ID",
    "token_signing_key_id": "TOKEN_SIGNING_KEY_ID",
    "token_previous_key_ids": "TOKEN_PREVIOUS_KEY_IDS",
    "token_issuer": "TOKEN_ISSUER",
    "token_audience": "TOKEN_AUDIENCE",
    "access_token_ttl_s": "ACCESS_TOKEN_TTL_S",
    "refresh_token_idle_s": "REFRESH_TOKEN_IDLE_S",
    "session_max_age_s": "SESSION_MAX_AGE_S",
    "session_check_cache_s": "SESSION_CHECK_CACHE_S",
    "otp_ttl_s": "OTP_TTL_S",
    "otp_max_attempts": "OTP_MAX_ATTEMPTS",
    "otp_resend_interval_s": "OTP_RESEND_INTERVAL_S",
    "otp_max_per_phone_per_hour": "OTP_MAX_PER_PHONE_PER_HOUR",
    "otp_max_per_source_per_hour": "OTP_MAX_PER_SOURCE_PER_HOUR",
    "sign_in_max_attempts_per_window": "SIGN_IN_MAX_ATTEMPTS_PER_WINDOW",
    "sign_in_window_s": "SIGN_IN_WINDOW_S",
    "sign_in_free_failures": "SIGN_IN_FREE_FAILURES",
    "sign_in_backoff_base_s": "SIGN_IN_BACKOFF_BASE_S",
    "password_scrypt_log2_n": "PASSWORD_SCRYPT_LOG2_N",
    "sms_channel": "SMS_CHANNEL",
    "sms_outbox_bucket": "SMS_OUTBOX_BUCKET",
    "sms_gateway_url": "SMS_GATEWAY_URL",
    "sms_gateway_app_id": "SMS_GATEWAY_APP_ID",
    "sms_gateway_secret_arn": "SMS_GATEWAY_SECRET_ARN",
    "real_name_registry": "REAL_NAME_REGISTRY",
    "real_name_registry_url": "REAL_NAME_REGISTRY_URL",
    "real_name_registry_app_id": "REAL_NAME_REGISTRY_APP_ID",
    "real_name_registry_secret_arn": "REAL_NAME_REGISTRY_SECRET_ARN",
    "partner_timeout_s": "PARTNER_TIMEOUT_S",
    "partner_breaker_failures": "PARTNER_BREAKER_FAILURES",
    "partner_breaker_open_s": "PARTNER_BREAKER_OPEN_S",
    "cases_table": "CASES_TABLE",
    "materials_bucket": "MATERIALS_BUCKET",
    "material_upload_ttl_s": "MATERIAL_UPLOAD_TTL_S",
    "joint_task_working_days": "JOINT_TASK_WORKING_DAYS",
    "supervision_yellow_share": "SUPERVISION_YELLOW_SHARE",
    "supervision_yellow_days_left": "SUPERVISION_YELLOW_DAYS_LEFT",
    "supervision_horizon_days": "SUPERVISION_HORIZON_DAYS",
    "supervision_city_prefixes": "SUPERVISION_CITY_PREFIXES",
    "delivery_table": "DELIVERY_TABLE",
    "courier_outbound_queue_url": "COURIER_OUTBOUND_QUEUE_URL",
    "courier_inbound_dlq_url": "COURIER_INBOUND_DLQ_URL",
    "payments_table": "PAYMENTS_TABLE",
    "payment_channel_secrets": "PAYMENT_CHANNEL_SECRETS",
    "payment_default_channel": "PAYMENT_DEFAULT_CHANNEL",
    "payment_channel_pay_url": "PAYMENT_CHANNEL_PAY_URL",
    "payment_order_valid_hours": "PAYMENT_ORDER_VALID_HOURS",
    "payment_callback_window_s": "PAYMENT_CALLBACK_WINDOW_S",
    "payment_reconciliation_bucket": "PAYMENT_RECONCILIATION_BUCKET",
    "licences_table": "LICENCES_TABLE",
    "licences_bucket": "LICENCES_BUCKET",
    "licence_signer": "LICENCE_SIGNER",
    "licence_signing_key_id": "LICENCE_SIGNING_KEY_ID",
    "licence_previous_key_ids": "LICENCE_PREVIOUS_KEY_IDS",
    "licence_sm2_secret_arn": "LICENCE_SM2_SECRET_ARN",
    "licence_status_list_size": "LICENCE_STATUS_LIST_SIZE",
    "licence_download_ttl_s": "LICENCE_DOWNLOAD_TTL_S",
    "licence_reminder_days": "LICENCE_REMINDER_DAYS",
    "licence_offline_max_age_s": "LICENCE_OFFLINE_MAX_AGE_S",
    "dlq_url": "DLQ_URL",
    "max_receives": "MAX_RECEIVES",
}


@lru_cache(maxsize=1)
def settings() -> Settings:
    values = {field: os.environ[var] for field, var in _ENV.items() if os.environ.get(var)}
    return Settings.model_validate(values)


def reset_settings() -> None:
    """For tests that change the environment between cases."""
    settings.cache_clear()
