"""The licences context's shapes: the licence record, its GB/T 36903 metadata,
and what the API takes and returns."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.licences.identifiers import IDENTIFIER_PATTERN, TYPE_CODE_PATTERN

LICENCE_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"  # ULID
CASE_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"


class LicenceStatus(StrEnum):
    ACTIVE = "active"  # 有效
    SUSPENDED = "suspended"  # 暂扣 / 中止
    REVOKED = "revoked"  # 撤销 / 吊销 / 注销
    REPLACED = "replaced"  # 已换发新版本
    EXPIRED = "expired"  # 已过有效期


class HolderCodeType(StrEnum):
    """GB/T 36903 持证主体代码类型."""

    RESIDENT_ID = "111"  # 居民身份证
    USCC = "001"  # 统一社会信用代码


class _Shape(BaseModel):
    model_config = ConfigDict(defer_build=True)


class Licence(_Shape):
    """One licence version as stored (电子证照). The holder's full code is sealed."""

    licence_id: str
    identifier: str
    serial: str
    licence_version: int = 1
    type_code: str
    type_name: str
    number: str  # 证照编号
    issuer_uscc: str
    issuer_name: str
    issuer_department_id: str
    jurisdiction: str  # 管辖区划代码
    holder_kind: str  # natural_person | legal_person | other_organization
    holder_subject_id: str  # the natural person who applied (wallet owner unless an enterprise holds it)
    holder_uscc: str | None = None
    holder_name: str
    holder_code_masked: str
    holder_code_sealed: str
    holder_code_type: HolderCodeType
    issued_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None = None  # None: long-term (长期)
    case_id: str
    case_number: str
    item_code: str
    item_name: str
    decision_document_number: str
    status: LicenceStatus = LicenceStatus.ACTIVE
    status_reason: str | None = None
    status_changed_at: dt.datetime | None = None
    status_changed_by: str | None = None
    replaces: str | None = None  # licence id of the earlier version
    replaced_by: str | None = None
    status_list: str
    status_index: int
    qr: str
    algorithm: str
    kid: str
    metadata_digest: str
    pdf_key: str
    pdf_sha256: str
    issued_at: dt.datetime
    reminded_on: dt.date | None = None  # renewal reminder sent (Art. 50)
    # 延续 applied for in time and not yet decided (D-181): past valid_to the licence is deemed renewed
    renewal_case_id: str | None = None
    deemed_renewed_on: dt.date | None = None
    version: int = 1

    def metadata(self, holder_code: str) -> dict[str, Any]:
        """GB/T 36903 metadata (证照元数据) with the holder code given (full or masked)."""
        return {
            "licence_name": self.type_name,
            "licence_type_name": self.type_name,
            "licence_type_code": self.type_code,
            "licence_number": self.number,
            "licence_identifier": self.identifier,
            "issuer": self.issuer_name,
            "issuer_code": self.issuer_uscc,
            "issue_date": self.issued_on.isoformat(),
            "holder": self.holder_name,
            "holder_code": holder_code,
            "holder_code_type": self.holder_code_type.value,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "jurisdiction_code": self.jurisdiction,
        }


# --- API ---------------------------------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class _Out(BaseModel):
    model_config = ConfigDict(defer_build=True)


Reason = Annotated[str, Field(min_length=2, max_length=500, description="Why (shown to the holder).")]


class LicenceMetadata(_Out):
    """GB/T 36903 metadata as shown (holder code masked for natural persons)."""

    licence_name: str
    licence_type_name: str
    licence_type_code: str
    licence_number: str
    licence_identifier: str
    issuer: str
    issuer_code: str
    issue_date: dt.date
    holder: str
    holder_code: str
    holder_code_type: str = Field(description="111 resident ID, 001 USCC")
    valid_from: dt.date
    valid_to: dt.date | None = Field(description="null: long-term (长期)")
    jurisdiction_code: str


