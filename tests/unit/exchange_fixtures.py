"""A registered department system (the province tax department's, as in the local
cloud) with a key pair, and its signed messages, for the exchange tests."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shared.exchange.partners import clear_cache
from shared.exchange.signing import sign
from shared.platform.clock import now
from tests.support.template_tables import create_table_arguments

EXCHANGE_TABLE = "exchange-test"
PARTNER = "js-tax-system"
KID = "tax-2026"
DEPARTMENT = "320000-tax"
KEY = ec.generate_private_key(ec.SECP256R1())
FORGER = ec.generate_private_key(ec.SECP256R1())


def public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


REGISTRY = [
    {
        "partner_id": PARTNER,
        "name": "江苏省税务局 金税系统",
        "department_id": DEPARTMENT,
        "region_code": "320000",
        "keys": {KID: public_pem(KEY)},
    }
]


def exchange_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside mock_aws: the Exchange table and the registry in the environment."""
    boto3.client("dynamodb").create_table(**create_table_arguments("ExchangeTable", EXCHANGE_TABLE))
    monkeypatch.setenv("EXCHANGE_TABLE", EXCHANGE_TABLE)
    monkeypatch.setenv("DEPARTMENT_SYSTEMS", json.dumps(REGISTRY))
    clear_cache()


def message(
    case_id: str,
    kind: str,
    body: dict[str, Any] | None = None,
    *,
    key: ec.EllipticCurvePrivateKey = KEY,
    sent_at: dt.datetime | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    """A signed message from the department system."""
    unsigned: dict[str, Any] = {
        "partner": PARTNER,
        "message_id": message_id or uuid.uuid4().hex,
        "sent_at": (sent_at or now()).isoformat(),
        "schema_version": 1,
        "kind": kind,
        "case_id": case_id,
        "body": body or {},
    }
    return {**unsigned, "signature": sign(key, KID, unsigned)}


DECISION = {"outcome": "approved", "reason": "材料齐全，符合登记条件", "document_number": "苏税登字〔2026〕0001号"}
LICENCE = {"licence_number": "32010020260001", "licence_name": "税务登记证明", "valid_to": "2031-12-31"}
