"""Sealed personal values (加密存储, PIPL): envelope encryption under the personal-data
KMS key, bound to the purpose and the record the values belong to. A ciphertext
copied onto another record, or read under another purpose, does not open, and a
table or event that carries one reveals nothing without the key.

Identity seals an account's ID number and phone; cases seal a courier
recipient's name and phone, which the delivery context unseals to book the
courier. Masked forms are kept beside sealed values for display.

Format (D-330): `e1:<base64 KMS-encrypted data key>:<base64 nonce ‖ AES-256-GCM ciphertext ‖ tag>`.
The data key comes from KMS `GenerateDataKey` with the context `{"purpose"}`; the
associated data names the purpose and the record (`subject_id`). As the AWS Encryption
SDK's caching materials manager does, a process reuses its data key for at most
`MAX_AGE` and `MAX_MESSAGES` values, and a reader keeps the data keys it unwrapped
(bounded LRU, the same age limit), so KMS is asked once per container, purpose and
5 minutes instead of once per value.

A value without the prefix is the earlier form (D-018): one KMS `Encrypt` ciphertext
under the context `{"purpose", "subject_id"}`, opened by one KMS `Decrypt`. It is
still read (records and events stored before D-330), never written.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from shared.platform.aws import client
from shared.platform.clock import now
from shared.platform.config import sealing_settings

ENVELOPE_PREFIX = "e1:"
# Why these bounds: 10,000 values is far below the 2^32 random 96-bit nonces NIST SP 800-38D
# allows one GCM key; 5 minutes bounds how long a plaintext key lives in a container's memory
# and how late a disabled KMS key or a revoked grant stops new sealing (the Encryption SDK's
# own examples use minutes). At the platform's rate a busy container seals a few hundred
# values in 5 minutes, so the age is what renews the key.
MAX_AGE = timedelta(minutes=5)
MAX_MESSAGES = 10_000
# data keys a reader keeps: one per writing container and 5 minutes, so a few dozen are live
READER_KEYS = 256
_NONCE_BYTES = 12  # 96 bits, fresh per value


class SealBroken(ValueError):
    """A sealed value that does not open for this purpose and record (tampered, moved, or malformed).
    The message names neither the value nor the key."""


@dataclass
class _DataKey:
    plaintext: bytes
    encrypted: bytes
    since: datetime
    uses: int = 0


class PersonalDataSealer:
    """Envelope encryption of a few small personal values of one record, for one purpose."""

    def __init__(
        self,
        key_id: str,
        purpose: str,
        *,
        max_age: timedelta = MAX_AGE,
        max_messages: int = MAX_MESSAGES,
        reader_keys: int = READER_KEYS,
    ) -> None:
        self._key_id = key_id
        self.purpose = purpose
        self._max_age = max_age
        self._max_messages = max_messages
        self._reader_keys = reader_keys
        self._writing: _DataKey | None = None
        self._unwrapped: OrderedDict[bytes, _DataKey] = OrderedDict()
        # handlers fan out through thread pools (shared.platform.aws.concurrently): one KMS call per key
        self._lock = threading.Lock()

    def _associated_data(self, subject_id: str) -> bytes:
        return json.dumps({"purpose": self.purpose, "subject_id": subject_id}, separators=(",", ":")).encode()

    def _fresh(self, key: _DataKey) -> bool:
        age = now() - key.since
        # a clock that went back (a test freezing an earlier moment) counts as expired too
        return timedelta(0) <= age < self._max_age

    def seal(self, subject_id: str, values: Mapping[str, str]) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # on first use: keeps cold starts lean

        plaintext = json.dumps(dict(values), ensure_ascii=False, separators=(",", ":")).encode()
        key = self._data_key_for_writing()
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(key.plaintext).encrypt(nonce, plaintext, self._associated_data(subject_id))
        return f"{ENVELOPE_PREFIX}{_b64(key.encrypted)}:{_b64(nonce + sealed)}"

    def unseal(self, subject_id: str, sealed: str) -> dict[str, Any]:
        if sealed.startswith(ENVELOPE_PREFIX):
            plaintext = self._open_envelope(subject_id, sealed)
        else:
            plaintext = self._open_kms_ciphertext(subject_id, sealed)
        values = json.loads(plaintext)
        if not isinstance(values, dict):
            raise SealBroken("sealed personal data is not an object")
        return values

    def _data_key_for_writing(self) -> _DataKey:
        with self._lock:
            key = self._writing
            if key is None or key.uses >= self._max_messages or not self._fresh(key):
                if not self._key_id:
                    raise RuntimeError("PERSONAL_DATA_KEY_ID is not set")
                response = client("kms").generate_data_key(
                    KeyId=self._key_id, KeySpec="AES_256", EncryptionContext={"purpose": self.purpose}
                )
                key = _DataKey(bytes(response["Plaintext"]), bytes(response["CiphertextBlob"]), now())
                self._writing = key
                self._remember(key)  # what this container seals it can open without KMS
            key.uses += 1
            return key

    def _open_envelope(self, subject_id: str, sealed: str) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        parts = sealed[len(ENVELOPE_PREFIX) :].split(":")
        try:
            wrapped, body = (base64.b64decode(part, validate=True) for part in parts)
        except (ValueError, binascii.Error) as exc:
            raise SealBroken("sealed value is malformed") from exc
        if len(body) <= _NONCE_BYTES:
            raise SealBroken("sealed value is malformed")
        key = self._data_key_for_reading(wrapped)
        try:
            return AESGCM(key).decrypt(body[:_NONCE_BYTES], body[_NONCE_BYTES:], self._associated_data(subject_id))
        except InvalidTag as exc:
            raise SealBroken("sealed value does not open for this record") from exc

    def _data_key_for_reading(self, wrapped: bytes) -> bytes:
        with self._lock:
            key = self._unwrapped.get(wrapped)
            if key is not None and self._fresh(key):
                self._unwrapped.move_to_end(wrapped)
                return key.plaintext
            # KMS refuses a data key generated for another purpose (its encryption context)
            response = client("kms").decrypt(CiphertextBlob=wrapped, EncryptionContext={"purpose": self.purpose})
            key = _DataKey(bytes(response["Plaintext"]), wrapped, now())
            self._remember(key)
            return key.plaintext

    def _remember(self, key: _DataKey) -> None:
        self._unwrapped[key.encrypted] = key
        self._unwrapped.move_to_end(key.encrypted)
        while len(self._unwrapped) > self._reader_keys:
            self._unwrapped.popitem(last=False)

    def _open_kms_ciphertext(self, subject_id: str, sealed: str) -> bytes:
        """The earlier form (D-018): the whole value is one KMS ciphertext bound to purpose and record."""
        response = client("kms").decrypt(
            CiphertextBlob=base64.b64decode(sealed),
            EncryptionContext={"purpose": self.purpose, "subject_id": subject_id},
        )
        return bytes(response["Plaintext"])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@cache
def sealer(purpose: str) -> PersonalDataSealer:
    """The process's sealer for `purpose` (e.g. `identity.account`, `cases.delivery`)."""
    return PersonalDataSealer(sealing_settings().personal_data_key_id, purpose)