class LicenceSummary(_Out):
    licence_id: str
    identifier: str
    type_code: str
    type_name: str
    number: str
    issuer_name: str
    holder_name: str
    holder_code_masked: str
    issued_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    status: LicenceStatus
    case_id: str
    renewal_case_id: str | None = Field(
        default=None, description="A renewal (延续) of this licence applied for in time and not yet decided."
    )
    deemed_renewed: bool = Field(
        default=False,
        description="Past `valid_to` with the renewal still undecided: valid as renewed (行政许可法 第50条第2款).",
    )


class LicenceDetail(LicenceSummary):
    licence_version: int
    metadata: LicenceMetadata
    qr: str = Field(description="The signed QR payload (JSZWL1:…): verify it online or offline.")
    algorithm: str
    kid: str
    status_reason: str | None = None
    status_changed_at: dt.datetime | None = None
    replaces: str | None = None
    replaced_by: str | None = None
    case_number: str
    item_name: str


class DownloadLink(_Out):
    url: str = Field(description="Short-lived link to the PDF certificate.")
    expires_at: dt.datetime
    sha256: str


class VerifyRequest(_Input):
    """Exactly one of `identifier` (电子证照标识) or `qr` (the QR code's text)."""

    identifier: str | None = Field(default=None, max_length=128, examples=["1.2.156.3005.2.…"])
    qr: str | None = Field(default=None, max_length=4096, description="The QR text, starting JSZWL1:")

    @model_validator(mode="after")
    def _one(self) -> VerifyRequest:
        if (self.identifier is None) == (self.qr is None):
            raise ValueError("give exactly one of identifier or qr")
        return self


class VerifiedLicence(_Out):
    identifier: str
    type_name: str
    number: str
    issuer_name: str
    issuer_code: str
    holder_name: str
    holder_code: str = Field(description="Masked for natural persons")
    valid_from: dt.date
    valid_to: dt.date | None


class Verification(_Out):
    """One of valid, expired, suspended, revoked, replaced, unknown — never
    "valid" unless the signature (QR) and the current status were both checked."""

    result: Literal["valid", "expired", "suspended", "revoked", "replaced", "unknown"]
    reason: str = Field(
        description="ok, expired, suspended, revoked, replaced, not_yet_valid, not_found, "
        "malformed, untrusted_key, bad_signature, mismatch, status_unavailable"
    )
    signature_checked: bool
    checked_at: dt.datetime
    licence: VerifiedLicence | None = None
    replaced_by_identifier: str | None = None


class StatusChange(_Input):
    reason: Reason


class ReplaceRequest(_Input):
    reason: Reason
    valid_to: dt.date | None = Field(default=None, description="New end of validity; default: unchanged.")


class HolderQuery(_Input):
    """A department's query of an applicant's licences (依申请查询), for one case in scope."""

    case_id: Annotated[str, Field(pattern=CASE_ID_PATTERN)]
    purpose: Annotated[str, Field(min_length=4, max_length=200, description="Stated purpose, logged for the holder.")]
    licence_type_code: Annotated[str | None, Field(default=None, pattern=TYPE_CODE_PATTERN)] = None


class HolderQueryResult(_Out):
    query_id: str
    case_id: str
    items: list[LicenceDetail]


class UsageKind(StrEnum):
    CONSENT = "consent"  # the holder let a case use a licence (once-only reuse)
    STAFF_QUERY = "staff_query"  # a department queried the holder's licences for a case


class UsageEntry(_Out):
    """One use of the holder's licences (用证记录), listed for the holder."""

    entry_id: str
    kind: UsageKind
    at: dt.datetime
    case_id: str
    case_number: str | None = None
    purpose: str
    licence_ids: list[str] = []
    identifiers: list[str] = []
    actor: str = Field(description="Who: the holder, or the department and staff id that queried")
    department_id: str | None = None


