"""Shared set-up for the cases tests: an in-process moto cloud whose CasesTable,
CatalogTable, IdempotencyTable and NotificationsTable are built from
template.yaml, the materials bucket and the pre-review DLQ, demo items of
Nanjing and Xuanwu published through the catalogue service, and helpers that
drive the case_api, pre_review_worker and intake_sweep handlers the way API
Gateway, SQS and the scheduler would.

Plain context managers and helpers (not fixtures), so each test module
declares the fixtures it needs with the scope it wants.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from moto import mock_aws

from infra.seed import load_catalog
from infra.seed.items import new_item_bodies
from shared.cases.service import clear_caches
from shared.catalog.service import CatalogService
from shared.halls import service as halls_service_module
from shared.identity.models import Account, AccountKind
from shared.identity.service import clear_caches as forget_identity
from shared.notifications import service as notifications_service
from shared.platform import aws, pades, sealing
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.principal import Role
from shared.workdays import repository as workdays_repository
from tests.support.api import Reply, call
from tests.support.apigw import FakeContext, as_role
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments

CASES_TABLE = "cases-test"
CATALOG_TABLE = "catalog-test"
IDEMPOTENCY_TABLE = "idempotency-test"
NOTIFICATIONS_TABLE = "notifications-test"
MATERIALS_BUCKET = "materials-test"
DLQ_NAME = "pre-review-dlq-test"
IDENTITY_TABLE = "identity-test"
HALLS_TABLE = "halls-test"

# Demo items (infra/seed/items.py)
SUBJECT_A = "01JDQ90F3W7C8M2T6R4K9N5XA1"
SUBJECT_B = "01JDQ90F3W7C8M2T6R4K9N5XB2"
SUBJECT_AGENT = "01JDQ90F3W7C8M2T6R4K9N5XC3"
STAFF_XUANWU_CIVIL = "01JDQ90F3W7C8M2T6R4K9N5XD4"
STAFF_XUANWU_POLICE = "01JDQ90F3W7C8M2T6R4K9N5XE5"
STAFF_SUZHOU_CIVIL = "01JDQ90F3W7C8M2T6R4K9N5XF6"
STAFF_NANJING_POLICE = "01JDQ90F3W7C8M2T6R4K9N5XG7"
SUPERVISOR_NANJING = "01JDQ90F3W7C8M2T6R4K9N5XH8"
SUPERVISOR_SUZHOU = "01JDQ90F3W7C8M2T6R4K9N5XJ9"
OPERATOR = "01JDQ90F3W7C8M2T6R4K9N5XKA"
ENTERPRISE = "91320102MA1W8K3R68"
ENTERPRISE_NAME = "南京玄武示范科技有限公司"
OTHER_ENTERPRISE = "91320505MA27QH4N9H"  # in the registry; nobody here may act for it


@dataclass(frozen=True)
class Person:
    """A verified person of the test cloud: their account and the population registry's entry."""

    subject_id: str
    name: str
    id_number: str
    phone: str


PERSON_A = Person(SUBJECT_A, "张伟", "320102198803150213", "13800000001")
PERSON_B = Person(SUBJECT_B, "李娜", "320106199207090461", "13800000002")
PERSON_AGENT = Person(SUBJECT_AGENT, "王芳", "320115199011230625", "13800000003")
LEGAL_REPRESENTATIVE = ("陈明", "320105197505020159")  # of ENTERPRISE; registered in the population registry only
UNREGISTERED = ("刘洋", "32010219850930033X")  # in the population registry, no account yet


def principal(
    role: str,
    sub: str,
    *,
    department_id: str = "",
    region_code: str = "",
    acting_for: str = "",
    scope: str = "",
) -> dict[str, str]:
    """The authorizer context API Gateway passes for a principal (string values)."""
    return as_role(
        role, sub=sub, department_id=department_id, region_code=region_code, acting_for=acting_for, scope=scope
    )


CITIZEN_A = principal("citizen", SUBJECT_A)
CITIZEN_B = principal("citizen", SUBJECT_B)
AGENT = principal("agent", SUBJECT_AGENT, acting_for=ENTERPRISE, scope="cases licences")
XUANWU_CIVIL = principal("staff", STAFF_XUANWU_CIVIL, department_id="320102-civil", region_code="320102")
XUANWU_POLICE = principal("staff", STAFF_XUANWU_POLICE, department_id="320102-police", region_code="320102")
SUZHOU_CIVIL = principal("staff", STAFF_SUZHOU_CIVIL, department_id="320500-civil", region_code="320500")
NANJING_POLICE = principal("staff", STAFF_NANJING_POLICE, department_id="320100-police", region_code="320100")
NANJING_SUPERVISOR = principal("supervisor", SUPERVISOR_NANJING, region_code="320100")
SUZHOU_SUPERVISOR = principal("supervisor", SUPERVISOR_SUZHOU, region_code="320500")
PLATFORM_OPERATOR = principal("operator", OPERATOR, region_code="320000")

