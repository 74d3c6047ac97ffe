"""Shared set-up for the delivery tests: the cases cloud (tests/unit/cases_fixtures.py)
plus the Delivery table from template.yaml and the courier queues, helpers that
drive shipment_booking_worker, courier_events and delivery_api the way SQS and
API Gateway would, and a journey that brings a demo case to awaiting_delivery.

个体工商户设立登记 in 江宁 (320115) produces a licence and has no fee: after
approval its steps are licence → delivery. The licences context is played by
feeding `licence.issued` to the case-progress worker, as the cases tests do.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.items import new_item_bodies
from shared.catalog.service import CatalogService
from shared.delivery import directory as delivery_directory
from shared.delivery import service as delivery_service_module
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.events import Envelope
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_batch
from tests.support.template_tables import OUTBOX_ITEMS
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    attach,
    cases_cloud,
    forget_cached,
    outbox,
    principal,
    run_pre_review,
    sqs_event,
    submit,
    table_arguments,
)

DELIVERY_TABLE = "delivery-test"
OUTBOUND = "courier-outbound-test"
INBOUND_DLQ = "courier-inbound-dlq-test"

JIANGNING_MARKET = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM1", department_id="320115-market", region_code="320115")
JIANGNING_POLICE = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM2", department_id="320115-police", region_code="320115")
SOLE_TRADER = next(b for b in new_item_bodies() if b["name"] == "个体工商户设立登记" and b["region_code"] == "320115")
SOLE_TRADER_CODE = str(SOLE_TRADER["implementation_code"])
FORM = {"applicant_name": "张伟", "id_number": "320102198803150213", "premises_address": "南京市江宁区天元中路 1 号"}
COURIER = {
    "method": "courier",
    "address": "南京市江宁区天元中路 1 号 3 栋",
    "region_code": "320115",
    "recipient_name": "张伟",
    "recipient_phone": "13800000001",
}


def forget_delivery_caches() -> None:
    forget_cached()
    delivery_service_module.delivery_service.cache_clear()
    delivery_directory.directory.cache_clear()


@contextmanager
def delivery_cloud() -> Iterator[None]:
    """The cases cloud, the 江宁 个体工商户 item, the Delivery table and the courier queues."""
    with cases_cloud(), pytest.MonkeyPatch.context() as patch:
        boto3.client("dynamodb").create_table(**table_arguments("DeliveryTable", DELIVERY_TABLE))
        sqs = boto3.client("sqs")
        outbound = sqs.create_queue(QueueName=OUTBOUND)["QueueUrl"]
        dlq = sqs.create_queue(QueueName=INBOUND_DLQ)["QueueUrl"]
        patch.setenv("DELIVERY_TABLE", DELIVERY_TABLE)
        patch.setenv("COURIER_OUTBOUND_QUEUE_URL", outbound)
        patch.setenv("COURIER_INBOUND_DLQ_URL", dlq)
        patch.setenv("DLQ_URL", dlq)
        forget_delivery_caches()
        load_catalog(CatalogService(), [SOLE_TRADER])
        try:
            yield
        finally:
            forget_delivery_caches()


def fresh_delivery_table(name: str) -> None:
    """Point the delivery context at a new, empty Delivery table (moto's in-process Query
    sorts every item of a table, so big runs keep their tables apart)."""
    boto3.client("dynamodb").create_table(**table_arguments("DeliveryTable", name))
    os.environ["DELIVERY_TABLE"] = name
    forget_delivery_caches()


# --- handlers -----------------------------------------------------------------------------


def delivery_outbox(event_type: str | None = None) -> list[dict[str, Any]]:
    """Envelopes in the Delivery table's outbox (what the relay would put on the bus)."""
    found = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=DELIVERY_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            item = from_item(raw)
            if item.get("kind") == "outbox":
                for envelope in outbox_events(item):
                    if event_type is None or envelope["type"] == event_type:
                        found.append(envelope)
    return sorted(found, key=lambda e: e["time"])


