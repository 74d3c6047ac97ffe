"""PAdES seals on the platform's PDFs (D-227): a pyHanko signature whose raw
signing operation is delegated (KMS `Sign` in production), over a self-issued
X.509 certificate naming the issuing department.

- `issuer_certificate(key, name=..., code=...)`: the department's certificate.
  Subject and issuer are the department (C=CN, O=江苏政务服务平台, CN=<name>,
  organizationIdentifier=<USCC>), the public key is the signing key's, the
  certificate is signed by that same key. Everything but the ECDSA signature is
  derived from (name, code, public key), so every container makes the same
  certificate body; a verifier trusts it because its public key is the one the
  trust list publishes for that issuer code, not because of the certificate.
- `seal(pdf, key, certificate, reason=...)`: an incremental update adding an
  invisible signature field, sub-filter ETSI.CAdES.detached with the
  signing-certificate-v2 attribute (PAdES B-B), ECDSA P-256 / SHA-256.
- `check(pdf, trusted_keys)`: pyHanko's validator with the signer's certificate
  as the only trust anchor once its key is trusted; intact, valid and covering
  the whole file, or not.

pyHanko (and asn1crypto) are imported inside the functions: only the code paths
that seal or check pay for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from shared.platform.aws import client
from shared.platform.config import pdf_seal_settings
from shared.platform.pdf import RenderedPdf

if TYPE_CHECKING:
    from asn1crypto import x509

SEAL_FIELD = "PlatformSeal"
LOCATION = "江苏省"
ORGANISATION = "江苏政务服务平台"
# Fixed validity, so the certificate is the same in every container; the trust list, not the dates,
# says whether the key is still trusted.
_NOT_BEFORE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_NOT_AFTER = dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
_P256_DER_MAX = 72  # the longest DER ECDSA P-256 signature: what a dry run reserves room for


class SealKey(Protocol):
    """An ECDSA P-256 key that signs with SHA-256 and answers DER (what KMS `Sign` returns)."""

    def public_key_der(self) -> bytes: ...

    def sign_der(self, message: bytes) -> bytes: ...


class SealError(ValueError):
    """The file carries no seal this platform made, or it cannot be read."""


class KmsSealKey:
    """A KMS ECC_NIST_P256 / SIGN_VERIFY key: one `Sign` per signature, the public key fetched once."""

    def __init__(self, key_id: str) -> None:
        if not key_id:
            raise RuntimeError("no KMS key id for signing")
        self.key_id = key_id
        self._public: bytes | None = None
        self._lock = threading.Lock()

    def public_key_der(self) -> bytes:
        if self._public is None:
            with self._lock:
                if self._public is None:
                    self._public = bytes(client("kms").get_public_key(KeyId=self.key_id)["PublicKey"])
        return self._public

    def sign_der(self, message: bytes) -> bytes:
        """ECDSA P-256 / SHA-256 over `message`, DER-encoded as KMS returns it (what CMS and X.509 carry)."""
        return bytes(
            client("kms").sign(KeyId=self.key_id, Message=message, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256")[
                "Signature"
            ]
        )


_certificates: dict[tuple[str, str, bytes], x509.Certificate] = {}
_certificates_lock = threading.Lock()


def certificate_for(key: SealKey, *, name: str, code: str) -> x509.Certificate:
    """`issuer_certificate`, made once per process for each (department, key): its body never changes."""
    cache_key = (name, code, key.public_key_der())
    with _certificates_lock:
        found = _certificates.get(cache_key)
        if found is None:
            found = issuer_certificate(key, name=name, code=code)
            _certificates[cache_key] = found
    return found


def forget_certificates() -> None:
    with _certificates_lock:
        _certificates.clear()


def seal_for(pdf: RenderedPdf, key: SealKey | None, *, name: str, code: str, reason: str) -> RenderedPdf:
    """`pdf` sealed for the department `name` (USCC `code`); unchanged when there is no key."""
    if key is None:
        return pdf
    return seal(pdf, key, certificate_for(key, name=name, code=code), reason=reason, location=LOCATION)


@cache
def configured_key() -> KmsSealKey | None:
    """The platform's seal key (`PDF_SEAL_KEY_ID`), or None where none is configured."""
    key_id = pdf_seal_settings().pdf_seal_key_id
    return KmsSealKey(key_id) if key_id else None


