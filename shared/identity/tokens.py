"""Access tokens (访问令牌): compact JWS, ES256, signed by an asymmetric KMS key.

One sign-on for every service (一次认证、全网通行): the identity API signs a
short-lived token (≈15 min) with KMS `Sign` (ECDSA P-256, SHA-256) — the
private key never leaves KMS; every other function trusts the API Gateway
authorizer, which verifies the signature locally with the public key it
fetched once (`GetPublicKey`) and kept for the life of the process.

Format (RFC 7515/7519/7518): header `{"alg": "ES256", "typ": "JWT", "kid"}`
where `kid` is the KMS key id; claims `iss aud sub iat exp jti` plus `role`,
`department`, `region`, `acting_for`, `scope`, `sid` (the session family).
KMS returns a DER ECDSA signature; JWS wants the raw `r || s` (32 + 32
bytes), so both directions are converted here. ECDSA is malleable: if
`(r, s)` verifies, so does `(r, n − s)`, which would make a second token
string for the same claims. Signatures are therefore normalised to low S
(`s ≤ n/2`) when signed and anything else is refused when verified.

The verifier is strict by construction: it accepts only `alg` ES256 (so
`none` and the HS256-with-the-public-key confusion are refused before any
key is touched), only `kid`s it was configured with (a token cannot make it
fetch arbitrary keys), an exact audience and issuer, and a live `exp`.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.identity.config import token_settings
from shared.platform.aws import client
from shared.platform.ids import new_id
from shared.platform.principal import Principal, Role

# cryptography is imported where keys and signatures are handled, not at import: most
# identity routes (and the cold start of identity_api) never touch a signature
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "ES256"
KMS_SIGNING_ALGORITHM = "ECDSA_SHA_256"
COORDINATE_BYTES = 32  # P-256
MAX_TOKEN_LENGTH = 4096
DEFAULT_LEEWAY_S = 30  # clock skew tolerated on exp/iat/nbf
# the order of the P-256 group (SEC 2, secp256r1 `n`)
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class InvalidToken(Exception):
    """The token must not be trusted; `reason` is for logs (never the token itself)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class AccessClaims(BaseModel):
    """The claims of an access token. Absent optional claims are left out of the JWT."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    iss: str
    aud: str | list[str]
    sub: str = Field(min_length=1, max_length=64)
    iat: int
    exp: int
    nbf: int | None = None
    jti: str = Field(min_length=1, max_length=64)
    role: Role
    department: str | None = None  # 部门 id (staff)
    region: str | None = None  # 行政区划代码 (staff, supervisor, operator)
    acting_for: str | None = None  # USCC the agent acts for (代办企业)
    scope: str | None = None  # agent scopes, space-separated
    sid: str | None = None  # session family (refresh token family)

    def principal(self) -> Principal:
        return Principal(
            subject_id=self.sub,
            role=self.role,
            department_id=self.department or "",
            region_code=self.region or "",
            acting_for=self.acting_for or "",
            scopes=frozenset((self.scope or "").split()),
            session_id=self.sid or "",
        )


def claims_for(principal: Principal, *, issuer: str, audience: str, issued_at: datetime, ttl_s: int) -> AccessClaims:
    iat = int(issued_at.timestamp())
    return AccessClaims(
        iss=issuer,
        aud=audience,
        sub=principal.subject_id,
        iat=iat,
        exp=iat + ttl_s,
        jti=new_id(),
        role=principal.role,
        department=principal.department_id or None,
        region=principal.region_code or None,
        acting_for=principal.acting_for or None,
        scope=" ".join(sorted(principal.scopes)) or None,
        sid=principal.session_id or None,
    )


# --- encoding helpers --------------------------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    if not text or "=" in text or not text.isascii():
        raise InvalidToken("bad_base64")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("bad_base64") from exc


def _json_segment(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def der_to_raw_signature(der: bytes) -> bytes:
    """KMS's DER `ECDSA-Sig-Value` → JOSE `r || s`, each left-padded to 32 bytes, with
    S normalised to the low half (KMS does not normalise; about half its signatures are high-S)."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(der)
    if s > P256_ORDER // 2:
        s = P256_ORDER - s
    return r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")


def raw_to_der_signature(raw: bytes) -> bytes:
    """JOSE `r || s` → DER, refusing out-of-range values and high S (the malleable twin)."""
    if len(raw) != 2 * COORDINATE_BYTES:
        raise InvalidToken("bad_signature_length")
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    r = int.from_bytes(raw[:COORDINATE_BYTES], "big")
    s = int.from_bytes(raw[COORDINATE_BYTES:], "big")
    if not 0 < r < P256_ORDER or not 0 < s < P256_ORDER:
        raise InvalidToken("bad_signature")
    if s > P256_ORDER // 2:
        raise InvalidToken("high_s_signature")
    return encode_dss_signature(r, s)


# --- signing -----------------------------------------------------------------------------


class Signer(Protocol):
    """Signs JWS signing input with ES256; `key_id` becomes the header's `kid`."""

    @property
    def key_id(self) -> str: ...

    def sign(self, signing_input: bytes) -> bytes:
        """The raw `r || s` signature."""
        ...


