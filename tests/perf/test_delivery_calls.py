"""AWS calls of the courier channel (C12), counted exactly through botocore's
hooks against moto. Run with `make bench PYTEST_ARGS=-k delivery`; the table
printed goes into docs/performance.md ("Courier")."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shared.platform import aws, sealing
from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.unit.cases_fixtures import CITIZEN_A
from tests.unit.delivery_fixtures import (
    COURIER,
    JIANGNING_MARKET,
    SOLE_TRADER_CODE,
    awaiting_delivery_case,
    delivery_cloud,
    delivery_due,
    delivery_outbox,
    feed_booking,
    feed_courier,
    queue_messages,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with delivery_cloud(), frozen_at(MONDAY):
        yield


def _count(action: Callable[[], Any]) -> Counter[str]:
    with aws.count_calls() as calls:
        action()
    return Counter(calls)


def _route(mail_no: str, code: str, minute: int, **extra: str) -> dict[str, Any]:
    return {
        "msg_type": "ROUTE",
        "mail_no": mail_no,
        "op_code": code,
        "op_time": f"2026-09-21 11:{minute:02d}:00",
    } | extra


@pytest.mark.perf
def test_calls_per_status_event(cloud: None) -> None:
    rows: list[tuple[str, Counter[str]]] = []
    # the case API seals the recipient when the applicant chooses courier delivery (D-330): a container's
    # first seal makes its data key, the next ones within 5 minutes reuse it
    sealing.sealer.cache_clear()
    start = {"item_code": SOLE_TRADER_CODE, "delivery": COURIER}
    rows.append(
        (
            "case API: a start with a courier recipient, first in the container",
            _count(lambda: call("POST", "/v1/cases", CITIZEN_A, body=start)),
        )
    )
    rows.append(
        (
            "case API: a start with a courier recipient, warm",
            _count(lambda: call("POST", "/v1/cases", CITIZEN_A, body=start)),
        )
    )
    # warm: one case through to its booking first, so caches (regions, departments, the data key) are filled
    warm_case = awaiting_delivery_case()
    feed_booking([delivery_due(warm_case)])
    case_id = awaiting_delivery_case()
    rows.append(("create the shipment (case.delivery_due)", _count(lambda: feed_booking([delivery_due(case_id)]))))
    requested = [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == case_id]
    rows.append(("book the courier (shipment.requested)", _count(lambda: feed_booking(requested))))
    # a booking container that has not yet unwrapped the data key the case API sealed this recipient with
    other_case = awaiting_delivery_case()
    feed_booking([delivery_due(other_case)])
    sealing.sealer.cache_clear()
    other = [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == other_case]
    rows.append(("book the courier, data key not yet unwrapped", _count(lambda: feed_booking(other))))
    shipment_id = requested[0]["data"]["shipment_id"]
    queue_messages("courier-outbound-test")
    mail = "1190000077777"
    accepted = {
        "msg_type": "ORDER_RESULT",
        "order_no": shipment_id,
        "result": "ACCEPTED",
        "mail_no": mail,
        "op_time": "2026-09-21 10:05:00",
    }
    rows.append(("courier accepted (order result)", _count(lambda: feed_courier([accepted]))))
    rows.append(("status event that moves the state", _count(lambda: feed_courier([_route(mail, "10", 0)]))))
    rows.append(("status event, duplicate", _count(lambda: feed_courier([_route(mail, "10", 0)]))))
    rows.append(("status event, late (older than the state)", _count(lambda: feed_courier([_route(mail, "10", 1)]))))
    rows.append(("status event, in transit", _count(lambda: feed_courier([_route(mail, "20", 30)]))))
    rows.append(
        (
            "status event, delivered (+ outbox event)",
            _count(lambda: feed_courier([_route(mail, "40", 59, signer="张伟")])),
        )
    )
    rows.append(("status event, unknown waybill (parked)", _count(lambda: feed_courier([_route("990000", "20", 5)]))))
    rows.append(
        ("applicant: shipments of my case", _count(lambda: call("GET", f"/v1/cases/{case_id}/shipments", CITIZEN_A)))
    )
    rows.append(("staff: department shipments", _count(lambda: call("GET", "/v1/shipments", JIANGNING_MARKET))))
    print("\n\n| operation | AWS calls | detail |\n|---|---:|---|")
    for name, calls in rows:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
        print(f"| {name} | {sum(calls.values())} | {detail} |")
    per_event = dict(rows)
    assert per_event["case API: a start with a courier recipient, first in the container"]["kms.GenerateDataKey"] == 1
    assert not any(k.startswith("kms.") for k in per_event["case API: a start with a courier recipient, warm"])
    # the shipment, then its case marker, which holds the sealed recipient (D-336)
    assert per_event["book the courier (shipment.requested)"] == {"dynamodb.GetItem": 2, "sqs.SendMessage": 1}
    assert per_event["book the courier, data key not yet unwrapped"] == {
        "dynamodb.GetItem": 2,
        "kms.Decrypt": 1,
        "sqs.SendMessage": 1,
    }
    # a move that publishes nothing: the shipment's and the entry's conditional PutItems (D-322);
    # one that publishes an event: one transaction with it
    for name in ("status event that moves the state", "status event, in transit"):
        assert per_event[name] == {"dynamodb.Query": 1, "dynamodb.GetItem": 1, "dynamodb.PutItem": 2}, per_event[name]
    for name in ("courier accepted (order result)", "status event, delivered (+ outbox event)"):
        calls = per_event[name]
        assert calls["dynamodb.TransactWriteItems"] == 1
        assert sum(calls.values()) - calls["dynamodb.TransactWriteItems"] <= 2, calls
    assert per_event["status event, duplicate"]["dynamodb.PutItem"] == 1  # refused by the entry's key
    assert "dynamodb.Scan" not in sum((c for _, c in rows), Counter())
