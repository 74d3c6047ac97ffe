"""Protecting personal data (个人信息保护, PIPL): keyed hashes and sealed values.

- Keys and look-ups never hold a raw ID number, phone number, name or code:
  they hold `KeyedHasher.digest(purpose, value)`, an HMAC-SHA256 keyed with a
  secret from Secrets Manager (fetched once per process). Unlike a plain
  hash, nobody without the secret can test guesses (an ID number has only
  about 10^11 plausible values, a phone about 10^9, a code 10^6). The
  `purpose` is part of the message, so the same value hashes differently as
  a phone and as an ID number.
- Values we must show or use later (the full ID number, the phone to send a
  code to) are sealed with KMS `Encrypt` under the personal-data key, with an
  encryption context naming the account: a ciphertext copied onto another
  account does not decrypt. Masked forms (`320102********123X`, `138****5678`)
  are kept beside them for display, so showing a profile needs no KMS call.

The hash secret has no rotation schedule: rotating it means re-keying every
look-up item (a migration job), which is recorded as a decision.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import unicodedata
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import cache
from typing import Any

from shared.platform.aws import client
from shared.platform.config import settings


class HashPurpose(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    OTP = "otp"
    SOURCE_ADDRESS = "source_address"
    LOGIN = "login"
    REQUEST = "request"  # idempotency fingerprints of bodies that hold personal data


def normalize_name(name: str) -> str:
    """Names compared as people write them: NFKC (full-width → half-width),
    spaces removed, the several middle dots folded into `·`."""
    folded = unicodedata.normalize("NFKC", name)
    for dot in ("•", "・", "．", "."):
        folded = folded.replace(dot, "·")
    return "".join(ch for ch in folded if not ch.isspace())


class KeyedHasher:
    """HMAC-SHA256 with the platform's hash secret (带密钥哈希).

    The secret may be given as a loader, called once on first use, so building
    the hasher costs nothing on requests that never hash (a profile read).
    """

    MIN_SECRET_BYTES = 32

    def __init__(self, secret: bytes | Callable[[], bytes]) -> None:
        self._secret: bytes | None = None
        self._loader: Callable[[], bytes] | None = None
        if isinstance(secret, bytes):
            self._secret = self._checked(secret)
        else:
            self._loader = secret
        self._lock = threading.Lock()

    @classmethod
    def _checked(cls, secret: bytes) -> bytes:
        if len(secret) < cls.MIN_SECRET_BYTES:
            raise ValueError(f"the hash secret must have at least {cls.MIN_SECRET_BYTES} bytes")
        return secret

    def _key(self) -> bytes:
        if self._secret is None:
            with self._lock:
                if self._secret is None:
                    assert self._loader is not None
                    self._secret = self._checked(self._loader())
        return self._secret

    def digest(self, purpose: HashPurpose, value: str) -> str:
        message = f"{purpose.value}\x1f{value}".encode()
        return hmac.new(self._key(), message, hashlib.sha256).hexdigest()

    def matches(self, purpose: HashPurpose, value: str, expected_digest: str) -> bool:
        return hmac.compare_digest(self.digest(purpose, value), expected_digest)


def _secret_from_secrets_manager() -> bytes:
    arn = settings().identity_hash_secret_arn
    if not arn:
        raise RuntimeError("IDENTITY_HASH_SECRET_ARN is not set")
    return str(client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]).encode()


@cache
def hasher() -> KeyedHasher:
    """The process's hasher; one Secrets Manager call on its first digest."""
    return KeyedHasher(_secret_from_secrets_manager)


class PersonalDataSealer:
    """KMS envelope for a few small personal values of one account (加密存储)."""

    PURPOSE = "identity.account"

    def __init__(self, key_id: str) -> None:
        self._key_id = key_id

    def _context(self, subject_id: str) -> dict[str, str]:
        return {"purpose": self.PURPOSE, "subject_id": subject_id}

    def seal(self, subject_id: str, values: Mapping[str, str]) -> str:
        if not self._key_id:
            raise RuntimeError("PERSONAL_DATA_KEY_ID is not set")
        plaintext = json.dumps(dict(values), ensure_ascii=False, separators=(",", ":")).encode()
        response = client("kms").encrypt(
            KeyId=self._key_id, Plaintext=plaintext, EncryptionContext=self._context(subject_id)
        )
        return base64.b64encode(response["CiphertextBlob"]).decode()

    def unseal(self, subject_id: str, sealed: str) -> dict[str, Any]:
        response = client("kms").decrypt(
            CiphertextBlob=base64.b64decode(sealed), EncryptionContext=self._context(subject_id)
        )
        values = json.loads(response["Plaintext"])
        if not isinstance(values, dict):
            raise ValueError("sealed personal data is not an object")
        return values


@cache
def sealer() -> PersonalDataSealer:
    return PersonalDataSealer(settings().personal_data_key_id)


def clear_cache() -> None:
    """Forget the cached secret and key id (tests, or after the environment changes)."""
    hasher.cache_clear()
    sealer.cache_clear()