class KmsSigner:
    """ES256 through KMS `Sign` (one call per token)."""

    def __init__(self, key_id: str) -> None:
        if not key_id:
            raise RuntimeError("TOKEN_SIGNING_KEY_ID is not set")
        self._key_id = key_id

    @property
    def key_id(self) -> str:
        return self._key_id

    def sign(self, signing_input: bytes) -> bytes:
        response = client("kms").sign(
            KeyId=self._key_id,
            Message=signing_input,
            MessageType="RAW",
            SigningAlgorithm=KMS_SIGNING_ALGORITHM,
        )
        return der_to_raw_signature(response["Signature"])


def encode_token(claims: AccessClaims, signer: Signer) -> str:
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": signer.key_id}
    payload = claims.model_dump(mode="json", exclude_none=True)
    signing_input = f"{_json_segment(header)}.{_json_segment(payload)}"
    signature = signer.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


# --- public keys -------------------------------------------------------------------------


def load_p256_public_key(der: bytes) -> ec.EllipticCurvePublicKey:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    key = load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the token signing key is not an ECC_NIST_P256 key")
    return key


def public_jwk(kid: str, key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The key as a JWK (RFC 7517/7518) for the JWKS document."""
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(COORDINATE_BYTES, "big")),
        "y": b64url(numbers.y.to_bytes(COORDINATE_BYTES, "big")),
        "use": "sig",
        "alg": ALGORITHM,
        "kid": kid,
    }


class KmsPublicKeys:
    """Public keys of the allowed signing keys, fetched from KMS once each and kept.

    Only the configured key ids are ever fetched; a token naming another `kid`
    is refused without a KMS call.
    """

    def __init__(self, key_ids: Iterable[str]) -> None:
        self._allowed = tuple(dict.fromkeys(k for k in key_ids if k))
        self._keys: dict[str, ec.EllipticCurvePublicKey] = {}
        self._lock = threading.Lock()

    @property
    def key_ids(self) -> tuple[str, ...]:
        return self._allowed

    def get(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        if kid not in self._allowed:
            return None
        key = self._keys.get(kid)
        if key is None:
            with self._lock:
                key = self._keys.get(kid)
                if key is None:
                    der = client("kms").get_public_key(KeyId=kid)["PublicKey"]
                    key = load_p256_public_key(der)
                    self._keys[kid] = key
        return key

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        keys = []
        for kid in self._allowed:
            key = self.get(kid)
            if key is not None:
                keys.append(public_jwk(kid, key))
        return {"keys": keys}


@cache
def verification_keys() -> KmsPublicKeys:
    """The process's verification keys: the current signing key first, then the
    earlier ones still accepted during a rotation (settings)."""
    cfg = token_settings()
    previous = [k.strip() for k in cfg.token_previous_key_ids.split(",")]
    return KmsPublicKeys([cfg.token_signing_key_id, *previous])


@cache
def verifier() -> TokenVerifier:
    """The process's verifier with the configured issuer and audience."""
    cfg = token_settings()
    return TokenVerifier(verification_keys(), issuer=cfg.token_issuer, audience=cfg.token_audience)


# --- verification ------------------------------------------------------------------------


class KeySource(Protocol):
    def get(self, kid: str) -> ec.EllipticCurvePublicKey | None: ...


class TokenVerifier:
    """Verifies ES256 access tokens: header, signature, then claims."""

    def __init__(self, keys: KeySource, *, issuer: str, audience: str, leeway_s: int = DEFAULT_LEEWAY_S) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_s

    def verify(self, token: str, *, now: datetime) -> AccessClaims:
        if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise InvalidToken("malformed")
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("malformed")
        header_segment, payload_segment, signature_segment = parts
        header = self._json_object(header_segment)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("algorithm_not_allowed")
        if header.get("typ", "JWT") != "JWT" or "crit" in header:
            raise InvalidToken("header_not_allowed")
        kid = header.get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("unknown_key")
        signature = raw_to_der_signature(b64url_decode(signature_segment))
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            key.verify(signature, f"{header_segment}.{payload_segment}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise InvalidToken("bad_signature") from exc
        try:
            claims = AccessClaims.model_validate(self._json_object(payload_segment))
        except ValidationError as exc:
            raise InvalidToken("bad_claims") from exc
        self._check_claims(claims, int(now.timestamp()))
        return claims

    def _check_claims(self, claims: AccessClaims, now: int) -> None:
        if claims.exp <= now - self._leeway:
            raise InvalidToken("expired")
        if claims.iat > now + self._leeway or (claims.nbf is not None and claims.nbf > now + self._leeway):
            raise InvalidToken("not_yet_valid")
        if claims.iss != self._issuer:
            raise InvalidToken("wrong_issuer")
        audiences = claims.aud if isinstance(claims.aud, list) else [claims.aud]
        if self._audience not in audiences:
            raise InvalidToken("wrong_audience")
        if claims.role is Role.AGENT and not claims.acting_for:
            raise InvalidToken("agent_without_enterprise")

    @staticmethod
    def _json_object(segment: str) -> dict[str, Any]:
        try:
            value = json.loads(b64url_decode(segment))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidToken("bad_json") from exc
        if not isinstance(value, dict):
            raise InvalidToken("bad_json")
        return value
