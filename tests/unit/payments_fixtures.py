"""Shared set-up for the payments tests: the cases moto cloud (tests/unit/cases_fixtures)
plus PaymentsTable (from template.yaml), the channel secret, the reconciliation
bucket and the partner-queue DLQ; a 江宁 item with a fee after approval; and
helpers that drive payment_api, payment_callbacks, payment_channel_events,
payment_order_worker and the case-progress worker the way API Gateway and SQS
would, plus a channel that signs callbacks like the simulator.

Plain context managers and helpers (not fixtures), like cases_fixtures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.items import new_item_bodies
from shared.catalog.service import CatalogService
from shared.payments import signing
from shared.payments.service import payments_service
from shared.platform.clock import now
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item, outbox_events
from tests.support.api import Reply, call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.support.template_tables import OUTBOX_ITEMS
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    attach,
    cases_cloud,
    outbox,
    principal,
    run_pre_review,
    sqs_event,
    submit,
    table_arguments,
)

PAYMENTS_TABLE = "payments-test"
RECON_BUCKET = "payments-recon-test"
INBOUND_DLQ = "payment-channel-inbound-dlq-test"
CHANNEL = "jspay"
CHANNEL_SECRET = "test-channel-secret-0123456789abcdef"

JIANGNING_MARKET = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM1", department_id="320115-market", region_code="320115")
PLATFORM_OPERATOR = principal("operator", "01JDQ90F3W7C8M2T6R4K9N5XKA", region_code="320000")


def _body(name: str, region_code: str) -> dict[str, Any]:
    return next(b for b in new_item_bodies() if b["name"] == name and b["region_code"] == region_code)


# 个体工商户设立登记 in 江宁 with a 50-yuan non-tax fee after approval (electronic delivery)
FEE_ITEM = _body("个体工商户设立登记", "320115") | {
    "fees": [{"name": "演示工本费", "amount_fen": 5000, "currency": "CNY", "non_tax": True}]
}
FEE_ITEM_CODE = str(FEE_ITEM["implementation_code"])
FORM = {"applicant_name": "张伟", "id_number": "320102198803150213", "premises_address": "南京市江宁区天元中路 1 号"}


@contextmanager
def payments_cloud() -> Iterator[None]:
    """cases_cloud plus everything the payment functions use, and the 江宁 fee item."""
    with cases_cloud(), pytest.MonkeyPatch.context() as patch:
        boto3.client("dynamodb").create_table(**table_arguments("PaymentsTable", PAYMENTS_TABLE))
        boto3.client("s3").create_bucket(
            Bucket=RECON_BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        secret_arn = boto3.client("secretsmanager").create_secret(Name="jspay", SecretString=CHANNEL_SECRET)["ARN"]
        boto3.client("sqs").create_queue(QueueName=INBOUND_DLQ)
        environment = {
            "PAYMENTS_TABLE": PAYMENTS_TABLE,
            "PAYMENT_CHANNEL_SECRETS": f"{CHANNEL}={secret_arn}",
            "PAYMENT_CHANNEL_PAY_URL": "http://127.0.0.1:3100/pay",
            "PAYMENT_RECONCILIATION_BUCKET": RECON_BUCKET,
        }
        for name, value in environment.items():
            patch.setenv(name, value)
        forget_payment_caches()
        load_catalog(CatalogService(), [FEE_ITEM])
        try:
            yield
        finally:
            forget_payment_caches()


def forget_payment_caches() -> None:
    reset_settings()
    signing.clear_cache()
    payments_service.cache_clear()


@contextmanager
def dlq_for_consumers(name: str = INBOUND_DLQ) -> Iterator[str]:
    """Point DLQ_URL (shared.platform.consumer) at one of our DLQs for a block."""
    url = boto3.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLQ_URL", url)
        reset_settings()
        try:
            yield url
        finally:
            reset_settings()


# --- handlers -----------------------------------------------------------------------------


# --- the channel ----------------------------------------------------------------------------


def signed_headers(body: bytes, *, at: int | None = None, secret: str = CHANNEL_SECRET) -> dict[str, str]:
    stamp = str(int(now().timestamp()) if at is None else at)
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Jszw-Timestamp": stamp, "X-Jszw-Signature": f"sha256={digest}"}


def notification(
    order: dict[str, Any],
    *,
    outcome: str = "success",
    txn_id: str | None = None,
    amount_fen: int | None = None,
    currency: str = "CNY",
    payer: str | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The channel's result notification for an order (as GET /v1/payment-orders/{id} shows it)."""
    moment = at or now()
    raw: dict[str, Any] = {
        "transaction_id": txn_id or f"JSP{secrets.token_hex(8).upper()}",
        "out_trade_no": order["order_id"],
        "notice_no": order["notice_number"],
        "trade_state": "SUCCESS" if outcome == "success" else "PAYERROR",
        "total_fee": order["amount_fen"] if amount_fen is None else amount_fen,
        "fee_type": currency,
        "payer_id": order["payer_subject_id"] if payer is None else payer,
        "success_time": moment.isoformat(),
    }
    if outcome != "success":
        raw["err_msg"] = "余额不足"
    return raw


