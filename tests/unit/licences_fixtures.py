"""Shared set-up for the licences tests: an in-process moto cloud with the
LicencesTable, IdentityTable and CasesTable built from template.yaml, the
licences bucket, the DataKey, the ECC_NIST_P256 issuing key and the SM2 seed
secret; demo holders (a natural person with a sealed ID number, an
enterprise in the registry); `case.licence_due` envelopes as the cases
context emits them; and helpers that drive the licence functions the way
API Gateway, SQS and the scheduler would.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.seed import licence_types
from shared.identity.models import Account, AccountKind, EnterpriseRecord
from shared.identity.protection import sealer
from shared.identity.repository import IdentityRepository, account_key
from shared.licences import service as licences_service_module
from shared.licences import types as licence_type_directory
from shared.platform import aws, sealing
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item, outbox_events, to_item
from shared.platform.events import Envelope
from shared.platform.principal import Role
from shared.platform.privacy import mask_id_number, mask_phone
from tests.support.apigw import FakeContext, as_role
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments

LICENCES_TABLE = "licences-test"
IDENTITY_TABLE = "identity-test"
CASES_TABLE = "cases-test"
IDEMPOTENCY_TABLE = "idempotency-test"
LICENCES_BUCKET = "licences-test"
DLQ_NAME = "licence-issue-dlq-test"

BUSINESS_LICENCE = licence_types.BUSINESS_LICENCE
FOOD_LICENCE = licence_types.FOOD_BUSINESS_LICENCE
MARRIAGE_CERTIFICATE = licence_types.MARRIAGE_CERTIFICATE

HOLDER = "01JDQ90F3W7C8M2T6R4K9N5XA1"
HOLDER_NAME = "张伟"
HOLDER_ID = "320102198803150213"
OTHER_CITIZEN = "01JDQ90F3W7C8M2T6R4K9N5XB2"
AGENT_SUBJECT = "01JDQ90F3W7C8M2T6R4K9N5XC3"
ENTERPRISE = "91320102MA1W8K3R68"
ENTERPRISE_NAME = "南京示例餐饮管理有限公司"
ISSUER_DEPARTMENT = "320115-market"

CITIZEN = as_role("citizen", sub=HOLDER)
OTHER = as_role("citizen", sub=OTHER_CITIZEN)
AGENT = as_role("agent", sub=AGENT_SUBJECT, acting_for=ENTERPRISE, scope="cases licences")
AGENT_WITHOUT_SCOPE = as_role("agent", sub=AGENT_SUBJECT, acting_for=ENTERPRISE, scope="cases")
ISSUER_STAFF = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5XM1", department_id=ISSUER_DEPARTMENT, region_code="320115")
OTHER_STAFF = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5XM4", department_id="320500-market", region_code="320500")
SUPERVISOR = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5XH8", region_code="320100")


def issuer_uscc() -> str:
    from shared.catalog.codes import make_government_uscc

    return make_government_uscc("320115", "01234560")


@dataclass(frozen=True)
class LicenceCloud:
    signing_key_id: str
    data_key_id: str
    sm2_secret_arn: str
    dlq_url: str


def forget_cached() -> None:
    reset_settings()
    aws.reset_clients()
    licences_service_module.clear_caches()
    licence_type_directory.forget_cached()
    sealing.sealer.cache_clear()


def _seed_holders() -> None:
    repository = IdentityRepository(IDENTITY_TABLE)
    sealed = sealer().seal(HOLDER, {"id_number": HOLDER_ID, "phone": "13800000001"})
    account = Account(
        subject_id=HOLDER,
        kind=AccountKind.PERSON,
        role=Role.CITIZEN,
        name=HOLDER_NAME,
        id_number_masked=mask_id_number(HOLDER_ID),
        phone_masked=mask_phone("13800000001"),
        id_hash="h" * 64,
        phone_hash="p" * 64,
        sealed=sealed,
        created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
    )
    boto3.client("dynamodb").put_item(
        TableName=IDENTITY_TABLE, Item=to_item({**account_key(HOLDER), **account.model_dump(mode="json")})
    )
    repository.put_enterprise_registry_entry(
        EnterpriseRecord(
            uscc=ENTERPRISE,
            name=ENTERPRISE_NAME,
            legal_representative_name="陈明",
            legal_representative_id_hash="x" * 64,
        )
    )


def seed_directory() -> None:
    """The demo licence-type directory, as the seed loads it (issuance reads it)."""
    licence_types.load(licences_service_module.LicencesService())


@contextmanager
def licences_cloud(*, signer: str = "es256") -> Iterator[LicenceCloud]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**create_table_arguments("LicencesTable", LICENCES_TABLE))
        dynamodb.create_table(**create_table_arguments("IdentityTable", IDENTITY_TABLE))
        dynamodb.create_table(**create_table_arguments("CasesTable", CASES_TABLE))
        dynamodb.create_table(**create_table_arguments("IdempotencyTable", IDEMPOTENCY_TABLE))
        boto3.client("s3").create_bucket(
            Bucket=LICENCES_BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        kms = boto3.client("kms")
        data_key = kms.create_key(Description="personal data")["KeyMetadata"]["KeyId"]
        signing_key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        secret_arn = boto3.client("secretsmanager").create_secret(
            Name="licence-sm2-test", SecretString="sm2-seed-" + "k" * 55
        )["ARN"]
        dlq_url = boto3.client("sqs").create_queue(QueueName=DLQ_NAME)["QueueUrl"]
        environment = {
            "LICENCES_TABLE": LICENCES_TABLE,
            "LICENCES_BUCKET": LICENCES_BUCKET,
            "IDENTITY_TABLE": IDENTITY_TABLE,
            "CASES_TABLE": CASES_TABLE,
            "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
            "PERSONAL_DATA_KEY_ID": data_key,
            "LICENCE_SIGNER": signer,
            "LICENCE_SIGNING_KEY_ID": signing_key,
            "LICENCE_SM2_SECRET_ARN": secret_arn,
            "LICENCE_STATUS_LIST_SIZE": "16384",
            "DLQ_URL": dlq_url,
            "MAX_RECEIVES": "3",
            "EVENT_BUS_NAME": "jszw-domain-test",
        }
        for name, value in environment.items():
            patch.setenv(name, value)
        forget_cached()
        _seed_holders()
        seed_directory()
        try:
            yield LicenceCloud(signing_key, data_key, secret_arn, dlq_url)
        finally:
            forget_cached()


# --- events and handlers ------------------------------------------------------------------


def licence_due(
    case_id: str | None = None,
    *,
    type_code: str = BUSINESS_LICENCE,
    holder_uscc: str | None = None,
    holder_subject_id: str = HOLDER,
    department_id: str = ISSUER_DEPARTMENT,
) -> dict[str, Any]:
    """A `case.licence_due` envelope as the cases context emits it."""
    case_id = case_id or new_case_id()
    data = {
        "case_id": case_id,
        "case_number": "32011520260921010000" + case_id[-4:],
        "version": 7,
        "state": "awaiting_licence",
        "item_code": "11320115MB0000000X" + "1000117002001",
        "item_name": "个体工商户设立登记",
        "department_id": department_id,
        "region_code": "320115",
        "applicant_uscc": holder_uscc,
        "notify_subject_id": holder_subject_id,
        "licence_type_code": type_code,
        "issuer_uscc": issuer_uscc(),
        "issuer_name": "南京市江宁区市场监督管理局",
        "holder_subject_id": holder_subject_id,
        "holder_uscc": holder_uscc,
        "holder_kind": "legal_person" if holder_uscc else "natural_person",
        "decision_id": "01JDQ90F3W7C8M2T6R4K9N5DEC",
        "decision_document_number": "宁江市监准字〔2026〕第 1 号",
        "decided_on": "2026-09-21",
    }
    return Envelope(type="case.licence_due", source="cases", subject=case_id, data=data).model_dump(mode="json")


_counter = [0]


def new_case_id() -> str:
    _counter[0] += 1
    return f"01JDQ90F3W7C8M2T6R4K9N{_counter[0]:04d}"


def issue(*envelopes: dict[str, Any], receive_count: int = 1) -> dict[str, Any]:
    result: dict[str, Any] = load_function("licence_issuer").handler(
        sqs_event(list(envelopes), receive_count=receive_count), FakeContext()
    )
    return result


def outbox(event_type: str | None = None) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    found: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=LICENCES_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            item = from_item(raw)
            if item.get("kind") == "outbox":
                for envelope in outbox_events(item):
                    if event_type is None or envelope["type"] == event_type:
                        found.append(envelope)
    return sorted(found, key=lambda envelope: envelope["time"])


def licence_ids_of_case(case_id: str) -> list[str]:
    return [e["data"]["licence_id"] for e in outbox("licence.issued") if e["data"]["case_id"] == case_id]


def dlq_messages(dlq_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    received: dict[str, Any] = dict(
        sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    )
    return list(received.get("Messages", []))


def fetch_offline_lists(cache: Path) -> None:
    """What the offline verifier's `fetch` does against the API, with the in-process API."""
    from shared.platform.clock import now
    from tests.support.api import call

    cache.mkdir(parents=True, exist_ok=True)
    fetched_at = now().isoformat()
    trust = call("GET", "/v1/licences/trust-list").body
    (cache / "trust-list.json").write_text(json.dumps({"fetched_at": fetched_at, "document": trust}))
    for list_id in trust["status_lists"]:
        document = call("GET", f"/v1/licences/status-lists/{list_id}").body
        (cache / f"status-list-{list_id}.json").write_text(json.dumps({"fetched_at": fetched_at, "document": document}))
