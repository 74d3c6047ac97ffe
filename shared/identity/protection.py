"""Protecting personal data (个人信息保护, PIPL): keyed hashes and sealed values.

- Keys and look-ups never hold a raw ID number, phone number, name or code:
  they hold `KeyedHasher.digest(purpose, value)`, an HMAC-SHA256 keyed with a
  secret from Secrets Manager (fetched once per process). Unlike a plain
  hash, nobody without the secret can test guesses (an ID number has only
  about 10^11 plausible values, a phone about 10^9, a code 10^6). The
  `purpose` is part of the message, so the same value hashes differently as
  a phone and as an ID number.
- Values we must show or use later (the full ID number, the phone to send a
  code to) are sealed under the personal-data key (`shared.platform.sealing`:
  envelope encryption with a cached KMS data key, D-330), bound to the
  account: a ciphertext copied onto another account does not decrypt. Masked forms (`320102********123X`, `138****5678`)
  are kept beside them for display, so showing a profile needs no KMS call.

The hash secret has no rotation schedule: rotating it means re-keying every
look-up item (a migration job), which is recorded as a decision.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import unicodedata
from collections.abc import Callable
from enum import StrEnum
from functools import cache

from shared.identity.config import hashing_settings
from shared.platform import sealing
from shared.platform.aws import client
from shared.platform.sealing import PersonalDataSealer


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
    arn = hashing_settings().identity_hash_secret_arn
    if not arn:
        raise RuntimeError("IDENTITY_HASH_SECRET_ARN is not set")
    return str(client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]).encode()


@cache
def hasher() -> KeyedHasher:
    """The process's hasher; one Secrets Manager call on its first digest."""
    return KeyedHasher(_secret_from_secrets_manager)


ACCOUNT_PURPOSE = "identity.account"


def sealer() -> PersonalDataSealer:
    return sealing.sealer(ACCOUNT_PURPOSE)


def clear_cache() -> None:
    """Forget the cached secret and key id (tests, or after the environment changes)."""
    hasher.cache_clear()
    sealing.sealer.cache_clear()
