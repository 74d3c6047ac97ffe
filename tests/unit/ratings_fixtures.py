"""Shared set-up for the ratings tests: moto with the Ratings table (and the
catalogue's, for the working-day calendar; the notifications table, for the
messages), helpers that feed the ratings_worker the way SQS would, and the
case events that invite a rating."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from shared.notifications import service as notifications_service
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.events import Envelope
from shared.ratings import service as ratings_service_module
from shared.workdays import repository as workdays_repository
from tests.support.apigw import FakeContext, as_role
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments

RATINGS_TABLE = "ratings-test"
CATALOG_TABLE = "catalog-test"
NOTIFICATIONS_TABLE = "notifications-test"
IDEMPOTENCY_TABLE = "idempotency-test"

SUBJECT_A = "01JDQ90F3W7C8M2T6R4K9N5XA1"
SUBJECT_B = "01JDQ90F3W7C8M2T6R4K9N5XB2"
CITIZEN_A = as_role("citizen", sub=SUBJECT_A)
CITIZEN_B = as_role("citizen", sub=SUBJECT_B)
XUANWU_CIVIL = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5XD4", department_id="320102-civil", region_code="320102")
XUANWU_POLICE = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5XE5", department_id="320102-police", region_code="320102")
NANJING_SUPERVISOR = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5XH8", region_code="320100")
SUZHOU_SUPERVISOR = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5XJ9", region_code="320500")
SUBJECT_IDS = {SUBJECT_A, SUBJECT_B, *(p["sub"] for p in (XUANWU_CIVIL, XUANWU_POLICE, NANJING_SUPERVISOR))}


def forget_cached() -> None:
    reset_settings()
    aws.reset_clients()
    workdays_repository.clear_cache()
    ratings_service_module.ratings_service.cache_clear()
    notifications_service.inbox_service.cache_clear()


@contextmanager
def ratings_cloud() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        for logical_id, name in (
            ("RatingsTable", RATINGS_TABLE),
            ("CatalogTable", CATALOG_TABLE),
            ("NotificationsTable", NOTIFICATIONS_TABLE),
            ("IdempotencyTable", IDEMPOTENCY_TABLE),
        ):
            dynamodb.create_table(**create_table_arguments(logical_id, name))
        dlq = boto3.client("sqs").create_queue(QueueName="ratings-dlq-test")["QueueUrl"]
        for variable, value in {
            "RATINGS_TABLE": RATINGS_TABLE,
            "CATALOG_TABLE": CATALOG_TABLE,
            "NOTIFICATIONS_TABLE": NOTIFICATIONS_TABLE,
            "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
            "DLQ_URL": dlq,
            "MAX_RECEIVES": "3",
        }.items():
            patch.setenv(variable, value)
        forget_cached()
        try:
            yield
        finally:
            forget_cached()


def fresh_ratings_table(name: str) -> None:
    """Point the ratings context at a new, empty table (big runs keep their tables apart)."""
    boto3.client("dynamodb").create_table(**create_table_arguments("RatingsTable", name))
    os.environ["RATINGS_TABLE"] = name
    forget_cached()


def case_event(
    event_type: str = "case.completed",
    *,
    case_id: str = "01JDQ9A0000000000000000C01",
    subject: str = SUBJECT_A,
    department_id: str = "320102-civil",
    region_code: str = "320102",
    uscc: str | None = None,
    handler: str | None = None,
    hall_id: str | None = None,
) -> dict[str, Any]:
    """A case event as the cases context publishes it (shared.cases.events.CaseFacts)."""
    data: dict[str, Any] = {
        "case_id": case_id,
        "case_number": f"320102202609210100{case_id[-6:]}",
        "version": 9,
        "state": "completed",
        "item_code": "11320102MB1234567X4000111000001",
        "item_name": "最低生活保障金给付",
        "department_id": department_id,
        "region_code": region_code,
        "applicant_uscc": uscc,
        "notify_subject_id": subject,
        "handler_subject_id": handler,
        "intake_channel": "hall" if hall_id else "online",
        "intake_hall_id": hall_id,
    }
    if event_type != "case.completed":
        data["reason"] = "申请人撤回" if event_type == "case.withdrawn" else "不属于本部门职权范围"
    return Envelope(type=event_type, source="cases", subject=case_id, data=data).model_dump(mode="json")


def feed_worker(envelopes: list[dict[str, Any]], *, receive_count: int = 1) -> dict[str, Any]:
    result: dict[str, Any] = load_function("ratings_worker").handler(
        sqs_event(envelopes, receive_count=receive_count, queue="RatingsQueue"), FakeContext()
    )
    return result


def ratings_outbox(event_type: str | None = None) -> list[dict[str, Any]]:
    """Envelopes in the Ratings table's outbox (what the relay would put on the bus)."""
    found = []
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=current_table(), **OUTBOX_ITEMS)
    for page in pages:
        for raw in page["Items"]:
            for envelope in outbox_events(from_item(raw)):
                if event_type is None or envelope["type"] == event_type:
                    found.append(envelope)
    return sorted(found, key=lambda e: e["time"])


def current_table() -> str:
    return os.environ.get("RATINGS_TABLE", RATINGS_TABLE)


def table_items() -> list[dict[str, Any]]:
    """Every item of the Ratings table (to prove a refused request wrote nothing)."""
    items: list[dict[str, Any]] = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=current_table()):
        items.extend(from_item(raw) for raw in page["Items"])
    return sorted(items, key=lambda i: (i["pk"], i["sk"]))
