"""The courier channel through the local cloud (C12, 快递送): 张伟 applies for
个体工商户设立登记 in 江宁 with courier delivery; 江宁区市场监督管理局 accepts
and approves; the licence is issued; the shipment is created through the
outbox and booked on the partner-outbound queue; the courier simulator answers
with a waybill and status events (jittered, duplicated, reordered); the case
is completed (办结) on delivery. A poison event lands in the partner DLQ with
its reason, which operators read through the API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local import LocalCloud
from infra.seed.identity.people import CITIZEN_A, JIANGNING_MARKET, OPERATOR, STAFF_IN_SCOPE
from tests.integration.test_cases_walkthrough import upload
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration

FORM = {"applicant_name": "张伟", "id_number": "320102198803150213", "premises_address": "南京市江宁区天元中路 1 号"}
COURIER = {
    "method": "courier",
    "address": "南京市江宁区天元中路 1 号 3 栋",
    "region_code": "320115",
    "recipient_name": "张伟",
    "recipient_phone": "13800000001",
}


@pytest.fixture(scope="module")
def accounts(api: Any, local_cloud: LocalCloud) -> dict[str, dict[str, str]]:
    return {  # the demo accounts: seeded with the session's local cloud (strict seed)
        "citizen": sign_in_citizen(api, local_cloud, CITIZEN_A.phone),
        "market": sign_in_staff(
            api, local_cloud, JIANGNING_MARKET.login, JIANGNING_MARKET.password, JIANGNING_MARKET.phone
        ),
        "operator": sign_in_staff(api, local_cloud, OPERATOR.login, OPERATOR.password, OPERATOR.phone),
        # 刘洋, 玄武区民政局: stationed at the demo halls (issue 17's walk-through)
        "clerk": sign_in_staff(api, local_cloud, STAFF_IN_SCOPE.login, STAFF_IN_SCOPE.password, STAFF_IN_SCOPE.phone),
    }


@pytest.fixture(scope="module")
def fast_courier(local_cloud: LocalCloud) -> Iterator[Any]:
    """The running simulator, sped up for the test (same jitter, duplicates and reordering)."""
    courier: Any = local_cloud.partners["courier"]  # the courier simulator (step and jitter are its own)
    saved = (courier.step_s, courier.jitter_s)
    courier.step_s, courier.jitter_s = 0.4, 0.6
    yield courier
    courier.step_s, courier.jitter_s = saved


def _until(check: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.5)


def _approved_case(
    api: Any, local_cloud: LocalCloud, accounts: dict[str, dict[str, str]], delivery: dict[str, Any]
) -> str:
    citizen, market = accounts["citizen"], accounts["market"]
    item = api.get("/v1/items", params={"region": "320115", "q": "个体工商户设立登记"}).json()["items"][0]
    created = api.post(
        "/v1/cases", headers=citizen, json={"item_code": item["implementation_code"], "delivery": delivery}
    )
    assert created.status_code == 201, created.text
    case_id = str(created.json()["case_id"])
    assert api.put(f"/v1/cases/{case_id}/form", headers=citizen, json={"form": FORM}).status_code == 200
    for slot in ("application_form", "id_card", "premises_proof"):
        assert upload(api, case_id, slot, citizen).status_code == 200
    assert api.post(f"/v1/cases/{case_id}/submit", headers=citizen).status_code == 200
    local_cloud.wait_idle(30)
    assert api.post(f"/v1/cases/{case_id}/accept", headers=market, json={}).status_code == 200
    decided = api.post(
        f"/v1/cases/{case_id}/decide", headers=market, json={"outcome": "approved", "reason": "符合登记条件"}
    )
    assert decided.status_code == 200, decided.text
    return case_id


def test_a_decided_case_is_shipped_tracked_and_completed_on_delivery(
    api: Any, local_cloud: LocalCloud, accounts: dict[str, dict[str, str]], fast_courier: Any
) -> None:
    citizen, market, operator = accounts["citizen"], accounts["market"], accounts["operator"]
    case_id = _approved_case(api, local_cloud, accounts, COURIER)

    # the licence is issued, the shipment created and booked, the simulator delivers, the case completes
    def completed() -> dict[str, Any] | None:
        case = api.get(f"/v1/cases/{case_id}", headers=citizen).json()
        return case if case["state"] == "completed" else None

    case = _until(completed, 90)
    assert case["state"] == "completed"

    shipments = api.get(f"/v1/cases/{case_id}/shipments", headers=citizen)
    assert shipments.status_code == 200, shipments.text
    [shipment] = shipments.json()["items"]
    assert shipment["state"] == "delivered"
    assert shipment["waybill"]
    assert shipment["destination"]["label"] == "张* 138****0001"
    states = [entry["state"] for entry in shipment["tracking"]]
    assert states[0] == "requested"
    assert states[-1] == "delivered"
    assert {"accepted", "picked_up", "in_transit", "out_for_delivery"} <= set(states)
    assert len(states) == 7  # duplicates sent by the courier are not kept twice
    assert "13800000001" not in shipments.text

    department = api.get("/v1/shipments", headers=market, params={"state": "delivered"}).json()["items"]
    assert shipment["shipment_id"] in [s["shipment_id"] for s in department]
    local_cloud.wait_idle(30)
    inbox = api.get("/v1/me/messages", headers=citizen, params={"limit": "50"}).json()["items"]
    assert any(m["title"] == "结果已交寄" and shipment["waybill"] in m["body"] for m in inbox)

    # a status code the mapping does not know: parked with its reason; operators see it
    fast_courier.send(
        {"msg_type": "ROUTE", "mail_no": shipment["waybill"], "op_code": "88", "op_time": "2026-09-22 12:00:00"}
    )
    local_cloud.wait_idle(30)
    dlq = api.get("/v1/operations/courier-dlq", headers=operator)
    assert dlq.status_code == 200, dlq.text
    assert any(
        f"unknown status op_code '88' for waybill {shipment['waybill']}" in d["failure_reason"]
        for d in dlq.json()["items"]
    )
    assert api.get("/v1/operations/courier-dlq", headers=market).status_code == 403


def test_a_refused_parcel_comes_back_and_needs_the_departments_attention(
    api: Any, local_cloud: LocalCloud, accounts: dict[str, dict[str, str]], fast_courier: Any
) -> None:
    citizen, market = accounts["citizen"], accounts["market"]
    refused = COURIER | {"address": "南京市江宁区天元中路 9 号（拒收）"}
    case_id = _approved_case(api, local_cloud, accounts, refused)

    def returned() -> dict[str, Any] | None:
        # the courier's facts arrive out of order: "returned" may come before the second failed
        # attempt, so wait for the whole history, not for the state alone
        items = api.get(f"/v1/cases/{case_id}/shipments", headers=citizen).json()["items"]
        if not items or items[0]["state"] != "returned":
            return None
        attempts = [e["state"] for e in items[0]["tracking"]].count("failed_attempt")
        return items[0] if attempts == 2 else None

    shipment = _until(returned, 90)  # returned, with both failed attempts in the history
    assert shipment["needs_attention"] is True
    listed = api.get("/v1/shipments", headers=market, params={"state": "returned"}).json()["items"]
    assert shipment["shipment_id"] in [s["shipment_id"] for s in listed]
    local_cloud.wait_idle(30)
    inbox = api.get("/v1/me/messages", headers=citizen, params={"limit": "50"}).json()["items"]
    assert any(m["title"] == "快递已退回" and case_id in m["link"] for m in inbox)
    assert api.get(f"/v1/cases/{case_id}", headers=citizen).json()["state"] == "awaiting_delivery"


def test_one_door_book_number_counter_intake_online_and_the_result_collected_at_the_hall(
    api: Any, local_cloud: LocalCloud, accounts: dict[str, dict[str, str]]
) -> None:
    """Issue 17, acceptance 1 (README "Service halls"): book, take a number, the clerk calls it,
    verifies 张伟 by ID number and name and opens the case; he continues online; the result waits
    at the hall and is handed over against the pickup code, which completes the case."""
    citizen, clerk = accounts["citizen"] | {"X-Client-Id": "app"}, accounts["clerk"] | {"X-Client-Id": "hall"}
    hall = "/v1/halls/320102-extended"  # the demo hall open around the clock on working days
    now = time.time()
    slot = time.strftime("%Y-%m-%dT%H:%M:00+08:00", time.gmtime((int(now) // 1800 + 1) * 1800 + 8 * 3600))
    booked = api.post(f"{hall}/appointments", headers=citizen, json={"group": "general", "starts_at": slot})
    if booked.status_code == 422:  # not a working day in Nanjing: the hall takes no bookings today
        pytest.skip(booked.json()["code"])
    assert booked.status_code == 201, booked.text
    number = api.post(f"{hall}/tickets", headers=citizen, json={"booking_id": booked.json()["booking_id"]})
    assert number.status_code == 201, number.text
    called = api.post(f"{hall}/windows/E01/call-next", headers=clerk).json()["ticket"]
    assert called["ticket_id"] == number.json()["ticket_id"]
    item = api.get("/v1/items", params={"region": "320102", "q": "最低生活保障"}).json()["items"][0]
    applicant = {"id_number": CITIZEN_A.person.id_number, "name": CITIZEN_A.person.name}
    intake = {"item_code": item["implementation_code"], "ticket_id": called["ticket_id"], "applicant": applicant}
    opened = api.post("/v1/hall/cases", headers=clerk, json=intake)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    where = f"玄武区政务服务中心（延时服务区） E01 窗口（{called['number']} 号）代收"
    assert opened.json()["timeline"][0]["reason"].startswith(where)
    # online: the form, the result to collect at this hall, the materials, submit
    at_hall = {"method": "pickup", "hall_id": "320102-extended"}
    form = {"form": {"household_size": 3, "monthly_income_fen": 180000}, "delivery": at_hall}
    assert api.put(f"/v1/cases/{case_id}/form", headers=citizen, json=form).status_code == 200
    for slot_id in ("id_card", "household_register", "income_declaration"):
        assert upload(api, case_id, slot_id, citizen).status_code == 200
    assert api.post(f"/v1/cases/{case_id}/submit", headers=citizen).status_code == 200

    def state_is(wanted: str) -> bool:
        return bool(api.get(f"/v1/cases/{case_id}", headers=citizen).json()["state"] == wanted)

    _until(lambda: state_is("pre_review_passed"), 90)  # pre-review runs from its queue
    assert api.post(f"/v1/cases/{case_id}/accept", headers=clerk, json={"note": "材料齐全"}).status_code == 200
    decided = api.post(f"/v1/cases/{case_id}/decide", headers=clerk, json={"outcome": "approved", "reason": "符合"})
    assert decided.status_code == 200, decided.text

    def ready_message() -> list[dict[str, Any]]:  # the result waits at the hall, the code in the message center
        inbox = api.get("/v1/me/messages", headers=citizen, params={"limit": "50"}).json()["items"]
        return [m for m in inbox if m["title"] == "结果待大厅自取" and case_id in (m["link"] or "")]

    [ready] = _until(ready_message, 90)
    code = ready["body"].split("取件码 ")[1][:6]
    [shipment] = api.get(f"/v1/cases/{case_id}/shipments", headers=citizen).json()["items"]
    handed = api.post(
        f"/v1/shipments/{shipment['shipment_id']}/hall-pickup",
        headers=clerk,
        json={"pickup_code": code, "id_number": CITIZEN_A.person.id_number},
    )
    assert handed.status_code == 200, handed.text
    _until(lambda: state_is("completed"), 90)  # the delivery completes the case (case_progress_worker)
    case = api.get(f"/v1/cases/{case_id}", headers=citizen).json()
    assert [e["client"] for e in case["timeline"] if e["action"] in ("create", "submit")] == ["hall", "app"]