def http_callback(
    raw: dict[str, Any] | None = None,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    channel: str = CHANNEL,
    sign: bool = True,
) -> Reply:
    """POST /v1/payment-callbacks/{channel} as API Gateway passes a public request."""
    data = body if body is not None else json.dumps(raw, ensure_ascii=False).encode()
    all_headers = dict(headers or {})
    if sign and not headers:
        all_headers |= signed_headers(data)
    return call("POST", f"/v1/payment-callbacks/{channel}", raw_body=data.decode(), headers=all_headers)


def queue_message(raw: dict[str, Any], *, receive_count: int = 1, body: str | None = None) -> dict[str, Any]:
    """One record of the channel's partner queue."""
    text = body if body is not None else json.dumps({"channel": CHANNEL, "notification": raw}, ensure_ascii=False)
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "handle",
        "body": text,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1795568401000",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1795568401050",
        },
        "messageAttributes": {},
        "md5OfBody": "0",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws-cn:sqs:cn-north-1:123456789012:PaymentChannelInboundQueue",
        "awsRegion": "cn-north-1",
    }


def queue_callbacks(records: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = load_function("payment_channel_events").handler({"Records": records}, FakeContext())
    return result


# --- cases and orders -----------------------------------------------------------------------


def approved_case(who: dict[str, str] = CITIZEN_A) -> str:
    """A 江宁 个体工商户设立登记 case approved, now awaiting payment (50 yuan)."""
    created = call("POST", "/v1/cases", who, body={"item_code": FEE_ITEM_CODE, "delivery": {"method": "electronic"}})
    assert created.status == 201, created.body
    case_id = str(created.body["case_id"])
    assert call("PUT", f"/v1/cases/{case_id}/form", who, body={"form": FORM}).status == 200
    for slot in ("application_form", "id_card", "premises_proof"):
        assert attach(case_id, slot, who).status == 200
    assert submit(case_id, who).status == 200
    run_pre_review(case_id)
    assert call("POST", f"/v1/cases/{case_id}/accept", JIANGNING_MARKET, body={}).status == 200
    decided = call(
        "POST", f"/v1/cases/{case_id}/decide", JIANGNING_MARKET, body={"outcome": "approved", "reason": "符合登记条件"}
    )
    assert decided.status == 200, decided.body
    return case_id


def open_orders(*envelopes: dict[str, Any]) -> dict[str, Any]:
    """Deliver case events to payment_order_worker (as PaymentOrdersRule would)."""
    result: dict[str, Any] = load_function("payment_order_worker").handler(sqs_event(list(envelopes)), FakeContext())
    return result


def order_of_case(case_id: str) -> dict[str, Any]:
    """Open the order for the case's fee_due and return it as its payer sees it."""
    [fee_due] = outbox("case.fee_due", case_id)
    assert open_orders(fee_due) == {"batchItemFailures": []}
    [created] = payments_outbox("payment.order_created", case_id=case_id)
    reply = call("GET", f"/v1/payment-orders/{created['data']['order_id']}", CITIZEN_A)
    assert reply.status == 200, reply.body
    return dict(reply.body) | {"payer_subject_id": CITIZEN_A["sub"]}


def payments_outbox(event_type: str | None = None, *, case_id: str | None = None) -> list[dict[str, Any]]:
    """Envelopes in the payments table's outbox, of one type and one case when given."""
    client = boto3.client("dynamodb")
    found: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=PAYMENTS_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            item = from_item(raw)
            if item.get("kind") == "outbox":
                for envelope in outbox_events(item):
                    if (event_type is None or envelope["type"] == event_type) and case_id in (
                        None,
                        envelope["data"].get("case_id"),
                    ):
                        found.append(envelope)
    return sorted(found, key=lambda envelope: (envelope["subject"], int(envelope["data"].get("version", 0))))


def progress_cases(*envelopes: dict[str, Any]) -> dict[str, Any]:
    """Deliver payment events to the real case-progress worker (CaseProgressRule)."""
    result: dict[str, Any] = load_function("case_progress_worker").handler(sqs_event(list(envelopes)), FakeContext())
    return result


def pay_url_params(pay_url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(pay_url).query))


def dlq_bodies(name: str = INBOUND_DLQ) -> list[dict[str, Any]]:
    client = boto3.client("sqs")
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    answer = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return [dict(message) for message in answer.get("Messages", [])]