PDF = b"%PDF-1.7\n" + b"demo material " * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _item_code(name: str, region_code: str) -> str:
    for body in new_item_bodies():
        if body["name"] == name and body["region_code"] == region_code:
            return str(body["implementation_code"])
    raise LookupError(name)


SUBSISTENCE = _item_code("最低生活保障金给付", "320102")  # civil, Xuanwu: 20/30 days, a conditional slot
MARRIAGE = _item_code("内地居民结婚登记", "320102")  # civil, Xuanwu, 即办件
NO_CRIMINAL_RECORD_NANJING = _item_code("无犯罪记录证明开具", "320100")  # police, Nanjing city level
ENTERPRISE_ITEM = _item_code("税务登记", "320000")  # legal persons too
ENTERPRISE_ITEM_NANJING = _item_code("税务登记", "320100")  # city level (hall intake), 即办

# name and ID number are bound to the verified identity (x-identity): the applicant never types them
SUBSISTENCE_FORM: dict[str, Any] = {
    "phone": "13800000001",
    "household_size": 3,
    "monthly_income_fen": 180000,
    "delivery": {"method": "electronic"},
}
MARRIAGE_FORM: dict[str, Any] = {
    "partner_name": "李娜",
    "partner_id_number": "320106199207090461",
    "appointment_date": "2026-10-12",
}


table_arguments = create_table_arguments


def forget_cached() -> None:
    reset_settings()
    aws.reset_clients()
    clear_caches()
    forget_identity()
    workdays_repository.clear_cache()
    notifications_service.inbox_service.cache_clear()
    sealing.sealer.cache_clear()
    halls_service_module.halls_service.cache_clear()
    # documents go out unsealed here (no PDF_SEAL_KEY_ID): a seal costs ~0.2 s; the seal tests set the key
    pades.configured_key.cache_clear()
    pades.forget_certificates()


