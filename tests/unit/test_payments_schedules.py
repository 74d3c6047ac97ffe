"""Expiry sweep, withdrawal, reconciliation and the partner queue's poison
messages — driven with `case.fee_due` events for synthetic cases (payments
does not read cases), through the real function handlers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from shared.payments import channel as channel_format
from shared.payments.models import ChannelNotice, Outcome
from shared.platform.aws import count_calls
from shared.platform.clock import frozen_at
from shared.platform.ids import new_id
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.cases_fixtures import CITIZEN_A, CITIZEN_B, LongRunningContext
from tests.unit.payments_fixtures import (
    RECON_BUCKET,
    dlq_bodies,
    dlq_for_consumers,
    http_callback,
    notification,
    open_orders,
    payments_cloud,
    payments_outbox,
    queue_callbacks,
    queue_message,
)

EVENTS = Path(__file__).resolve().parents[2] / "events"
MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
SAMPLE_FEE_DUE = json.loads(
    json.loads((EVENTS / "payment_order_worker" / "sqs-case-fee-due.json").read_text("utf-8"))["Records"][0]["body"]
)["detail"]


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with payments_cloud():
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


def fee_due(amount_fen: int = 2000, case_id: str | None = None) -> dict[str, Any]:
    envelope = json.loads(json.dumps(SAMPLE_FEE_DUE))
    envelope["id"] = new_id()
    envelope["data"]["case_id"] = envelope["subject"] = case_id or new_id()
    envelope["data"]["fees"][0]["amount_fen"] = amount_fen
    envelope["data"]["total_fen"] = amount_fen
    return dict(envelope)


def new_order(amount_fen: int = 2000) -> dict[str, Any]:
    envelope = fee_due(amount_fen)
    assert open_orders(envelope) == {"batchItemFailures": []}
    [created] = payments_outbox("payment.order_created", case_id=envelope["data"]["case_id"])
    order = call("GET", f"/v1/payment-orders/{created['data']['order_id']}", CITIZEN_A).body
    return dict(order) | {"payer_subject_id": CITIZEN_A["sub"]}


def state_of(order: dict[str, Any]) -> str:
    return str(call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["state"])


def sweep(at: dt.datetime) -> dict[str, Any]:
    with frozen_at(at):
        sample = json.loads((EVENTS / "payment_expiry_sweep" / "scheduled-15-minutes.json").read_text("utf-8"))
        result: dict[str, Any] = load_function("payment_expiry_sweep").handler(sample, LongRunningContext())
        return result


class TestOrderWorker:
    def test_the_sample_fee_due_opens_an_order_once(self) -> None:
        sample = json.loads((EVENTS / "payment_order_worker" / "sqs-case-fee-due.json").read_text("utf-8"))
        handler = load_function("payment_order_worker").handler
        assert handler(sample, FakeContext()) == {"batchItemFailures": []}
        assert handler(sample, FakeContext()) == {"batchItemFailures": []}
        assert len(payments_outbox("payment.order_created", case_id="01JDQ9A0000000000000000C09")) == 1

    def test_a_withdrawn_case_cancels_its_unpaid_order(self) -> None:
        order = new_order()
        withdrawn = fee_due(case_id=order["case_id"]) | {"type": "case.withdrawn", "id": new_id()}
        withdrawn["data"] = {k: v for k, v in withdrawn["data"].items() if k not in {"stage", "fees", "total_fen"}}
        withdrawn["data"]["reason"] = "不再需要"
        assert open_orders(withdrawn, withdrawn) == {"batchItemFailures": []}
        assert state_of(order) == "cancelled"
        assert len(payments_outbox("payment.cancelled", case_id=order["case_id"])) == 1
        # a success arriving after the cancellation is kept and flagged for refund
        assert http_callback(notification(order)).body["result"] == "refund_flagged"
        assert state_of(order) == "refund_requested"


class TestExpiry:
    def test_the_sweep_expires_due_orders_once_and_keeps_others(self) -> None:
        due = new_order()
        later = new_order()
        with frozen_at(MONDAY + dt.timedelta(days=3)):
            fresh = new_order()
        paid = new_order()
        http_callback(notification(paid))
        # one week and a minute later: the first two are due, the third is not
        at = MONDAY + dt.timedelta(days=7, minutes=1)
        first = sweep(at)
        assert {due["order_id"], later["order_id"]} <= set(first["expired"])
        assert fresh["order_id"] not in first["expired"]
        assert paid["order_id"] not in first["expired"]
        assert (state_of(due), state_of(fresh), state_of(paid)) == ("expired", "created", "paid")
        assert sweep(at)["expired"] == []  # idempotent: nothing twice
        assert len(payments_outbox("payment.expired", case_id=due["case_id"])) == 1

    def test_the_sweep_reads_the_index_not_the_table(self) -> None:
        with count_calls() as calls:
            sweep(MONDAY + dt.timedelta(days=30))
        assert "dynamodb.Scan" not in calls
        assert calls["dynamodb.Query"] >= 8  # one per shard

    def test_an_expired_order_cannot_be_paid_and_a_late_success_is_flagged(self) -> None:
        order = new_order()
        sweep(MONDAY + dt.timedelta(days=8))
        with frozen_at(MONDAY + dt.timedelta(days=8)):
            refused = call("POST", f"/v1/payment-orders/{order['order_id']}/pay", CITIZEN_A, body={})
            assert (refused.status, refused.code) == (409, "payment.order_closed")
            assert http_callback(notification(order)).body["result"] == "refund_flagged"
        assert state_of(order) == "refund_requested"
        [refund] = payments_outbox("payment.refund_requested", case_id=order["case_id"])
        assert "过期" in refund["data"]["reason"]
        assert payments_outbox("payment.paid", case_id=order["case_id"]) == []

    def test_an_expired_order_is_reissued_once_and_the_fresh_one_pays(self) -> None:
        order = new_order()
        path = f"/v1/payment-orders/{order['order_id']}/reissue"
        assert (call("POST", path, CITIZEN_A).status, call("POST", path, CITIZEN_A).code) == (
            409,
            "payment.not_expired",
        )
        later = MONDAY + dt.timedelta(days=9)
        sweep(later)
        with frozen_at(later):
            fresh = call("POST", path, CITIZEN_A)
            assert fresh.status == 201, fresh.body
            assert call("POST", path, CITIZEN_A).body["order_id"] == fresh.body["order_id"]  # idempotent
            assert fresh.body["notice_number"] != order["notice_number"]
            assert (fresh.body["state"], fresh.body["replaces"], fresh.body["expires_at"]) == (
                "created",
                order["order_id"],
                "2026-10-07T02:00:00Z",
            )
            assert (
                call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["replaced_by"]
                == (fresh.body["order_id"])
            )
            assert call("POST", path, CITIZEN_B).status == 404
            renewed = dict(fresh.body) | {"payer_subject_id": CITIZEN_A["sub"]}
            assert http_callback(notification(renewed)).body["result"] == "applied"
        [paid] = payments_outbox("payment.paid", case_id=order["case_id"])
        assert paid["data"]["order_id"] == fresh.body["order_id"]


class TestPartnerQueue:
    def test_a_poison_message_goes_to_the_dlq_and_its_peers_succeed(self) -> None:
        good = new_order()
        other = new_order()
        batch = [
            queue_message(notification(good)),
            queue_message({}, body="not json at all"),
            queue_message({}, body=json.dumps({"channel": "jspay", "notification": {"trade_state": "???"}})),
            queue_message(notification(other)),
        ]
        with dlq_for_consumers():
            assert queue_callbacks(batch) == {"batchItemFailures": []}  # parked, not retried
            parked = dlq_bodies()
        assert (state_of(good), state_of(other)) == ("paid", "paid")
        reasons = sorted(m["MessageAttributes"]["failure_reason"]["StringValue"] for m in parked)
        assert reasons == [
            "PermanentFailure: unreadable channel message: message is not JSON",
            "PermanentFailure: unreadable channel message: unknown trade_state '???'",
        ]

    def test_the_sample_for_an_unknown_order_is_kept_as_an_exception(self) -> None:
        sample = json.loads((EVENTS / "payment_channel_events" / "sqs-channel-result.json").read_text("utf-8"))
        assert load_function("payment_channel_events").handler(sample, FakeContext()) == {"batchItemFailures": []}

    def test_the_callback_sample_is_refused_for_its_stale_signature(self) -> None:
        sample = json.loads((EVENTS / "payment_callbacks" / "channel-callback.json").read_text("utf-8"))
        answer = load_function("payment_callbacks").handler(sample, FakeContext())
        assert answer["statusCode"] == 400
        assert json.loads(answer["body"])["code"] == "payment.timestamp_stale"


class TestReconciliation:
    def test_the_statement_is_matched_and_discrepancies_reported(self) -> None:
        day = MONDAY.date()
        matched, lost, ours_only, wrong = (new_order() for _ in range(4))
        for order in (matched, ours_only, wrong):
            http_callback(notification(order, txn_id=f"TX-{order['order_id']}"))

        def line(order: dict[str, Any], amount: int | None = None) -> ChannelNotice:
            return channel_format.to_notice(
                "jspay", notification(order, txn_id=f"TX-{order['order_id']}", amount_fen=amount)
            )

        statement = [line(matched), line(lost), line(wrong, amount=1)]
        failed = line(new_order()).model_copy(update={"outcome": Outcome.FAILED, "txn_id": "TX-FAILED"})
        boto3.client("s3").put_object(
            Bucket=RECON_BUCKET,
            Key=f"statements/jspay/{day.isoformat()}.csv",
            Body=channel_format.statement_csv([*statement, failed]).encode(),
        )
        run = load_function("payment_reconciliation").handler(
            {"day": day.isoformat(), "channel": "jspay"}, FakeContext()
        )
        [summary] = run["reports"]
        assert (summary["matched"], summary["missing_ours"], summary["amount_mismatch"]) == (1, 1, 1)
        assert summary["missing_channel"] >= 1  # ours_only (and other tests' successes of the day)
        report = json.loads(
            boto3.client("s3").get_object(Bucket=RECON_BUCKET, Key=summary["report_key"])["Body"].read()
        )
        assert [entry["order_id"] for entry in report["missing_ours"]] == [lost["order_id"]]
        assert [entry["order_id"] for entry in report["amount_mismatch"]] == [wrong["order_id"]]
        assert ours_only["order_id"] in [entry["order_id"] for entry in report["missing_channel"]]
        assert run["discrepancies"] == summary["discrepancies"] > 0

    def test_a_malformed_line_is_counted_and_the_lines_after_it_are_still_matched(self) -> None:
        day = MONDAY.date()
        first, second = new_order(), new_order()
        for order in (first, second):
            http_callback(notification(order, txn_id=f"TX-{order['order_id']}"))
        lines = [
            channel_format.to_notice("jspay", notification(order, txn_id=f"TX-{order['order_id']}"))
            for order in (first, second)
        ]
        header, *rows = channel_format.statement_csv(lines).splitlines()
        garbled = rows[0].replace(f",{lines[0].amount_fen},", ",twenty,")
        assert garbled != rows[0]
        boto3.client("s3").put_object(
            Bucket=RECON_BUCKET,
            Key=f"statements/jspay/{day.isoformat()}.csv",
            Body="\n".join([header, garbled, rows[1]]).encode(),
        )
        run = load_function("payment_reconciliation").handler(
            {"day": day.isoformat(), "channel": "jspay"}, FakeContext()
        )
        [summary] = run["reports"]
        report = json.loads(
            boto3.client("s3").get_object(Bucket=RECON_BUCKET, Key=summary["report_key"])["Body"].read()
        )
        assert report["malformed_lines"] == 1
        assert [entry["order_id"] for entry in report["matched"]] == [second["order_id"]]

    def test_a_missing_statement_is_a_discrepancy(self) -> None:
        sample = json.loads((EVENTS / "payment_reconciliation" / "scheduled-daily.json").read_text("utf-8"))
        with frozen_at(dt.datetime(2030, 1, 2, 2, 0, tzinfo=dt.UTC)):
            run = load_function("payment_reconciliation").handler(sample, FakeContext())
        assert run["day"] == "2030-01-01"
        assert [(r["statement_missing"], r["discrepancies"]) for r in run["reports"]] == [(True, 1)]


def test_the_exceptions_sample_is_answered() -> None:
    sample = json.loads((EVENTS / "payment_api" / "payment-exceptions.json").read_text("utf-8"))
    assert load_function("payment_api").handler(sample, FakeContext())["statusCode"] == 200


class TestRefunds:
    def test_operators_request_and_record_a_refund_and_the_payer_is_told(self) -> None:
        from tests.unit.payments_fixtures import PLATFORM_OPERATOR

        order = new_order()
        http_callback(notification(order))
        path = f"/v1/payment-orders/{order['order_id']}"
        asked = call("POST", f"{path}/refund-request", PLATFORM_OPERATOR, body={"reason": "申请人撤回，退还工本费"})
        assert (asked.status, asked.body["state"]) == (200, "refund_requested")
        again = call("POST", f"{path}/refund-request", PLATFORM_OPERATOR, body={"reason": "再次申请"})
        assert (again.status, again.code) == (409, "payment.transition_not_allowed")
        done = call(
            "POST", f"{path}/refund", PLATFORM_OPERATOR, body={"reason": "已原路退回", "channel_refund_id": "RF1"}
        )
        assert (done.status, done.body["state"]) == (200, "refunded")
        assert [e["type"] for e in payments_outbox(case_id=order["case_id"])][-2:] == [
            "payment.refund_requested",
            "payment.refunded",
        ]
        assert call("POST", f"{path}/refund", CITIZEN_A, body={"reason": "自己退款"}).status == 403