class TrustKey(_Out):
    kid: str
    alg: Literal["ES256", "SM2-SM3"]
    public_key: str = Field(description="ES256: base64 SPKI DER; SM2-SM3: hex x||y (64 bytes, no 04)")
    state: Literal["current", "standby", "previous"]


class TrustedIssuer(_Out):
    issuer_code: str
    name: str
    kids: list[str]
    seal_certificate: str | None = Field(
        default=None,
        description="The department's self-issued X.509 certificate its PDF seals carry (DER, base64; D-227): "
        "imported into a PDF reader, the reader trusts the seals. Absent for issuers listed before seals existed "
        "until their next licence.",
    )


class TrustList(_Out):
    """Public keys per issuer (信任列表); a verifier trusts a signature only when
    its key is listed for the payload's issuer."""

    version: int = 1
    generated_at: dt.datetime
    keys: list[TrustKey]
    issuers: list[TrustedIssuer]
    status_lists: list[str]


class StatusListDocument(_Out):
    """A published bitstring status list (W3C Bitstring Status List style)."""

    id: str
    status_size: int
    size: int
    encoded_list: str = Field(description="Multibase base64url of the GZIP-compressed bits")
    renewal_list: str = Field(
        description="The renewal list: 1 bit per index, same encoding; set while a renewal (延续) applied for in"
        " time is undecided — past `valid_to` such a licence is valid, deemed renewed (行政许可法 第50条第2款)"
    )
    status_messages: list[dict[str, str]]
    updated_at: dt.datetime
    ttl_s: int


class RenewableLicence(_Out):
    """A licence its holder may renew (延续, Art. 50): what a renewal case needs of it."""

    licence_id: str
    identifier: str
    number: str
    type_code: str
    type_name: str
    valid_to: dt.date
    item_code: str
    case_id: str


class LicenceReference(_Out):
    """What a case keeps when a licence stands in for a material (once-only reuse)."""

    licence_id: str
    identifier: str = Field(pattern=IDENTIFIER_PATTERN)
    type_code: str
    type_name: str
    valid_to: dt.date | None
    consent_id: str
    pdf_sha256: str


# --- the licence-type directory (证照目录) ------------------------------------------------


class LicenceTypeCategory(StrEnum):
    """证照分类 (GB/T 36902's kinds of licence)."""

    CHARTER = "执照"
    PERMIT = "许可证"
    CERTIFICATE = "证明"
    CREDENTIAL = "证件"


class LicenceTypeStatus(StrEnum):
    ACTIVE = "active"  # issued and named by new service items
    RETIRED = "retired"  # kept for the licences already issued; nothing new names or issues it


LicenceTypeName = Annotated[str, Field(min_length=2, max_length=64, description="证照名称, e.g. 营业执照.")]
ValidityYears = Annotated[
    int | None,
    Field(ge=1, le=100, description="Years a licence of this type is valid; null for long-term (长期)."),
]


class LicenceType(_Out):
    """One entry of the licence-type directory. `code` is GB/T 36903's 证照类型代码:
    the defining body's USCC + a 3-digit sequence."""

    code: str = Field(pattern=TYPE_CODE_PATTERN)
    name: str
    category: LicenceTypeCategory
    validity_years: int | None = None
    status: LicenceTypeStatus = LicenceTypeStatus.ACTIVE
    version: int = Field(ge=1, description="Grows by one with every change; send it back as `based_on_version`.")
    changed_at: dt.datetime


class LicenceTypeChange(_Input):
    """A new licence type (`based_on_version` 0) or a change to one (its current version)."""

    name: LicenceTypeName
    category: LicenceTypeCategory
    validity_years: ValidityYears = None
    status: LicenceTypeStatus = LicenceTypeStatus.ACTIVE
    based_on_version: int = Field(
        ge=0,
        le=1_000_000,
        description="The version this change replaces (optimistic concurrency); 0 to add a new type.",
    )