@contextmanager
def cases_cloud() -> Iterator[None]:
    """moto with everything case_api, pre_review_worker and intake_sweep use, and
    five demo items published: Xuanwu's 低保 and 结婚登记 (即办), Nanjing's
    无犯罪记录证明 (city level), the province's and Nanjing's 税务登记 (legal persons
    too), and the identity context's registries and accounts (`seed_identities`)."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**table_arguments("CasesTable", CASES_TABLE))
        dynamodb.create_table(**table_arguments("CatalogTable", CATALOG_TABLE))
        dynamodb.create_table(**table_arguments("IdempotencyTable", IDEMPOTENCY_TABLE))
        dynamodb.create_table(**table_arguments("NotificationsTable", NOTIFICATIONS_TABLE))
        dynamodb.create_table(**table_arguments("IdentityTable", IDENTITY_TABLE))
        dynamodb.create_table(**table_arguments("HallsTable", HALLS_TABLE))
        hash_secret = boto3.client("secretsmanager").create_secret(
            Name="identity-hash-secret-test", SecretString="test-hash-secret-" + "x" * 48
        )["ARN"]
        boto3.client("s3").create_bucket(
            Bucket=MATERIALS_BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        dlq_url = boto3.client("sqs").create_queue(QueueName=DLQ_NAME)["QueueUrl"]
        data_key = boto3.client("kms").create_key(Description="personal data")["KeyMetadata"]["KeyId"]
        environment = {
            "CASES_TABLE": CASES_TABLE,
            "CATALOG_TABLE": CATALOG_TABLE,
            "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
            "NOTIFICATIONS_TABLE": NOTIFICATIONS_TABLE,
            "MATERIALS_BUCKET": MATERIALS_BUCKET,
            "DLQ_URL": dlq_url,
            "MAX_RECEIVES": "3",
            "EVENT_BUS_NAME": "jszw-domain-test",
            "PERSONAL_DATA_KEY_ID": data_key,
            # case_api and pre_review_worker read e-licences (once-only reuse); the licences
            # fixtures create the table, the cases tests never reach it
            "LICENCES_TABLE": "licences-test",
            # forms are prefilled from the verified identity; hall clerks verify applicants (identity's api)
            "IDENTITY_TABLE": IDENTITY_TABLE,
            # a counter intake after a queue number asks the halls context where it was called (D-218)
            "HALLS_TABLE": HALLS_TABLE,
            "IDENTITY_HASH_SECRET_ARN": hash_secret,
            "REAL_NAME_REGISTRY": "seeded",
        }
        for name, value in environment.items():
            patch.setenv(name, value)
        forget_cached()
        demo_items = {SUBSISTENCE, MARRIAGE, NO_CRIMINAL_RECORD_NANJING, ENTERPRISE_ITEM, ENTERPRISE_ITEM_NANJING}
        bodies = [body for body in new_item_bodies() if body["implementation_code"] in demo_items]
        load_catalog(CatalogService(), bodies)
        seed_identities()
        try:
            yield
        finally:
            forget_cached()


def seed_identities() -> None:
    """The population and enterprise registries, three accounts with fixed ids, and the
    agent's online authorisation for ENTERPRISE (scope cases)."""
    from shared.identity.applicants import applicant_verifier
    from shared.identity.models import AgentScope, AuthorisationRecord
    from shared.identity.protection import HashPurpose
    from shared.identity.registries import SeededEnterpriseRegistry, SeededPopulationRegistry
    from shared.platform.privacy import mask_id_number, mask_phone

    verifier = applicant_verifier()
    keyed, repository = verifier.hasher, verifier.repository
    population = SeededPopulationRegistry(repository, keyed)
    for name, id_number in (LEGAL_REPRESENTATIVE, UNREGISTERED, ("黄敏", "320205199801120642")):
        population.add(id_number, name)
    enterprises = SeededEnterpriseRegistry(repository, keyed)
    enterprises.add(ENTERPRISE, ENTERPRISE_NAME, *LEGAL_REPRESENTATIVE)
    enterprises.add(OTHER_ENTERPRISE, "苏州虎丘示例贸易有限公司", "黄敏", "320205199801120642")
    for person in (PERSON_A, PERSON_B, PERSON_AGENT):
        population.add(person.id_number, person.name)
        account = Account(
            subject_id=person.subject_id,
            kind=AccountKind.PERSON,
            role=Role.CITIZEN,
            name=person.name,
            id_number_masked=mask_id_number(person.id_number),
            phone_masked=mask_phone(person.phone),
            id_hash=keyed.digest(HashPurpose.ID_NUMBER, person.id_number),
            phone_hash=keyed.digest(HashPurpose.PHONE, person.phone),
            sealed=verifier.sealer.seal(person.subject_id, {"id_number": person.id_number, "phone": person.phone}),
            created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        )
        repository.add_person(account, consume=None, event=None)
    repository.put_authorisation(
        AuthorisationRecord(
            uscc=ENTERPRISE,
            enterprise_name=ENTERPRISE_NAME,
            agent_subject_id=SUBJECT_AGENT,
            agent_name=PERSON_AGENT.name,
            scope=[AgentScope.CASES, AgentScope.LICENCES],
            expires_on=dt.date(2030, 12, 31),
            valid_until=int(dt.datetime(2031, 1, 1, tzinfo=dt.UTC).timestamp()),
            granted_by="seed",
            granted_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        ),
        None,
    )


# --- handlers -----------------------------------------------------------------------------


# --- materials -----------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload_as_posted(ticket: dict[str, Any], data: bytes, *, content_type: str | None = None) -> None:
    """Store `data` the way S3 would after the presigned POST of `ticket`
    (moto's in-process mock does not take multipart POSTs; the local cloud tests do)."""
    fields = ticket["fields"]
    boto3.client("s3").put_object(
        Bucket=MATERIALS_BUCKET,
        Key=fields["key"],
        Body=data,
        ContentType=content_type or fields["Content-Type"],
        Metadata={
            "slot-id": fields["x-amz-meta-slot-id"],
            "file-name": fields["x-amz-meta-file-name"],
            "sha256": fields["x-amz-meta-sha256"],
        },
    )


def attach(
    case_id: str,
    slot_id: str,
    who: dict[str, str],
    data: bytes = PDF,
    *,
    content_type: str = "application/pdf",
    file_name: str = "材料.pdf",
) -> Reply:
    """Ask for an upload form, upload, confirm: the applicant's three steps."""
    ticket = call(
        "POST",
        f"/v1/cases/{case_id}/materials",
        who,
        body={
            "slot_id": slot_id,
            "file_name": file_name,
            "content_type": content_type,
            "size_bytes": len(data),
            "sha256": sha256_hex(data),
        },
    )
    assert ticket.status == 201, ticket.body
    upload_as_posted(ticket.body, data)
    return call("POST", f"/v1/cases/{case_id}/materials/{ticket.body['material_id']}/confirm", who)


def quoted(name: str) -> str:
    return quote(name, safe="")


# --- the asynchronous side ----------------------------------------------------------------


def outbox(event_type: str | None = None, subject: str | None = None) -> list[dict[str, Any]]:
    """Envelopes in the cases table's outbox (what the relay would put on the bus), of
    one type and one case when given, in case-version order."""
    client = boto3.client("dynamodb")
    found: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=CASES_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            item = from_item(raw)
            if item.get("kind") == "outbox":
                for envelope in outbox_events(item):
                    if (event_type is None or envelope["type"] == event_type) and subject in (
                        None,
                        envelope["subject"],
                    ):
                        found.append(envelope)
    return sorted(found, key=lambda envelope: (envelope["subject"], int(envelope["data"].get("version", 0))))


