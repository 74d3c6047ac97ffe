"""The compact signed payload a licence's QR code carries (二维码), and the one
verdict both verifiers (online and offline) reach from it.

Like the EU Digital COVID Certificate, the QR holds everything an offline
verifier needs: the licence facts, the issuer, a signature and where the
licence sits in the status list — nothing to look up but the trust list and
the status list, which a verifier caches.

Layout: `JSZWL1:` + base64url(zlib(container)) + `.` + base64url(signature),
where `container` is canonical JSON (sorted keys, no spaces, UTF-8)
`{"alg", "kid", "p": {payload}}` and the signature covers exactly those
container bytes. The verifier checks the signature over the bytes it
received before it parses anything else.

PIPL minimisation: a natural person's holder code (ID number) appears only
masked (`320102********0213`); the name stays, since the verifier must match
the licence with the person showing it, as with the paper licence. `md` is the
SHA-256 of the full GB/T 36903 metadata (with the full holder code), so a
complete licence file can be checked against the QR.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.licences.signing import ALGORITHMS, IssuingKey, SignatureError, VerificationKey
from shared.licences.status_list import Entry

PREFIX = "JSZWL1:"
MAX_QR_CHARS = 2048
MAX_CONTAINER_BYTES = 4096


class LicencePayload(BaseModel):
    """The signed facts (short keys keep the QR small)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid", defer_build=True)

    v: int = Field(default=1, description="Payload format version")
    identifier: str = Field(alias="id", max_length=128)
    type_code: str = Field(alias="tc", max_length=32)
    type_name: str = Field(alias="tn", max_length=64)
    number: str = Field(alias="no", max_length=64)
    issuer_code: str = Field(alias="ic", max_length=32)
    issuer_name: str = Field(alias="in", max_length=100)
    holder_name: str = Field(alias="hn", max_length=100)
    holder_code: str = Field(alias="hc", max_length=32, description="masked for natural persons")
    holder_code_type: str = Field(alias="ht", max_length=3)
    issued_on: dt.date = Field(alias="d")
    valid_from: dt.date = Field(alias="vf")
    valid_to: dt.date | None = Field(alias="vt", description="null: long-term (长期)")
    jurisdiction: str = Field(alias="j", max_length=12)
    status_list: str = Field(alias="sl", max_length=32)
    status_index: int = Field(alias="si", ge=0)
    metadata_digest: str = Field(alias="md", pattern=r"^[0-9a-f]{64}$")


def canonical(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def metadata_digest(metadata: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(metadata)).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    if not text or not text.isascii() or "=" in text:
        raise MalformedPayload("bad_base64")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedPayload("bad_base64") from exc


def encode(payload: LicencePayload, key: IssuingKey) -> str:
    """The QR text for `payload`, signed with `key`."""
    container = canonical({"alg": key.algorithm, "kid": key.kid, "p": payload.model_dump(mode="json", by_alias=True)})
    signature = key.sign(container)
    return f"{PREFIX}{_b64(zlib.compress(container, 9))}.{_b64(signature)}"


class MalformedPayload(ValueError):
    """Not a licence QR payload (wrong prefix, encoding, compression or shape)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class SignedPayload:
    algorithm: str
    kid: str
    payload: LicencePayload
    container: bytes
    signature: bytes


def decode(text: str) -> SignedPayload:
    """Parse the QR text (no signature check yet). Raises MalformedPayload."""
    if not isinstance(text, str) or len(text) > MAX_QR_CHARS:
        raise MalformedPayload("malformed")
    text = text.strip()
    if not text.startswith(PREFIX):
        raise MalformedPayload("wrong_prefix")
    body, dot, signature_text = text[len(PREFIX) :].partition(".")
    if not dot:
        raise MalformedPayload("malformed")
    compressed = _unb64(body)
    signature = _unb64(signature_text)
    try:
        inflater = zlib.decompressobj()
        container = inflater.decompress(compressed, MAX_CONTAINER_BYTES + 1)
    except zlib.error as exc:
        raise MalformedPayload("bad_compression") from exc
    if len(container) > MAX_CONTAINER_BYTES or not inflater.eof:
        raise MalformedPayload("too_large")
    try:
        outer = json.loads(container.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload("bad_json") from exc
    if not isinstance(outer, dict) or set(outer) != {"alg", "kid", "p"}:
        raise MalformedPayload("bad_json")
    algorithm, kid = outer["alg"], outer["kid"]
    if not isinstance(algorithm, str) or not isinstance(kid, str) or not isinstance(outer["p"], dict):
        raise MalformedPayload("bad_json")
    try:
        payload = LicencePayload.model_validate(outer["p"])
    except ValidationError as exc:
        raise MalformedPayload("bad_payload") from exc
    return SignedPayload(algorithm, kid, payload, container, signature)


class Result(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    REPLACED = "replaced"
    UNKNOWN = "unknown"


class Reason(StrEnum):
    """Why a verdict is what it is (stable codes; shown beside the result)."""

    OK = "ok"
    RENEWAL_PENDING = "renewal_pending"  # past its end, renewal applied for in time, undecided: deemed renewed
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    REPLACED = "replaced"
    NOT_YET_VALID = "not_yet_valid"
    NOT_FOUND = "not_found"  # no licence has this identifier
    MALFORMED = "malformed"  # not a licence QR payload / identifier
    UNTRUSTED_KEY = "untrusted_key"  # kid not in the trust list, or not for this issuer
    BAD_SIGNATURE = "bad_signature"  # tampered payload or wrong key
    MISMATCH = "mismatch"  # signed facts differ from the licence on record
    STATUS_UNAVAILABLE = "status_unavailable"  # status could not be checked: never "valid"
    STATUS_STALE = "status_stale"  # offline: the cached status list is too old


def check_signature(
    signed: SignedPayload,
    key_for: Callable[[str], VerificationKey | None],
    issuer_trusts: Callable[[str, str], bool],
) -> Reason:
    """OK when a trusted key of the payload's issuer signed these exact bytes."""
    if signed.algorithm not in ALGORITHMS:
        return Reason.UNTRUSTED_KEY
    key = key_for(signed.kid)
    if key is None or key.algorithm != signed.algorithm:
        return Reason.UNTRUSTED_KEY
    if not issuer_trusts(signed.payload.issuer_code, signed.kid):
        return Reason.UNTRUSTED_KEY
    try:
        key.verify(signed.container, signed.signature)
    except SignatureError:
        return Reason.BAD_SIGNATURE
    return Reason.OK


def verdict(
    valid_from: dt.date, valid_to: dt.date | None, entry: Entry | None, today: dt.date, *, renewal_pending: bool = False
) -> tuple[Result, Reason]:
    """The status of an authentic licence: revoked, replaced and suspended win over
    dates; no status at all is never "valid". Past its end with a renewal applied for
    in time and undecided, it is deemed renewed (Art. 50(2)): valid until the decision."""
    if entry is None:
        return Result.UNKNOWN, Reason.STATUS_UNAVAILABLE
    if entry is Entry.REVOKED:
        return Result.REVOKED, Reason.REVOKED
    if entry is Entry.REPLACED:
        return Result.REPLACED, Reason.REPLACED
    if entry is Entry.SUSPENDED:
        return Result.SUSPENDED, Reason.SUSPENDED
    if today < valid_from:
        return Result.UNKNOWN, Reason.NOT_YET_VALID
    if valid_to is not None and today > valid_to:
        return (Result.VALID, Reason.RENEWAL_PENDING) if renewal_pending else (Result.EXPIRED, Reason.EXPIRED)
    return Result.VALID, Reason.OK
