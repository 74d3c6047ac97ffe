"""PAdES seals on the licence certificates (D-227): signed with the KMS issuing
key over the issuing department's self-issued X.509 certificate
(`shared.platform.pades`). The certificate costs one KMS `Sign` the first time a
container seals for a department; each seal one more."""

from __future__ import annotations

from shared.licences.signing import seal_key
from shared.platform import pades
from shared.platform.pdf import RenderedPdf


def sealed(pdf: RenderedPdf, *, issuer_name: str, issuer_code: str, reason: str) -> RenderedPdf:
    """The certificate sealed for its issuing department (unsealed without a KMS key: an SM2-only set-up)."""
    return pades.seal_for(pdf, seal_key(), name=issuer_name, code=issuer_code, reason=reason)


def seal_certificate(issuer_name: str, issuer_code: str) -> str:
    """The department certificate the seals carry, base64 DER for the trust list ("" without a KMS key)."""
    import base64

    key = seal_key()
    if key is None:
        return ""
    return base64.b64encode(pades.certificate_for(key, name=issuer_name, code=issuer_code).dump()).decode()