def limit_facts(event_type: str, case_id: str | None = None) -> list[dict[str, Any]]:
    """The `limit.set` or `limit.cleared` facts the cases outbox holds, of one case when given
    (a joint task's subject is `<case_id>:<department>`), each on its own whether it travels
    alone or within a `limits.changed` (D-340), in the same order as `outbox`."""
    key = {"limit.set": "limits_set", "limit.cleared": "limits_cleared"}[event_type]
    found: list[dict[str, Any]] = []
    for envelope in outbox():
        if envelope["type"] == event_type:
            found.append(envelope)
        elif envelope["type"] == "limits.changed":
            found.extend({**envelope, "type": event_type, "data": data} for data in envelope["data"][key])
    return sorted(
        (e for e in found if e["data"]["subject_id"].startswith(case_id or "")),
        key=lambda envelope: (envelope["subject"], int(envelope["data"]["version"])),
    )


def table_snapshot(table: str = CASES_TABLE) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    return sorted(
        (item for page in client.get_paginator("scan").paginate(TableName=table) for item in page["Items"]),
        key=lambda item: (item["pk"]["S"], item["sk"]["S"]),
    )


def submitted_events(case_id: str) -> list[dict[str, Any]]:
    """The case's `case.submitted` events in the order they happened (ids made under a
    frozen clock share their time part, so the case version orders them)."""
    return outbox("case.submitted", case_id)


def run_pre_review(case_id: str, *, receive_count: int = 1) -> dict[str, Any]:
    """Deliver the case's latest `case.submitted` event to the pre-review worker."""
    latest = submitted_events(case_id)[-1:]
    assert latest, "no case.submitted event in the outbox"
    result: dict[str, Any] = load_function("pre_review_worker").handler(
        sqs_event(latest, receive_count=receive_count), FakeContext()
    )
    return result


def dlq_messages() -> list[dict[str, Any]]:
    client = boto3.client("sqs")
    url = client.get_queue_url(QueueName=DLQ_NAME)["QueueUrl"]
    response = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return [dict(message) for message in response.get("Messages", [])]


# --- common journeys ----------------------------------------------------------------------


def new_case(who: dict[str, str] = CITIZEN_A, item_code: str = SUBSISTENCE, **body: Any) -> dict[str, Any]:
    reply = call("POST", "/v1/cases", who, body={"item_code": item_code, **body})
    assert reply.status == 201, reply.body
    return dict(reply.body)


def attach_together(case_id: str, files: dict[str, bytes], who: dict[str, str]) -> Reply:
    """The list forms (D-331): one request for every file's upload form, the uploads, one confirm."""
    asked = [
        {
            "slot_id": slot_id,
            "file_name": f"{slot_id}.pdf",
            "content_type": "application/pdf",
            "size_bytes": len(data),
            "sha256": sha256_hex(data),
        }
        for slot_id, data in files.items()
    ]
    tickets = call("POST", f"/v1/cases/{case_id}/materials/uploads", who, body={"materials": asked})
    assert tickets.status == 201, tickets.body
    for ticket, data in zip(tickets.body["items"], files.values(), strict=True):
        upload_as_posted(ticket, data)
    ids = [ticket["material_id"] for ticket in tickets.body["items"]]
    return call("POST", f"/v1/cases/{case_id}/materials/confirm", who, body={"material_ids": ids})


def complete_subsistence_case(who: dict[str, str] = CITIZEN_A, *, skip_slots: tuple[str, ...] = ()) -> str:
    """A 低保 draft with the form filled and every required material (but `skip_slots`)."""
    case_id = str(new_case(who)["case_id"])
    reply = call("PUT", f"/v1/cases/{case_id}/form", who, body={"form": SUBSISTENCE_FORM})
    assert reply.status == 200, reply.body
    for slot in ("id_card", "household_register", "income_declaration"):
        if slot not in skip_slots:
            confirmed = attach(case_id, slot, who)
            assert confirmed.status == 200, confirmed.body
    return case_id


def submit(case_id: str, who: dict[str, str] = CITIZEN_A, *, key: str | None = None, body: Any = None) -> Reply:
    headers = {"Idempotency-Key": key} if key else None
    return call("POST", f"/v1/cases/{case_id}/submit", who, body=body, headers=headers)


class LongRunningContext(FakeContext):
    """A Lambda context with minutes left (the sweep stops 20 s before its timeout)."""

    def get_remaining_time_in_millis(self) -> int:
        return 300_000