def partner_event(bodies: Sequence[dict[str, Any] | str], *, receive_count: int = 1) -> dict[str, Any]:
    """The SQS batch CourierInboundQueue delivers: the partner's own messages as bodies."""
    texts = [body if isinstance(body, str) else json.dumps(body, ensure_ascii=False) for body in bodies]
    return sqs_batch(texts, receive_count=receive_count, queue="CourierInboundQueue")


def feed_courier(bodies: Sequence[dict[str, Any] | str], *, receive_count: int = 1) -> dict[str, Any]:
    result: dict[str, Any] = load_function("courier_events").handler(
        partner_event(bodies, receive_count=receive_count), FakeContext()
    )
    return result


def feed_booking(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = load_function("shipment_booking_worker").handler(sqs_event(envelopes), FakeContext())
    return result


def feed_progress(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = load_function("case_progress_worker").handler(sqs_event(envelopes), FakeContext())
    return result


def queue_messages(name: str, *, attributes: bool = False) -> list[dict[str, Any]]:
    """Take every message off a test queue."""
    client = boto3.client("sqs")
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    taken: list[dict[str, Any]] = []
    while True:
        response = client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"] if attributes else []
        )
        messages = response.get("Messages") or []
        if not messages:
            return taken
        for message in messages:
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        taken.extend(dict(message) for message in messages)


# --- journeys -------------------------------------------------------------------------------


def submitted_case(who: dict[str, str] = CITIZEN_A, delivery: dict[str, Any] | None = None) -> str:
    """A 个体工商户设立登记 case, submitted and pre-reviewed (waiting for acceptance)."""
    created = call("POST", "/v1/cases", who, body={"item_code": SOLE_TRADER_CODE, "delivery": delivery or COURIER})
    assert created.status == 201, created.body
    case_id = str(created.body["case_id"])
    assert call("PUT", f"/v1/cases/{case_id}/form", who, body={"form": FORM}).status == 200
    for slot in ("application_form", "id_card", "premises_proof"):
        assert attach(case_id, slot, who).status == 200
    assert submit(case_id, who).status == 200
    run_pre_review(case_id)
    return case_id


def awaiting_delivery_case(who: dict[str, str] = CITIZEN_A, delivery: dict[str, Any] | None = None) -> str:
    """A 个体工商户设立登记 case, approved, licence issued: waiting for its courier delivery,
    with `case.delivery_due` in the cases outbox."""
    case_id = submitted_case(who, delivery)
    assert call("POST", f"/v1/cases/{case_id}/accept", JIANGNING_MARKET, body={}).status == 200
    decided = call(
        "POST", f"/v1/cases/{case_id}/decide", JIANGNING_MARKET, body={"outcome": "approved", "reason": "符合登记条件"}
    )
    assert decided.status == 200, decided.body
    issued = Envelope(
        type="licence.issued",
        source="licences",
        subject=case_id,
        data={"case_id": case_id, "licence_id": f"LIC-{case_id[-6:]}"},
    ).model_dump(mode="json")
    assert feed_progress([issued]) == {"batchItemFailures": []}
    assert call("GET", f"/v1/cases/{case_id}", who).body["state"] == "awaiting_delivery"
    return case_id


def delivery_due(case_id: str) -> dict[str, Any]:
    found = outbox("case.delivery_due", case_id)
    assert len(found) == 1, found
    return found[0]


def booked_shipment(case_id: str) -> tuple[str, dict[str, Any]]:
    """Create the case's shipment and book it: (shipment id, the partner's ORDER_CREATE)."""
    assert feed_booking([delivery_due(case_id)]) == {"batchItemFailures": []}
    requested = [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == case_id]
    assert len(requested) == 1
    assert feed_booking(requested) == {"batchItemFailures": []}
    orders = [json.loads(m["Body"]) for m in queue_messages(OUTBOUND)]
    order = next(o for o in orders if o["order_no"] == requested[0]["data"]["shipment_id"])
    return str(order["order_no"]), order
