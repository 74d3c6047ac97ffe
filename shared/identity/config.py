"""The identity context's settings (身份认证): accounts, codes, sign-in and tokens."""

from typing import Literal

from pydantic import Field

from shared.platform.config import EnvironmentSettings, reader


class IdentitySettings(EnvironmentSettings):
    """The table, the real-name registries ("seeded": the demo population and enterprise
    registries infra/seed/identity writes into the table), and the limits of codes,
    sessions and sign-in attempts."""

    identity_table: str
    refresh_token_idle_s: int = Field(default=7 * 86_400, ge=300)  # unused this long → expired
    session_max_age_s: int = Field(default=30 * 86_400, ge=3600)  # sign in again after this
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


class RegistrySettings(EnvironmentSettings):
    """Real-name registries (shared.identity.registries): "seeded" reads demo entries that
    infra/seed/identity writes into the identity table (local and test stages only);
    "https" asks the population and enterprise registries over signed HTTPS."""

    real_name_registry: Literal["seeded", "https"] = "seeded"
    real_name_registry_url: str = ""
    real_name_registry_app_id: str = "jszw-platform"
    real_name_registry_secret_arn: str = ""


class SessionCheckSettings(EnvironmentSettings):
    """How long a warm authorizer trusts "this session is active" before reading it again."""

    session_check_cache_s: int = Field(default=30, ge=0, le=300)


class HashingSettings(EnvironmentSettings):
    """Secrets Manager secret whose value keys the HMAC of ID numbers, phones and codes."""

    identity_hash_secret_arn: str


class TokenSettings(EnvironmentSettings):
    """Asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs access tokens; earlier
    keys still accepted during a rotation, comma-separated; the claims checked."""

    token_signing_key_id: str
    token_previous_key_ids: str = ""
    token_issuer: str = "https://id.jszwfw.gov.cn/local"  # noqa: S105 (a claim value, not a secret)
    token_audience: str = "jszw-api"  # noqa: S105 (a claim value, not a secret)
    access_token_ttl_s: int = Field(default=900, ge=60, le=3600)


identity_settings = reader(IdentitySettings)
hashing_settings = reader(HashingSettings)
token_settings = reader(TokenSettings)
registry_settings = reader(RegistrySettings)
session_check_settings = reader(SessionCheckSettings)
