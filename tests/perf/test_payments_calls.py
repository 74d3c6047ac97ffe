"""AWS calls per payment operation, counted exactly through botocore's hooks
against moto (shared.platform.aws.count_calls). Run with
`make bench PYTEST_ARGS=-k payments`; the table printed goes into
docs/performance.md (section Payments). Goal for a callback: at most 2 calls
plus the transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from shared.payments import signing
from shared.platform.aws import count_calls
from shared.platform.clock import frozen_at
from shared.platform.ids import new_id
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.cases_fixtures import CITIZEN_A, LongRunningContext
from tests.unit.payments_fixtures import (
    http_callback,
    notification,
    open_orders,
    payments_cloud,
    payments_outbox,
    queue_callbacks,
    queue_message,
)
from tests.unit.test_payments_schedules import fee_due

pytestmark = pytest.mark.perf

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
ROWS: list[tuple[str, Counter[str]]] = []


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with payments_cloud(), frozen_at(MONDAY):
        yield
    print("\n| operation | AWS calls | detail |\n|---|---:|---|")
    for name, calls in ROWS:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
        print(f"| {name} | {sum(calls.values())} | {detail} |")


def _order() -> dict[str, Any]:
    envelope = fee_due()
    open_orders(envelope)
    [created] = payments_outbox("payment.order_created", case_id=envelope["data"]["case_id"])
    body = call("GET", f"/v1/payment-orders/{created['data']['order_id']}", CITIZEN_A).body
    return dict(body) | {"payer_subject_id": CITIZEN_A["sub"]}


def _measure(name: str, action: Any) -> Counter[str]:
    with count_calls() as calls:
        action()
    ROWS.append((name, Counter(calls)))
    return calls


def test_calls_per_payment_operation(cloud: None) -> None:
    envelope = fee_due()
    _measure("order from `case.fee_due` (payment_order_worker)", lambda: open_orders(envelope))
    _measure("the same `case.fee_due` again (duplicate)", lambda: open_orders(envelope))
    order = _order()
    signing.clear_cache()
    _measure(
        "pay: cashier link (cold: channel secret)",
        lambda: call("POST", f"/v1/payment-orders/{order['order_id']}/pay", CITIZEN_A, body={}),
    )
    _measure(
        "pay: cashier link (warm)",
        lambda: call("POST", f"/v1/payment-orders/{order['order_id']}/pay", CITIZEN_A, body={}),
    )
    signing.clear_cache()
    cold = _order()
    _measure("HTTP callback, cold (secret fetched)", lambda: http_callback(notification(cold)))
    warm = _order()
    raw = notification(warm)
    http = _measure("HTTP callback, warm: applied", lambda: http_callback(raw))
    assert sum(http.values()) <= 3
    assert http == Counter({"dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1})
    _measure("HTTP callback, duplicate", lambda: http_callback(raw))
    queued = _order()
    message = queue_message(notification(queued))
    queue = _measure("partner-queue callback: applied", lambda: queue_callbacks([message]))
    assert queue == Counter({"dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1})
    _measure("partner-queue callback: duplicate", lambda: queue_callbacks([message]))
    body = json.dumps(notification(_order())).encode()
    _measure(
        "forged callback (refused)",
        lambda: http_callback(
            body=body, headers={"X-Jszw-Timestamp": str(int(MONDAY.timestamp())), "X-Jszw-Signature": "sha256=00"}
        ),
    )
    for _ in range(10):
        _order()
    sample: dict[str, Any] = {"detail-type": "Scheduled Event", "id": new_id()}
    with frozen_at(MONDAY + dt.timedelta(days=8)):
        _measure(
            "expiry sweep, 8 shards (orders due: all open ones)",
            lambda: load_function("payment_expiry_sweep").handler(sample, LongRunningContext()),
        )
        _measure(
            "expiry sweep again (nothing due)",
            lambda: load_function("payment_expiry_sweep").handler(sample, LongRunningContext()),
        )
    _measure(
        "reconciliation of a day (statement missing)",
        lambda: load_function("payment_reconciliation").handler({"day": "2026-09-21"}, FakeContext()),
    )
