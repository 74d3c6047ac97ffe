"""Paying a fee through the local cloud (C10), as the README walks through it:
李娜 applies for 居民身份证换领 in 江宁区 (a 20-yuan non-tax fee after
approval), the 江宁 police clerk accepts and approves, `case.fee_due` travels
outbox → bus → PaymentOrdersQueue → payment_order_worker, she pays through the
channel simulator (signed HTTP callback and the partner queue, twice each),
the order is paid once and the case completes. Forged and poison traffic
changes nothing; reconciliation matches the simulator's statement."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from infra.local import LocalCloud
from infra.local.partners.payment_channel import PaymentChannelSimulator
from infra.seed.identity.people import CITIZEN_B, JIANGNING_POLICE
from tests.integration.test_cases_walkthrough import upload
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration

FORM = {"applicant_name": "李娜", "id_number": "320106199207090461", "reason": "有效期满"}


@pytest.fixture(scope="module")
def citizen(api: Any, local_cloud: LocalCloud) -> dict[str, str]:
    return sign_in_citizen(api, local_cloud, CITIZEN_B.phone)


@pytest.fixture(scope="module")
def police(api: Any, local_cloud: LocalCloud, citizen: dict[str, str]) -> dict[str, str]:
    worker = JIANGNING_POLICE
    return sign_in_staff(api, local_cloud, worker.login, worker.password, worker.phone)


@pytest.fixture(scope="module")
def channel(local_cloud: LocalCloud) -> PaymentChannelSimulator:
    simulator = local_cloud.partners["payment_channel"]
    assert isinstance(simulator, PaymentChannelSimulator)
    return simulator


def _wait_for(probe: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def _approved_case(api: Any, local_cloud: LocalCloud, citizen: dict[str, str], police: dict[str, str]) -> str:
    items = api.get("/v1/items", params={"region": "320115", "q": "居民身份证换领"}).json()["items"]
    code = next(i["implementation_code"] for i in items if i["name"] == "居民身份证换领")
    created = api.post("/v1/cases", headers=citizen, json={"item_code": code, "delivery": {"method": "electronic"}})
    assert created.status_code == 201, created.text
    case_id = str(created.json()["case_id"])
    assert api.put(f"/v1/cases/{case_id}/form", headers=citizen, json={"form": FORM}).status_code == 200
    for slot in ("id_card", "household_register"):
        assert upload(api, case_id, slot, citizen).status_code == 200
    assert api.post(f"/v1/cases/{case_id}/submit", headers=citizen).status_code == 200
    local_cloud.wait_idle(30)
    accepted = api.post(f"/v1/cases/{case_id}/accept", headers=police, json={"note": "材料齐全"})
    assert accepted.status_code == 200, accepted.text
    decided = api.post(
        f"/v1/cases/{case_id}/decide", headers=police, json={"outcome": "approved", "reason": "符合换领条件"}
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "awaiting_payment"
    return case_id


def _order_of(api: Any, citizen: dict[str, str], case_id: str) -> dict[str, Any] | None:
    items = api.get("/v1/payment-orders", headers=citizen).json()["items"]
    return next((o for o in items if o["case_id"] == case_id), None)


def test_pay_a_fee_through_the_simulator_and_the_case_moves_on(
    api: Any, local_cloud: LocalCloud, citizen: dict[str, str], police: dict[str, str], channel: PaymentChannelSimulator
) -> None:
    # Given an approved case: its fee due became one order
    case_id = _approved_case(api, local_cloud, citizen, police)
    order = _wait_for(lambda: _order_of(api, citizen, case_id))
    assert order, "no payment order for the approved case"
    assert (order["state"], order["amount_fen"], order["non_tax"]) == ("created", 2000, True)

    # When she pays: the cashier link is the simulator's
    session = api.post(f"/v1/payment-orders/{order['order_id']}/pay", headers=citizen, json={})
    assert session.status_code == 200, session.text
    pay_url = session.json()["pay_url"]
    assert pay_url.startswith(f"{channel.cashier_url}?"), (pay_url, channel.cashier_url)
    page = channel.session_of(pay_url)
    assert page["amount"] == "2000"
    # the link opens the cashier page as it is (on whatever port the simulator got)
    with urllib.request.urlopen(pay_url, timeout=10) as opened:  # noqa: S310 (the local simulator)
        assert "20.00" in opened.read().decode()
    # a forged copy first: refused, nothing changes
    forged = channel.send_http(channel.notification(page), forge=True)
    assert (forged[0], forged[1]["code"]) == (401, "payment.signature_invalid")
    # the real result, by HTTP and on the partner queue, twice each
    paid = channel.pay(pay_url, via="both", copies=2)
    assert [status for status, _ in paid.http] == [200, 200]
    assert sorted(answer["result"] for _, answer in paid.http) == ["applied", "duplicate"]
    local_cloud.wait_idle(30)

    # Then the order is paid once and the case completed (no licence; electronic delivery)
    shown = api.get(f"/v1/payment-orders/{order['order_id']}", headers=citizen).json()
    assert (shown["state"], shown["channel"]) == ("paid", "jspay")
    case = _wait_for(
        lambda: (c := api.get(f"/v1/cases/{case_id}", headers=citizen).json())["state"] == "completed" and c
    )
    assert case, "the case did not move on"
    assert [(r["step"], r["reference"]) for r in case["fulfilment"]] == [("payment", order["order_id"])]
    messages = api.get("/v1/me/messages", headers=citizen).json()["items"]
    assert any(m["title"] == "缴费成功" and order["notice_number"] in m["body"] for m in messages)

    # And reconciliation of today's statement finds it matched
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    run = local_cloud.invoke("PaymentReconciliationFunction", {"day": today, "channel": "jspay"})
    [summary] = run["reports"]
    assert summary["matched"] >= 1
    report = local_cloud.client("s3").get_object(
        Bucket=local_cloud.ref("PaymentReconciliationBucket"), Key=summary["report_key"]
    )
    matched = json.loads(report["Body"].read())["matched"]
    assert paid.notification["transaction_id"] in [line["txn_id"] for line in matched]


def test_a_poison_partner_message_is_parked_with_its_reason(
    local_cloud: LocalCloud, channel: PaymentChannelSimulator
) -> None:
    channel.send_queue(body="this is not a channel message")
    local_cloud.wait_idle(30)
    sqs = local_cloud.client("sqs")
    dlq = local_cloud.queue_url("PaymentChannelInboundDLQ")
    messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    reasons = [m["MessageAttributes"]["failure_reason"]["StringValue"] for m in messages]
    assert "PermanentFailure: unreadable channel message: message is not JSON" in reasons


def test_the_expiry_sweep_runs_from_its_schedule(local_cloud: LocalCloud) -> None:
    result = local_cloud.fire("PaymentExpirySweepFunction")
    assert result["finished"] is True
