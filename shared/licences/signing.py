"""Issuing keys (签发密钥): who signs licence payloads, and how a signature is checked.

Two signers, chosen by `LICENCE_SIGNER`:

- `es256` (default): ECDSA P-256 with SHA-256 through KMS `Sign` on an
  asymmetric `ECC_NIST_P256` / `SIGN_VERIFY` key — the private key never
  leaves KMS. KMS returns DER; payloads carry the raw `r || s` (64 bytes).
- `sm2`: SM2 with SM3 (GB/T 32918, GB/T 32905; national cryptography) with
  the default user id `1234567812345678`, interoperable with OpenSSL 3
  (`pkeyutl -rawin -digest sm3`). KMS offers SM2 keys only in the AWS China
  regions (and moto has none), so the private key is derived from a Secrets
  Manager secret (d = SM3(secret) mod (n − 1) + 1); a China-region
  deployment swaps in a KMS SM2 signer behind the same protocol.

Key ids (`kid`) are short and derived from the public key (the first 8 bytes
of SHA-256 over its encoding, hex), as the EU DCC does, so a QR payload
stays small and a kid cannot be made to name another key. Rotation: the
current key signs; the keys listed in `LICENCE_PREVIOUS_KEY_IDS` no longer
sign but stay in the trust list, so licences they signed keep verifying.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from shared.licences.config import signing_settings
from shared.platform.aws import client
from shared.platform.pades import KmsSealKey

ES256 = "ES256"
SM2_SM3 = "SM2-SM3"
ALGORITHMS = (ES256, SM2_SM3)
SM2_DEFAULT_ID = b"1234567812345678"
_SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
_P256_COORDINATE = 32


class SignatureError(ValueError):
    """The signature does not verify with the key (or is malformed)."""


def short_kid(public_key_bytes: bytes) -> str:
    return hashlib.sha256(public_key_bytes).hexdigest()[:16]


@dataclass(frozen=True)
class VerificationKey:
    """A public key from the trust list. `public_key` is the SPKI DER (ES256) or
    the 64-byte `x || y` point (SM2, as gmssl and OpenSSL's raw form without 04)."""

    kid: str
    algorithm: str
    public_key: bytes

    def verify(self, message: bytes, signature: bytes) -> None:
        if self.algorithm == ES256:
            _verify_es256(self.public_key, message, signature)
        elif self.algorithm == SM2_SM3:
            _verify_sm2(self.public_key, message, signature)
        else:
            raise SignatureError("algorithm_not_allowed")


class IssuingKey(Protocol):
    """Signs payload bytes; `verification_key` is what the trust list publishes."""

    @property
    def kid(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...

    def verification_key(self) -> VerificationKey: ...


# --- ES256 through KMS ---------------------------------------------------------------------


def _verify_es256(spki_der: bytes, message: bytes, signature: bytes) -> None:
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    if len(signature) != 2 * _P256_COORDINATE:
        raise SignatureError("bad_signature_length")
    try:
        key = load_der_public_key(spki_der)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SignatureError("bad_public_key") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SignatureError("bad_public_key")
    der = encode_dss_signature(
        int.from_bytes(signature[:_P256_COORDINATE], "big"), int.from_bytes(signature[_P256_COORDINATE:], "big")
    )
    try:
        key.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise SignatureError("bad_signature") from exc


class KmsEs256Key(KmsSealKey):
    """ECDSA P-256 / SHA-256 with a KMS key (one `Sign` call per signature; the
    public key is fetched once per process). The same key seals PDFs (D-227)."""

    algorithm = ES256

    def __init__(self, key_id: str) -> None:
        if not key_id:
            raise RuntimeError("LICENCE_SIGNING_KEY_ID is not set")
        super().__init__(key_id)

    @property
    def kid(self) -> str:
        return short_kid(self.public_key_der())

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        r, s = decode_dss_signature(self.sign_der(message))
        return r.to_bytes(_P256_COORDINATE, "big") + s.to_bytes(_P256_COORDINATE, "big")

    def verification_key(self) -> VerificationKey:
        return VerificationKey(self.kid, ES256, self.public_key_der())


# --- SM2 / SM3 -----------------------------------------------------------------------------


def _verify_sm2(point: bytes, message: bytes, signature: bytes) -> None:
    from gmssl import sm2

    if len(point) != 64:
        raise SignatureError("bad_public_key")
    if len(signature) != 64:
        raise SignatureError("bad_signature_length")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < _SM2_N and 0 < s < _SM2_N):
        raise SignatureError("bad_signature")
    crypt = sm2.CryptSM2(private_key=None, public_key=point.hex())
    try:
        ok = crypt.verify_with_sm3(signature.hex(), message)
    except (ValueError, TypeError, ZeroDivisionError) as exc:
        raise SignatureError("bad_signature") from exc
    if not ok:
        raise SignatureError("bad_signature")


def sm2_private_from_secret(secret: bytes) -> int:
    """An SM2 private key in [1, n − 1] derived from a random secret string."""
    from gmssl import sm3

    digest = sm3.sm3_hash(list(secret))
    return int(digest, 16) % (_SM2_N - 1) + 1


class Sm2Key:
    """SM2 with SM3 and the default user id (gmssl, pure Python)."""

    algorithm = SM2_SM3

    def __init__(self, private_key: int) -> None:
        from gmssl import sm2

        if not 0 < private_key < _SM2_N:
            raise ValueError("SM2 private key out of range")
        self._private_hex = f"{private_key:064x}"
        probe = sm2.CryptSM2(private_key=self._private_hex, public_key="")
        self._point = bytes.fromhex(probe._kg(private_key, sm2.default_ecc_table["g"]))
        self._crypt = sm2.CryptSM2(private_key=self._private_hex, public_key=self._point.hex())

    @property
    def kid(self) -> str:
        return short_kid(b"\x04" + self._point)

    @property
    def public_point(self) -> bytes:
        return self._point

    def sign(self, message: bytes) -> bytes:
        while True:
            k = secrets.randbelow(_SM2_N - 1) + 1  # gmssl's own nonce uses `random`, not a CSPRNG
            signature = self._crypt.sign_with_sm3(message, f"{k:064x}")
            if signature and len(signature) == 128:
                return bytes.fromhex(signature)

    def verification_key(self) -> VerificationKey:
        return VerificationKey(self.kid, SM2_SM3, self._point)


def _sm2_from_secret_arn(arn: str) -> Sm2Key:
    if not arn:
        raise RuntimeError("LICENCE_SM2_SECRET_ARN is not set")
    secret = str(client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]).encode()
    return Sm2Key(sm2_private_from_secret(secret))


