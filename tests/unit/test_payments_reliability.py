"""Reliability figures for docs/reliability.md (section Payments), in-process:

- 1,000 channel results for 10 real cases awaiting payment, delivered across
  both paths (signed HTTP webhook and partner queue), with duplicates, failed
  attempts and in random order → every order paid exactly once; the
  `payment.paid` events, themselves delivered twice in random order to the real
  case-progress worker → every case advanced exactly once;
- 200 forged, stale (replayed after the window) and unsigned callbacks → 0 effects;
- a poison partner message → DLQ, its batch peers succeed
  (test_payments_schedules.py::TestPartnerQueue).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shared.platform.clock import frozen_at
from shared.platform.dynamo import from_item
from tests.support.api import call
from tests.unit.cases_fixtures import CITIZEN_A, outbox
from tests.unit.payments_fixtures import (
    PAYMENTS_TABLE,
    approved_case,
    http_callback,
    notification,
    order_of_case,
    payments_cloud,
    payments_outbox,
    progress_cases,
    queue_callbacks,
    queue_message,
    signed_headers,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
CASES = 10
SUCCESS_COPIES = 40  # per order: 20 by HTTP, 20 by queue
FAILED_ATTEMPTS = 2
FAILURE_COPIES = 30  # per failed attempt, spread over both paths
TOTAL = CASES * (SUCCESS_COPIES + FAILED_ATTEMPTS * FAILURE_COPIES)


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with payments_cloud(), frozen_at(MONDAY):
        yield


def _table_items(kind: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    return [
        from_item(raw)
        for page in client.get_paginator("scan").paginate(
            TableName=PAYMENTS_TABLE,
            FilterExpression="#kind = :kind",
            ExpressionAttributeNames={"#kind": "kind"},
            ExpressionAttributeValues={":kind": {"S": kind}},
        )
        for raw in page["Items"]
        if raw.get("kind", {}).get("S") == kind
    ]


def test_a_thousand_callbacks_pay_each_order_once_and_advance_each_case_once(cloud: None) -> None:
    rng = random.Random(20261125)
    # Given 10 approved cases awaiting payment, each with its order
    cases = [approved_case() for _ in range(CASES)]
    orders = {case_id: order_of_case(case_id) for case_id in cases}
    # And, per order, one success and two failed attempts, each copied many times over both paths
    deliveries: list[tuple[str, dict[str, Any]]] = []
    successes: dict[str, str] = {}
    for order in orders.values():
        success = notification(order)
        successes[order["order_id"]] = success["transaction_id"]
        deliveries += [("http" if i % 2 else "queue", success) for i in range(SUCCESS_COPIES)]
        for _ in range(FAILED_ATTEMPTS):
            failure = notification(order, outcome="failed")
            deliveries += [(rng.choice(["http", "queue"]), failure) for _ in range(FAILURE_COPIES)]
    rng.shuffle(deliveries)
    assert len(deliveries) == TOTAL == 1000

    # When they arrive in that random order (queue messages in batches of up to 10)
    results: Counter[str] = Counter()
    batch: list[dict[str, Any]] = []
    for path, raw in deliveries:
        if path == "http":
            reply = http_callback(raw)
            assert reply.status == 200, reply.body
            results[f"http:{reply.body['result']}"] += 1
        else:
            batch.append(queue_message(raw))
            if len(batch) == 10 or rng.random() < 0.2:
                assert queue_callbacks(batch) == {"batchItemFailures": []}
                batch = []
    if batch:
        assert queue_callbacks(batch) == {"batchItemFailures": []}

    # Then every order is paid exactly once, by its success
    paid_events = payments_outbox("payment.paid")
    per_order = Counter(e["data"]["order_id"] for e in paid_events if e["data"]["case_id"] in orders)
    assert per_order == Counter({order["order_id"]: 1 for order in orders.values()})
    for event in paid_events:
        if event["data"]["case_id"] in orders:
            assert event["data"]["channel_txn_id"] == successes[event["data"]["order_id"]]
    records = [r for r in _table_items("txn") if r["order_id"] in successes]
    assert len(records) == CASES * (1 + FAILED_ATTEMPTS)  # one record per distinct transaction

    # And the paid events, each delivered twice in random order, advance every case exactly once
    ours = [e for e in paid_events if e["data"]["case_id"] in orders]
    relayed = ours * 2
    rng.shuffle(relayed)
    for start in range(0, len(relayed), 10):
        assert progress_cases(*relayed[start : start + 10]) == {"batchItemFailures": []}
    payment_steps = Counter(e["subject"] for e in outbox("case.step_done") if e["data"]["step"] == "payment")
    for case_id in cases:
        assert payment_steps[case_id] == 1, case_id
        assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["state"] == "awaiting_licence"
    paths = Counter(path for path, _ in deliveries)
    outcomes = Counter(r["result"] for r in records)
    print(
        f"\nreliability: {TOTAL} deliveries ({dict(paths)}), {len(records)} distinct transactions "
        f"recorded {dict(outcomes)}, HTTP answers {dict(results)}, payment.paid {len(ours)}, "
        f"case payment steps {CASES}"
    )


def test_forged_stale_and_unsigned_callbacks_have_no_effect(cloud: None) -> None:
    # Given an open order and a genuine result for it
    case_id = approved_case()
    order = order_of_case(case_id)
    raw = notification(order)
    body = json.dumps(raw).encode()
    before = (_table_items("txn"), _table_items("exception"), payments_outbox())
    now_s = int(MONDAY.timestamp())
    # When 200 forged, stale (a replay after the window) and unsigned copies arrive
    refused: Counter[tuple[int, str]] = Counter()
    for i in range(200):
        kind = i % 4
        if kind == 0:
            headers = signed_headers(body, secret=f"guess-{i}")  # forged
        elif kind == 1:
            headers = signed_headers(body, at=now_s - 301 - i)  # replayed after the window
        elif kind == 2:
            headers = signed_headers(body, at=now_s + 301 + i)  # from the future
        else:
            headers = {"X-Jszw-Timestamp": str(now_s)}  # unsigned
        reply = http_callback(body=body, headers=headers)
        refused[(reply.status, reply.code)] += 1
    # Then all are refused, and nothing was written
    assert refused == {
        (401, "payment.signature_invalid"): 50,
        (400, "payment.timestamp_stale"): 100,
        (400, "payment.signature_missing"): 50,
    }
    assert (_table_items("txn"), _table_items("exception"), payments_outbox()) == before
    assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["state"] == "awaiting_payment"
    # And the genuine one still pays
    assert http_callback(raw).body["result"] == "applied"
