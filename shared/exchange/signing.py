"""Signatures of department-system messages: ES256 detached JWS (RFC 7515,
Appendix F) over the canonical body (D-236).

Canonical body: the message without its `signature` member, as JSON with
keys sorted, no whitespace, non-ASCII kept (UTF-8) — the same bytes on both
sides whatever the sender's serializer did. The JWS protected header is
`{"alg":"ES256","kid":"<key id>"}`; the signature value is
`<b64url header>..<b64url r||s>` (the payload left out: it is the body).
Only ES256 is accepted; `alg: none` or any other algorithm is a bad signature.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

ALGORITHM = "ES256"
_COORDINATE = 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(message: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in message.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(key: ec.EllipticCurvePrivateKey, kid: str, message: Mapping[str, Any]) -> str:
    """The detached JWS of `message` (what a department system puts in `signature`)."""
    header = _b64(json.dumps({"alg": ALGORITHM, "kid": kid}, separators=(",", ":")).encode())
    der = key.sign(f"{header}.{_b64(canonical(message))}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{header}..{_b64(r.to_bytes(_COORDINATE, 'big') + s.to_bytes(_COORDINATE, 'big'))}"


def signing_kid(signature: str) -> str | None:
    """The `kid` of a detached ES256 JWS; None when it is not one."""
    parts = signature.split(".")
    if len(parts) != 3 or parts[1]:
        return None
    try:
        header = json.loads(_unb64(parts[0]))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
        return None
    return str(header["kid"])


def verify(key: ec.EllipticCurvePublicKey, message: Mapping[str, Any], signature: str) -> bool:
    if signing_kid(signature) is None:
        return False
    header, _, value = signature.split(".")
    try:
        raw = _unb64(value)
    except (ValueError, binascii.Error):
        return False
    if len(raw) != 2 * _COORDINATE:
        return False
    der = encode_dss_signature(int.from_bytes(raw[:_COORDINATE], "big"), int.from_bytes(raw[_COORDINATE:], "big"))
    try:
        key.verify(der, f"{header}.{_b64(canonical(message))}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