# --- the process's keys --------------------------------------------------------------------


@cache
def issuing_key() -> IssuingKey:
    """The key that signs new licences (`LICENCE_SIGNER`)."""
    cfg = signing_settings()
    if cfg.licence_signer == "sm2":
        return _sm2_from_secret_arn(cfg.licence_sm2_secret_arn)
    return KmsEs256Key(cfg.licence_signing_key_id)


@cache
def published_keys() -> tuple[tuple[VerificationKey, str], ...]:
    """Every key the trust list publishes, with its state: the current signer
    (`current`), the other configured signer (`standby`) and KMS keys retired
    from signing (`previous`)."""
    cfg = signing_settings()
    current = issuing_key().verification_key()
    found: list[tuple[VerificationKey, str]] = [(current, "current")]
    others: list[tuple[IssuingKey, str]] = []
    if cfg.licence_signer == "sm2" and cfg.licence_signing_key_id:
        others.append((KmsEs256Key(cfg.licence_signing_key_id), "standby"))
    if cfg.licence_signer != "sm2" and cfg.licence_sm2_secret_arn:
        others.append((_sm2_from_secret_arn(cfg.licence_sm2_secret_arn), "standby"))
    others.extend((KmsEs256Key(k.strip()), "previous") for k in cfg.licence_previous_key_ids.split(",") if k.strip())
    for key, state in others:
        verification = key.verification_key()
        if all(verification.kid != known.kid for known, _ in found):
            found.append((verification, state))
    return tuple(found)


@cache
def seal_key() -> KmsEs256Key | None:
    """The KMS key that seals issued PDFs (PAdES, D-227) whichever signer signs QR payloads:
    PDF signatures are ECDSA P-256 (pyHanko and readers know no SM2). None without a KMS key."""
    key_id = signing_settings().licence_signing_key_id
    if not key_id:
        return None
    current = issuing_key()
    # the same object when KMS signs payloads too: its public key is fetched once per container
    return current if isinstance(current, KmsEs256Key) and current.key_id == key_id else KmsEs256Key(key_id)


def clear_cache() -> None:
    seal_key.cache_clear()
    issuing_key.cache_clear()
    published_keys.cache_clear()