def issuer_certificate(key: SealKey, *, name: str, code: str) -> x509.Certificate:
    """The self-issued certificate of the department `name` (USCC `code`) for `key` (one signature)."""
    from asn1crypto import algos, keys, x509

    spki = key.public_key_der()
    subject = x509.Name.build(
        {
            "country_name": "CN",
            "organization_name": ORGANISATION,
            "organizational_unit_name": "电子文书签章",
            "common_name": name,
            "organization_identifier": code,
        },
        use_printable=False,
    )
    serial = int.from_bytes(hashlib.sha256(code.encode() + spki).digest()[:16], "big") >> 1
    key_id = hashlib.sha1(spki).digest()  # noqa: S324 (RFC 5280 §4.2.1.2 method 1, an identifier, not security)
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": serial,
            "signature": {"algorithm": "sha256_ecdsa"},
            "issuer": subject,
            "validity": {
                "not_before": x509.Time({"utc_time": _NOT_BEFORE}),
                "not_after": x509.Time({"utc_time": _NOT_AFTER}),
            },
            "subject": subject,
            "subject_public_key_info": keys.PublicKeyInfo.load(spki),
            "extensions": [
                {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": False}},
                {
                    "extn_id": "key_usage",
                    "critical": True,
                    "extn_value": {"digital_signature", "non_repudiation"},
                },
                {"extn_id": "key_identifier", "critical": False, "extn_value": key_id},
            ],
        }
    )
    signature = key.sign_der(tbs.dump())
    built = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
            "signature_value": signature,
        }
    )
    # parsed back from DER: a constructed asn1crypto value re-encodes itself on every dump (slow in CMS)
    return x509.Certificate.load(built.dump())


def seal(pdf: RenderedPdf, key: SealKey, certificate: x509.Certificate, *, reason: str, location: str) -> RenderedPdf:
    """The PDF with a PAdES B-B signature appended as an incremental update (one `sign_der` call)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _delegated_signer(key, certificate)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf.body))
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=str(certificate.subject.native.get("common_name", "")),
    )
    out = signers.sign_pdf(writer, metadata, signer=signer)
    body = out.getvalue()
    return RenderedPdf(body=body, sha256=hashlib.sha256(body).hexdigest())


def _delegated_signer(key: SealKey, certificate: x509.Certificate) -> Any:
    from asn1crypto import algos
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class DelegatedSigner(signers.Signer):
        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            if dry_run:  # pyHanko sizes the signature first; no KMS call for that
                return bytes(_P256_DER_MAX)
            if digest_algorithm != "sha256":
                raise SealError(f"the seal key signs with SHA-256, not {digest_algorithm}")
            return key.sign_der(data)

    return DelegatedSigner(
        signing_cert=certificate,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
        signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        embed_roots=True,
    )


@dataclass(frozen=True)
class SealCheck:
    """What a reader's signature panel says, decided by pyHanko's validator."""

    signed: bool  # the file carries a signature at all
    trusted: bool  # its key is one the trust list publishes for the named issuer, and the validator agrees
    intact: bool  # the signed bytes are unchanged and the signature verifies
    whole_file: bool  # nothing was added after the signature
    signer_name: str
    issuer_code: str
    signed_at: str | None
    info: dict[str, str]  # the signed revision's document information (title, keywords)

    @property
    def ok(self) -> bool:
        return self.signed and self.trusted and self.intact and self.whole_file


_UNSIGNED = SealCheck(False, False, False, False, "", "", None, {})


def check(body: bytes, trusted: Callable[[str, bytes], bool]) -> SealCheck:
    """Validate the platform seal of `body`. `trusted(issuer_code, spki_der)` says whether the
    trust list publishes that key for that issuer; only then is the certificate an anchor."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(body), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SealError(f"not a readable PDF: {exc}") from exc
    ours = [s for s in signatures if s.field_name == SEAL_FIELD]
    if not ours:
        return _UNSIGNED
    embedded = ours[0]
    try:
        certificate = embedded.signer_cert
    except (ValueError, KeyError, TypeError):
        return _UNSIGNED
    subject = certificate.subject.native
    code = str(subject.get("organization_identifier", ""))
    name = str(subject.get("common_name", ""))
    is_trusted = trusted(code, certificate.public_key.dump())
    context = ValidationContext(trust_roots=[certificate] if is_trusted else [], allow_fetching=False)
    try:
        status = validate_pdf_signature(embedded, context)
        intact = bool(status.intact and status.valid)
        anchored = bool(status.trusted)
        whole = status.coverage is SignatureCoverageLevel.ENTIRE_FILE
        signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else None
    except (PdfError, ValueError, KeyError, TypeError):
        intact, anchored, whole, signed_at = False, False, False, None
    info = _signed_info(embedded)
    return SealCheck(True, is_trusted and anchored, intact, whole, name, code, signed_at, info)


def _signed_info(embedded: Any) -> dict[str, str]:
    """Title and keywords of the revision the signature covers (later revisions are not signed)."""
    try:
        reader = embedded.reader.get_historical_resolver(embedded.signed_revision)
        info = reader.trailer_view["/Info"]
        return {k.lstrip("/"): str(info[k]) for k in ("/Title", "/Keywords", "/Author") if k in info}
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}
