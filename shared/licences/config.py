"""The e-licence context's settings (电子证照, C11/C15)."""

from typing import Literal, Self

from pydantic import Field, model_validator

from shared.platform.config import EnvironmentSettings, reader


class LicencesSettings(EnvironmentSettings):
    """The table; status-list size; download-link lifetime; renewal reminder lead (Art. 50:
    30 days); how old an offline verifier's data may be; how long a licence-type entry is cached."""

    licences_table: str
    licence_status_list_size: int = Field(default=131_072, ge=1024, le=1_048_576, multiple_of=4)
    licence_download_ttl_s: int = Field(default=300, ge=30, le=3600)
    licence_reminder_days: int = Field(default=30, ge=1, le=365)
    licence_offline_max_age_s: int = Field(default=86_400, ge=60)
    # how long a warm function trusts its copy of a licence-type directory entry
    licence_type_cache_s: int = Field(default=60, ge=0, le=3600)


class LicenceDocumentsSettings(EnvironmentSettings):
    """The bucket of certificates, the published trust list and the status lists."""

    licences_bucket: str


class SigningSettings(EnvironmentSettings):
    """The signer (`es256`: the KMS ECC_NIST_P256 key; `sm2`: SM2/SM3 with a key derived
    from a Secrets Manager secret) and the KMS keys retired from signing but kept in the
    trust list. The chosen signer's key is required."""

    licence_signer: Literal["es256", "sm2"] = "es256"
    licence_signing_key_id: str = ""
    licence_previous_key_ids: str = ""
    licence_sm2_secret_arn: str = ""

    @model_validator(mode="after")
    def _signer_has_its_key(self) -> Self:
        if self.licence_signer == "es256" and not self.licence_signing_key_id:
            raise ValueError("LICENCE_SIGNING_KEY_ID is required when LICENCE_SIGNER is es256")
        if self.licence_signer == "sm2" and not self.licence_sm2_secret_arn:
            raise ValueError("LICENCE_SM2_SECRET_ARN is required when LICENCE_SIGNER is sm2")
        return self


licences_settings = reader(LicencesSettings)
licence_documents_settings = reader(LicenceDocumentsSettings)
signing_settings = reader(SigningSettings)
