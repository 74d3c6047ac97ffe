"""Unified public payment (C10), end to end in-process: an approved case's
`case.fee_due` opens one order; the payer gets a signed cashier link; the
channel's signed callback (HTTP) or partner-queue message pays it once; the
`payment.paid` event moves the case on through the real case-progress worker."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.payments import notice_numbers, signing
from shared.platform.aws import count_calls
from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.support.handlers import load_function
from tests.unit.cases_fixtures import CITIZEN_A, CITIZEN_B, XUANWU_CIVIL, outbox
from tests.unit.payments_fixtures import (
    CHANNEL_SECRET,
    JIANGNING_MARKET,
    PLATFORM_OPERATOR,
    approved_case,
    http_callback,
    notification,
    open_orders,
    order_of_case,
    pay_url_params,
    payments_cloud,
    payments_outbox,
    progress_cases,
    queue_callbacks,
    queue_message,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with payments_cloud():
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


def _case_state(case_id: str) -> str:
    reply = call("GET", f"/v1/cases/{case_id}", CITIZEN_A)
    assert reply.status == 200, reply.body
    return str(reply.body["state"])


class TestOrdersFromCaseEvents:
    def test_fee_due_opens_one_order_with_a_valid_notice_number(self) -> None:
        # Given an approved case awaiting its 50-yuan fee
        case_id = approved_case()
        assert _case_state(case_id) == "awaiting_payment"
        # When its case.fee_due is delivered (twice: SQS is at-least-once)
        [fee_due] = outbox("case.fee_due", case_id)
        assert open_orders(fee_due, fee_due) == {"batchItemFailures": []}
        assert open_orders(fee_due) == {"batchItemFailures": []}
        # Then there is exactly one order, with the fee in fen and a checked notice number
        [created] = payments_outbox("payment.order_created", case_id=case_id)
        order = call("GET", f"/v1/payment-orders/{created['data']['order_id']}", CITIZEN_A).body
        assert (order["state"], order["amount_fen"], order["currency"], order["non_tax"]) == (
            "created",
            5000,
            "CNY",
            True,
        )
        assert order["stage"] == "after_approval"
        assert notice_numbers.is_valid(order["notice_number"])
        assert order["notice_number"].startswith("320115260921")
        assert order["expires_at"] == "2026-09-28T02:00:00Z"

    def test_my_orders_lists_only_mine(self) -> None:
        case_id = approved_case()
        order = order_of_case(case_id)
        mine = call("GET", "/v1/payment-orders", CITIZEN_A, query={"limit": "100"})
        assert mine.status == 200
        assert order["order_id"] in [o["order_id"] for o in mine.body["items"]]
        theirs = call("GET", "/v1/payment-orders", CITIZEN_B)
        assert order["order_id"] not in [o["order_id"] for o in theirs.body["items"]]

    def test_others_cannot_see_an_order(self) -> None:
        order = order_of_case(approved_case())
        path = f"/v1/payment-orders/{order['order_id']}"
        assert call("GET", path, CITIZEN_B).code == "payment.order_not_found"
        assert call("GET", path, XUANWU_CIVIL).code == "payment.order_not_found"  # as if it did not exist
        assert call("GET", path, JIANGNING_MARKET).status == 200  # the collecting department
        assert call("POST", f"{path}/pay", CITIZEN_B, body={}).status == 404

    def test_a_zero_total_makes_an_order_born_paid_and_the_case_moves_on(self) -> None:
        case_id = approved_case()
        [fee_due] = outbox("case.fee_due", case_id)
        waived = json.loads(json.dumps(fee_due))
        waived["data"]["fees"] = [{"name": "演示工本费（减免）", "amount_fen": 0, "non_tax": True}]
        waived["data"]["total_fen"] = 0
        assert open_orders(waived) == {"batchItemFailures": []}
        [paid] = payments_outbox("payment.paid", case_id=case_id)
        assert (paid["data"]["waived"], paid["data"]["channel"], paid["data"]["amount_fen"]) == (True, "waiver", 0)
        progress_cases(paid)
        assert _case_state(case_id) == "awaiting_licence"


class TestPay:
    def test_pay_returns_a_signed_cashier_link_and_is_idempotent(self) -> None:
        order = order_of_case(approved_case())
        path = f"/v1/payment-orders/{order['order_id']}/pay"
        first = call("POST", path, CITIZEN_A, body={}, headers={"Idempotency-Key": "pay-1"})
        assert first.status == 200, first.body
        again = call("POST", path, CITIZEN_A, body={}, headers={"Idempotency-Key": "pay-1"})
        assert again.body == first.body
        session = first.body
        assert session["pay_url"].startswith("http://127.0.0.1:3100/pay?")
        assert session["qr_code"] == session["pay_url"]
        params = pay_url_params(session["pay_url"])
        assert (params["order_id"], params["amount"], params["notice_no"]) == (
            order["order_id"],
            "5000",
            order["notice_number"],
        )
        assert signing.params_signed(CHANNEL_SECRET.encode(), params)
        assert call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["state"] == "paying"

    def test_an_unknown_channel_is_refused(self) -> None:
        order = order_of_case(approved_case())
        reply = call("POST", f"/v1/payment-orders/{order['order_id']}/pay", CITIZEN_A, body={"channel": "nochannel"})
        assert (reply.status, reply.code) == (422, "payment.unknown_channel")


class TestCallbacks:
    def test_a_signed_http_callback_pays_once_and_the_case_moves_on(self) -> None:
        # Given a case awaiting payment and its order being paid
        case_id = approved_case()
        order = order_of_case(case_id)
        call("POST", f"/v1/payment-orders/{order['order_id']}/pay", CITIZEN_A, body={})
        raw = notification(order)
        # When the channel calls back (and again, and the same result on its queue)
        reply = http_callback(raw)
        assert (reply.status, reply.body["result"]) == (200, "applied")
        assert http_callback(raw).body["result"] == "duplicate"
        assert queue_callbacks([queue_message(raw)]) == {"batchItemFailures": []}
        # Then the order is paid once and the case advanced once
        shown = call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body
        assert (shown["state"], shown["channel"]) == ("paid", "jspay")
        [paid] = payments_outbox("payment.paid", case_id=case_id)
        assert (paid["data"]["case_id"], paid["data"]["order_id"], paid["data"]["amount_fen"]) == (
            case_id,
            order["order_id"],
            5000,
        )
        assert progress_cases(paid, paid) == {"batchItemFailures": []}
        assert _case_state(case_id) == "awaiting_licence"  # next: the 营业执照 (electronic delivery)
        assert len(outbox("case.step_done", case_id)) == 1

    def test_a_queue_result_pays_and_a_later_http_copy_is_a_duplicate(self) -> None:
        order = order_of_case(approved_case())
        raw = notification(order)
        assert queue_callbacks([queue_message(raw)]) == {"batchItemFailures": []}
        assert http_callback(raw).body["result"] == "duplicate"
        assert call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["state"] == "paid"

    def test_a_failure_then_a_success_pays(self) -> None:
        order = order_of_case(approved_case())
        assert http_callback(notification(order, outcome="failed")).body["result"] == "applied"
        assert call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["state"] == "failed"
        assert http_callback(notification(order)).body["result"] == "applied"
        assert call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["state"] == "paid"
        # a failure arriving late for another attempt changes nothing
        assert http_callback(notification(order, outcome="failed")).body["result"] == "recorded"

    @pytest.mark.parametrize(
        ("change", "kind"),
        [
            ({"amount_fen": 4999}, "amount_mismatch"),
            ({"currency": "USD"}, "currency_mismatch"),
            ({"payer": "01JDQ90F3W7C8M2T6R4K9N5XZZ"}, "payer_mismatch"),
        ],
    )
    def test_a_mismatch_is_an_exception_for_operators_never_applied(self, change: dict[str, object], kind: str) -> None:
        order = order_of_case(approved_case())
        raw = notification(order, **change)  # type: ignore[arg-type]
        assert http_callback(raw).body["result"] == "exception"
        assert call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["state"] == "created"
        assert payments_outbox("payment.paid", case_id=order["case_id"]) == []
        listed = call("GET", "/v1/payment-exceptions", PLATFORM_OPERATOR, query={"limit": "100"})
        assert listed.status == 200
        found = [e for e in listed.body["items"] if e["txn_id"] == raw["transaction_id"]]
        assert [(e["kind"], e["order_id"], e["refund_required"]) for e in found] == [(kind, order["order_id"], True)]
        assert call("GET", "/v1/payment-exceptions", CITIZEN_A).status == 403

    def test_a_success_for_a_paid_order_is_flagged_for_refund(self) -> None:
        order = order_of_case(approved_case())
        http_callback(notification(order))
        second = notification(order)
        assert http_callback(second).body["result"] == "refund_flagged"
        listed = call("GET", "/v1/payment-exceptions", PLATFORM_OPERATOR, query={"limit": "100"}).body["items"]
        assert [e["kind"] for e in listed if e["txn_id"] == second["transaction_id"]] == ["duplicate_payment"]
        assert len(payments_outbox("payment.paid", case_id=order["case_id"])) == 1

    def test_an_unknown_order_is_recorded_as_an_exception(self) -> None:
        order = order_of_case(approved_case())
        raw = notification(order) | {"out_trade_no": "01JDQ90F3W7C8M2T6R4K9N5XZZ"}
        assert http_callback(raw).body["result"] == "exception"


class TestRefusedCallbacks:
    """Unsigned, forged, stale and unreadable callbacks: refused, logged, no side effects."""

    def _order_and_raw(self) -> tuple[dict[str, object], bytes]:
        order = order_of_case(approved_case())
        return order, json.dumps(notification(order)).encode()

    def _unchanged(self, order: dict[str, object]) -> None:
        assert call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["state"] == "created"
        assert payments_outbox("payment.paid", case_id=str(order["case_id"])) == []

    def test_unsigned(self) -> None:
        order, body = self._order_and_raw()
        reply = http_callback(body=body, sign=False)
        assert (reply.status, reply.code) == (400, "payment.signature_missing")
        self._unchanged(order)

    def test_forged(self) -> None:
        order, body = self._order_and_raw()
        reply = http_callback(body=body, headers=_signed(body, secret="not-the-channel-secret"))
        assert (reply.status, reply.code) == (401, "payment.signature_invalid")
        self._unchanged(order)

    def test_body_changed_after_signing(self) -> None:
        order, body = self._order_and_raw()
        headers = _signed(body)
        tampered = body.replace(b'"total_fee": 5000', b'"total_fee": 1')
        assert http_callback(body=tampered, headers=headers).status == 401
        self._unchanged(order)

    @pytest.mark.parametrize("seconds", [-301, 301])
    def test_stale_or_future(self, seconds: int) -> None:
        order, body = self._order_and_raw()
        headers = _signed(body, at=int(MONDAY.timestamp()) + seconds)
        reply = http_callback(body=body, headers=headers)
        assert (reply.status, reply.code) == (400, "payment.timestamp_stale")
        self._unchanged(order)

    def test_a_replay_inside_the_window_changes_nothing_twice(self) -> None:
        order, body = self._order_and_raw()
        headers = _signed(body)
        assert http_callback(body=body, headers=headers).body["result"] == "applied"
        assert http_callback(body=body, headers=headers).body["result"] == "duplicate"
        assert len(payments_outbox("payment.paid", case_id=str(order["case_id"]))) == 1

    def test_unknown_channel(self) -> None:
        _, body = self._order_and_raw()
        assert http_callback(body=body, channel="other").code == "payment.unknown_channel"

    def test_signed_but_unreadable(self) -> None:
        body = b'{"trade_state": "MAYBE"}'
        reply = http_callback(body=body, headers=_signed(body))
        assert (reply.status, reply.code) == (400, "payment.malformed_callback")


def _signed(body: bytes, *, at: int | None = None, secret: str = CHANNEL_SECRET) -> dict[str, str]:
    from tests.unit.payments_fixtures import signed_headers

    return signed_headers(body, at=int(MONDAY.timestamp()) if at is None else at, secret=secret)


class TestCalls:
    def test_a_callback_costs_one_read_and_one_transaction_when_warm(self) -> None:
        order = order_of_case(approved_case())
        http_callback(notification(order, outcome="failed"))  # warm: secret cached
        with count_calls() as calls:
            assert http_callback(notification(order)).body["result"] == "applied"
        assert dict(calls) == {"dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1}
        with count_calls() as calls:
            assert queue_callbacks([queue_message(notification(order, txn_id="JSPDUP1"))]) == {"batchItemFailures": []}
        assert dict(calls) == {"dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1}


class TestSamples:
    SAMPLE_ORDER_ID = "01JDQ9A0000000000000000P01"

    def _answer(self, name: str, order_id: str | None = None) -> tuple[int, Any]:
        """The committed sample, with a real order where it names its placeholder order."""
        from tests.support.apigw import FakeContext

        text = (EVENTS / "payment_api" / name).read_text("utf-8")
        if order_id is not None:
            text = text.replace(self.SAMPLE_ORDER_ID, order_id)
        answer = load_function("payment_api").handler(json.loads(text), FakeContext())
        return answer["statusCode"], json.loads(answer["body"] or "null")

    def test_the_api_samples_list_read_and_pay_a_real_order(self) -> None:
        from tests.support.apigw import FakeContext

        case_id = approved_case()
        [fee_due] = outbox("case.fee_due", case_id)
        assert open_orders(fee_due) == {"batchItemFailures": []}
        [created] = payments_outbox("payment.order_created", case_id=case_id)
        order_id = created["data"]["order_id"]
        # the sample's page, then the following pages: orders made under the frozen clock share a
        # timestamp, so the new one may sort after the first page of the module's other orders
        listed: list[str] = []
        event = json.loads((EVENTS / "payment_api" / "payment-orders-mine.json").read_text("utf-8"))
        while True:
            answer = load_function("payment_api").handler(event, FakeContext())
            assert answer["statusCode"] == 200
            page = json.loads(answer["body"])
            listed += [o["order_id"] for o in page["items"]]
            if not page.get("next_cursor"):
                break
            event["queryStringParameters"]["cursor"] = page["next_cursor"]
            event["multiValueQueryStringParameters"]["cursor"] = [page["next_cursor"]]
        assert order_id in listed
        status, order = self._answer("payment-order-get.json", order_id)
        assert (status, order["order_id"], order["amount_fen"], order["state"]) == (200, order_id, 5000, "created")
        status, paying = self._answer("payment-order-pay.json", order_id)
        assert status == 200, paying
        assert paying["pay_url"]

    def test_a_sample_naming_an_order_that_does_not_exist_is_404(self) -> None:
        status, body = self._answer("payment-order-get.json")
        assert status == 404
        assert body["code"].startswith("payment.")


class TestRaces:
    """What two deliveries of one result racing each other (HTTP and queue at once) do:
    the loser's read is stale, its write is refused, and it ends as a duplicate or retries."""

    def test_a_duplicate_that_read_before_the_first_wrote_loses_at_the_write(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from shared.payments.callbacks import CallbackHandler
        from shared.payments.channel import to_notice
        from shared.payments.models import Via

        order = order_of_case(approved_case())
        raw = notification(order)
        handler = CallbackHandler()
        stale = handler.repository.get_with_transaction(order["order_id"], "jspay", raw["transaction_id"])
        assert http_callback(raw).body["result"] == "applied"  # the other path wins
        reads = iter([stale])
        real = handler.repository.get_with_transaction
        monkeypatch.setattr(handler.repository, "get_with_transaction", lambda *a: next(reads, None) or real(*a))
        ack = handler.handle(to_notice("jspay", raw), json.dumps(raw), Via.QUEUE, None)
        assert ack.result.value == "duplicate"
        assert len(payments_outbox("payment.paid", case_id=order["case_id"])) == 1

    def test_an_order_changed_meanwhile_is_read_again(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from shared.payments.callbacks import CallbackHandler
        from shared.payments.channel import to_notice
        from shared.payments.models import Via

        order = order_of_case(approved_case())
        handler = CallbackHandler()
        stale = handler.repository.get_with_transaction(order["order_id"], "jspay", "none")
        # the payer starts paying meanwhile: the order's version moves on
        call("POST", f"/v1/payment-orders/{order['order_id']}/pay", CITIZEN_A, body={})
        raw = notification(order)
        reads = iter([stale])
        real = handler.repository.get_with_transaction
        monkeypatch.setattr(handler.repository, "get_with_transaction", lambda *a: next(reads, None) or real(*a))
        ack = handler.handle(to_notice("jspay", raw), json.dumps(raw), Via.HTTP, None)
        assert ack.result.value == "applied"
        assert call("GET", f"/v1/payment-orders/{order['order_id']}", CITIZEN_A).body["state"] == "paid"


class TestBeforeAcceptance:
    def test_a_fee_paid_before_acceptance_lets_the_department_accept(self) -> None:
        from infra.seed import load_catalog
        from infra.seed.items import new_item_bodies
        from shared.catalog.service import CatalogService
        from tests.unit.cases_fixtures import attach, principal, run_pre_review, submit
        from tests.unit.payments_fixtures import FEE_ITEM, FORM

        # Given 个体工商户设立登记 in 苏州 with a 20-yuan fee paid when applying
        prepaid = next(
            b for b in new_item_bodies() if b["name"] == FEE_ITEM["name"] and b["region_code"] == "320500"
        ) | {
            "fees": [{"name": "演示证件费", "amount_fen": 2000, "currency": "CNY", "non_tax": True}],
            "fee_timing": "before_acceptance",
        }
        load_catalog(CatalogService(), [prepaid])
        suzhou = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM4", department_id="320500-market", region_code="320500")
        body = {"item_code": prepaid["implementation_code"], "delivery": {"method": "electronic"}}
        case_id = str(call("POST", "/v1/cases", CITIZEN_A, body=body).body["case_id"])
        assert call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": FORM}).status == 200
        for slot in ("application_form", "id_card", "premises_proof"):
            assert attach(case_id, slot, CITIZEN_A).status == 200
        assert submit(case_id).status == 200
        run_pre_review(case_id)
        # When the order opened from the pre-review's fee_due is paid
        order = order_of_case(case_id)
        assert (order["stage"], order["amount_fen"]) == ("before_acceptance", 2000)
        assert call("POST", f"/v1/cases/{case_id}/accept", suzhou, body={}).code == "case.fee_unpaid"
        assert http_callback(notification(order)).body["result"] == "applied"
        [paid] = payments_outbox("payment.paid", case_id=case_id)
        assert progress_cases(paid) == {"batchItemFailures": []}
        # Then the department can accept
        accepted = call("POST", f"/v1/cases/{case_id}/accept", suzhou, body={})
        assert (accepted.status, accepted.body["state"]) == (200, "accepted")
