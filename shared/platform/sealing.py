"""Sealed personal values (加密存储, PIPL): KMS `Encrypt` under the personal-data
key with an encryption context naming the purpose and the record the values
belong to. A ciphertext copied onto another record does not decrypt, and a
table or event that carries one reveals nothing without the key.

Identity seals an account's ID number and phone; cases seal a courier
recipient's name and phone, which the delivery context unseals to book the
courier. Masked forms are kept beside sealed values for display.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from shared.platform.aws import client
from shared.platform.config import sealing_settings


class PersonalDataSealer:
    """KMS envelope for a few small personal values of one record."""

    def __init__(self, key_id: str, purpose: str) -> None:
        self._key_id = key_id
        self.purpose = purpose

    def _context(self, subject_id: str) -> dict[str, str]:
        return {"purpose": self.purpose, "subject_id": subject_id}

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
def sealer(purpose: str) -> PersonalDataSealer:
    """The process's sealer for `purpose` (e.g. `identity.account`, `cases.delivery`)."""
    return PersonalDataSealer(sealing_settings().personal_data_key_id, purpose)
