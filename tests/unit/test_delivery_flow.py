"""Result delivery end to end, in process (C12, 快递送): `case.delivery_due` → a
shipment → the booking on the partner-outbound queue → the courier's answer and
status events → delivered → `shipment.delivered` → the case is completed (办结)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local import metering
from infra.seed.delivery import DEMO_CASE_ID, DEMO_SHIPMENT_ID, load_shipment
from infra.template import ROOT
from shared.delivery.api import delivery_service
from shared.delivery.models import ShipmentKind, TrackingEntry, TrackingSource
from shared.delivery.partner import STATUS_CODES
from shared.delivery.repository import DeliveryRepository, shipment_record
from shared.halls.models import Hall, HallLevel, OpeningPeriod, Window
from shared.halls.repository import HallsRepository
from shared.notifications.consumers import messages_for
from shared.platform.clock import frozen_at
from shared.platform.dynamo import to_item, unpacked_body
from shared.platform.events import Envelope
from shared.workdays.api import deadline
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.support.template_tables import stored_text
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    CITIZEN_B,
    NANJING_POLICE,
    NO_CRIMINAL_RECORD_NANJING,
    PERSON_A,
    PLATFORM_OPERATOR,
    SUBJECT_A,
    SUZHOU_CIVIL,
    XUANWU_CIVIL,
    attach,
    principal,
    run_pre_review,
    submit,
)
from tests.unit.delivery_fixtures import (
    COURIER,
    DELIVERY_TABLE,
    INBOUND_DLQ,
    JIANGNING_MARKET,
    JIANGNING_POLICE,
    OUTBOUND,
    SOLE_TRADER_CODE,
    awaiting_delivery_case,
    booked_shipment,
    delivery_cloud,
    delivery_due,
    delivery_outbox,
    feed_booking,
    feed_courier,
    feed_progress,
    queue_messages,
    submitted_case,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with delivery_cloud():
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


def accepted(order_no: str, mail_no: str) -> dict[str, Any]:
    return {
        "msg_type": "ORDER_RESULT",
        "order_no": order_no,
        "result": "ACCEPTED",
        "mail_no": mail_no,
        "op_time": "2026-09-21 10:05:00",
    }


def route(mail_no: str, op_code: str, op_time: str, **extra: str) -> dict[str, Any]:
    return {"msg_type": "ROUTE", "mail_no": mail_no, "op_code": op_code, "op_time": op_time, **extra}


def journey(mail_no: str) -> list[dict[str, Any]]:
    return [
        route(mail_no, "10", "2026-09-21 11:00:00", op_name="已收寄", city="南京市", site="江宁区政务服务中心"),
        route(mail_no, "20", "2026-09-21 15:00:00", op_name="离开南京处理中心", city="南京市"),
        route(mail_no, "30", "2026-09-22 08:30:00", op_name="安排投递", city="南京市", site="天元中路营业部"),
        route(
            mail_no, "40", "2026-09-22 10:12:00", op_name="已妥投", signer="张伟", pod_url="https://pod.example/1.jpg"
        ),
    ]


class TestResultDelivery:
    def test_a_delivered_result_completes_the_case(self) -> None:
        # Given a case waiting for its courier delivery
        case_id = awaiting_delivery_case()
        # When the delivery context books the courier
        shipment_id, order = booked_shipment(case_id)
        # Then the partner gets the recipient in clear (only there), our records keep it sealed
        assert order["receiver"]["name"] == "张伟"
        assert order["receiver"]["phone"] == "13800000001"
        assert order["receiver"]["area_code"] == "320115"
        assert order["sender"]["name"] == "南京市江宁区市场监督管理局"
        assert set(order["cargo"]) == {"decision_document", "licence_certificate"}
        table = stored_text(DELIVERY_TABLE)
        assert "13800000001" not in table
        assert "张伟" not in table
        # When the courier accepts and the parcel travels (one duplicate, out of order)
        events = journey("1190000000017")
        batch = [accepted(shipment_id, "1190000000017"), events[2], events[0], events[3], events[1], events[3]]
        assert feed_courier(batch[:1]) == {"batchItemFailures": []}
        assert feed_courier(batch[1:]) == {"batchItemFailures": []}
        # Then the applicant sees the tracking history, the proof and the state
        reply = call("GET", f"/v1/cases/{case_id}/shipments", CITIZEN_A)
        status, body = reply.status, reply.body
        assert status == 200, body
        [shipment] = body["items"]
        assert shipment["state"] == "delivered"
        assert shipment["waybill"] == "1190000000017"
        assert shipment["destination"]["label"] == "张* 138****0001"
        assert shipment["proof"]["signer"] == "张*"
        # (D-336) stored packed, its sealed recipient on the case marker: under 1 KB, one write unit a fact
        client = boto3.client("dynamodb")
        item = client.get_item(TableName=DELIVERY_TABLE, Key={"pk": {"S": f"SHIP#{shipment_id}"}, "sk": {"S": "SHIP"}})
        assert "recipient_sealed" not in item["Item"]
        assert metering.item_size(item["Item"]) <= 1024
        marker_key = {"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": f"KIND#{ShipmentKind.RESULT_DELIVERY.value}"}}
        assert client.get_item(TableName=DELIVERY_TABLE, Key=marker_key)["Item"]["recipient_sealed"]["S"]
        assert [entry["state"] for entry in shipment["tracking"]] == [
            "requested",
            "accepted",
            "picked_up",
            "in_transit",
            "out_for_delivery",
            "delivered",
        ]
        # And every time is in one offset (the courier reports Beijing time, the platform UTC)
        times = re.findall(r'"(\d{4}-\d\d-\d\dT[^"]+)"', json.dumps(shipment))
        assert len(times) > 6
        assert all(t.endswith("Z") for t in times), times
        # And `shipment.delivered` moves the case to 办结
        delivered = [e for e in delivery_outbox("shipment.delivered") if e["data"]["case_id"] == case_id]
        assert len(delivered) == 1
        assert delivered[0]["data"]["shipment_id"] == shipment_id
        assert feed_progress(delivered) == {"batchItemFailures": []}
        case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert case["state"] == "completed"

    def test_a_shipment_stored_whole_before_d336_is_read_and_booked(self) -> None:
        case_id = awaiting_delivery_case()
        assert feed_booking([delivery_due(case_id)]) == {"batchItemFailures": []}
        [requested] = [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == case_id]
        repository = DeliveryRepository()
        shipment_id = requested["data"]["shipment_id"]
        client = boto3.client("dynamodb")
        marker_key = {"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": f"KIND#{ShipmentKind.RESULT_DELIVERY.value}"}}
        sealed = client.get_item(TableName=DELIVERY_TABLE, Key=marker_key)["Item"]["recipient_sealed"]["S"]
        shipment = repository.get(shipment_id)
        assert shipment is not None
        # as the items were written before: the shipment whole, with its sealed recipient; the marker without
        whole = {**shipment.model_dump(mode="json"), "recipient_sealed": sealed, "pk": f"SHIP#{shipment_id}"}
        old = {k: v for k, v in unpacked_body(shipment_record(shipment)).items() if k != "recipient_sealed"}
        client.put_item(TableName=DELIVERY_TABLE, Item=to_item({**old, **whole}))
        client.update_item(TableName=DELIVERY_TABLE, Key=marker_key, UpdateExpression="REMOVE recipient_sealed")
        assert feed_booking([requested]) == {"batchItemFailures": []}
        orders = [json.loads(m["Body"]) for m in queue_messages(OUTBOUND)]
        order = next(o for o in orders if o["order_no"] == shipment_id)
        assert order["receiver"]["phone"] == "13800000001"

    def test_a_worker_stopped_between_state_and_history_is_repaired_by_the_redelivery(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # an event that publishes nothing (in transit) moves the shipment, then writes its entry (D-322)
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        # a waybill no other test of this module uses: a status event finds its shipment by the waybill
        assert feed_courier([accepted(shipment_id, "1190000000116")]) == {"batchItemFailures": []}
        picked_up = journey("1190000000116")[0]

        def stopped(self: DeliveryRepository, item: dict[str, Any]) -> bool:
            raise ConnectionError("the worker stopped after the shipment's write")

        with monkeypatch.context() as patch:
            patch.setattr(DeliveryRepository, "put_new", stopped)
            assert feed_courier([picked_up]) != {"batchItemFailures": []}  # SQS will deliver it again
        seen = call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).body
        assert seen["state"] == "picked_up"
        assert [entry["state"] for entry in seen["tracking"]] == ["requested", "accepted"]
        # the redelivery no longer moves the shipment and writes the missing entry, once
        assert feed_courier([picked_up, picked_up]) == {"batchItemFailures": []}
        seen = call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).body
        assert seen["state"] == "picked_up"
        assert [entry["state"] for entry in seen["tracking"]] == ["requested", "accepted", "picked_up"]

    def test_an_event_that_overtook_the_acceptance_finds_its_shipment_by_order_number(self) -> None:
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        queue_messages(INBOUND_DLQ)
        early = route("1190000000079", "10", "2026-09-21 11:00:00", order_no=shipment_id)
        assert feed_courier([early]) == {"batchItemFailures": []}
        assert feed_courier([accepted(shipment_id, "1190000000079")]) == {"batchItemFailures": []}
        shipment = call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).body
        assert (shipment["state"], shipment["waybill"]) == ("picked_up", "1190000000079")
        told = [e for e in delivery_outbox("shipment.accepted") if e["data"]["shipment_id"] == shipment_id]
        assert len(told) == 1  # the applicant learns the waybill once, whichever came first
        assert told[0]["data"]["waybill"] == "1190000000079"
        other = route("1190000000086", "20", "2026-09-21 12:00:00", order_no=shipment_id)
        feed_courier([other])  # another waybill for the same order: parked, not applied
        [parked] = queue_messages(INBOUND_DLQ, attributes=True)
        assert "has waybill 1190000000079" in parked["MessageAttributes"]["failure_reason"]["StringValue"]

    def test_a_courier_clock_behind_ours_still_moves_the_booking_on(self) -> None:
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        early = accepted(shipment_id, "1190000000109") | {"op_time": "2026-09-21 09:59:00"}  # 1 min before booking
        assert feed_courier([early]) == {"batchItemFailures": []}
        assert call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).body["state"] == "accepted"

    def test_a_redelivered_delivery_due_creates_no_second_shipment(self) -> None:
        case_id = awaiting_delivery_case()
        due = delivery_due(case_id)
        assert feed_booking([due]) == {"batchItemFailures": []}
        assert feed_booking([due, due]) == {"batchItemFailures": []}
        reply = call("GET", f"/v1/cases/{case_id}/shipments", CITIZEN_A)
        status, body = reply.status, reply.body
        assert status == 200
        assert len(body["items"]) == 1
        requested = [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == case_id]
        assert len(requested) == 1

    def test_booking_is_not_sent_again_once_the_courier_answered(self) -> None:
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        feed_courier([accepted(shipment_id, "1190000000024")])
        requested = [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == case_id]
        assert feed_booking(requested) == {"batchItemFailures": []}
        assert queue_messages("courier-outbound-test") == []

    def test_an_address_outside_the_known_divisions_is_parked_with_its_reason(self) -> None:
        case_id = awaiting_delivery_case(delivery=None)
        due = delivery_due(case_id)
        due["data"]["address_region_code"] = "329999"
        assert feed_booking([due]) == {"batchItemFailures": []}
        [parked] = queue_messages(INBOUND_DLQ, attributes=True)
        reason = parked["MessageAttributes"]["failure_reason"]["StringValue"]
        assert "address region 329999" in reason


JIANGNING_TAX = {"department_id": "320115-tax", "region_code": "320115"}
JIANGNING_TAX_STAFF = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM3", **JIANGNING_TAX)


class TestAccess:
    def test_applicants_see_only_their_own_case_shipments(self) -> None:
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        assert call("GET", f"/v1/cases/{case_id}/shipments", CITIZEN_B).status == 404
        assert call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_B).status == 404
        assert call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).status == 200
        assert call("GET", f"/v1/shipments/{shipment_id}", JIANGNING_MARKET).status == 200
        # outside the department the shipment reads as missing (no existence oracle)
        assert call("GET", f"/v1/shipments/{shipment_id}", JIANGNING_POLICE).status == 404
        assert call("GET", f"/v1/shipments/{shipment_id}", XUANWU_CIVIL).status == 404
        assert call("GET", f"/v1/shipments/{shipment_id}", PLATFORM_OPERATOR).status == 404

    def test_a_case_shipment_of_another_department_leaves_the_rest_of_the_list_readable(self) -> None:
        # Given a case whose result shipment is the market department's, and a second shipment of
        # the same case handled by the tax department (materials picked up for it)
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        repository = delivery_service().repository
        result = repository.get(shipment_id)
        assert result is not None
        other = result.model_copy(
            update={
                "shipment_id": "01JDQ90F3W7C8M2T6R4K9N5XP0",
                "kind": ShipmentKind.MATERIAL_PICKUP,
                "department_id": JIANGNING_TAX["department_id"],
            }
        )
        first = TrackingEntry(
            at=other.created_at,
            state=other.state,
            source=TrackingSource.PLATFORM,
            received_at=other.created_at,
            fingerprint=f"REQUESTED-{other.shipment_id}",
        )
        repository.create(other, first, [])

        def listed(who: dict[str, str]) -> tuple[int, list[str]]:
            reply = call("GET", f"/v1/cases/{case_id}/shipments", who)
            return reply.status, [s["shipment_id"] for s in reply.body.get("items", [])]

        # Then each department lists its own shipment of the case, not the other's, and not a 404
        assert listed(JIANGNING_MARKET) == (200, [shipment_id])
        assert listed(JIANGNING_TAX_STAFF) == (200, [other.shipment_id])
        # the applicant reads both; staff of neither department and another applicant read none
        assert sorted(listed(CITIZEN_A)[1]) == sorted([shipment_id, other.shipment_id])
        assert listed(XUANWU_CIVIL)[0] == 404
        assert listed(CITIZEN_B)[0] == 404

    def test_staff_list_their_department_shipments_and_record_a_counter_handover(self) -> None:
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        reply = call("GET", "/v1/shipments", JIANGNING_MARKET, query={"state": "requested"})
        status, page = reply.status, reply.body
        assert status == 200
        assert shipment_id in [s["shipment_id"] for s in page["items"]]
        assert call("GET", "/v1/shipments", JIANGNING_POLICE).body["items"] == []
        assert call("GET", "/v1/shipments", CITIZEN_A).status == 403
        reply = call("POST", f"/v1/shipments/{shipment_id}/handover", JIANGNING_MARKET, body={"note": "窗口"})
        status, handed = reply.status, reply.body
        assert status == 200, handed
        assert handed["state"] == "picked_up"
        assert handed["tracking"][-1]["source"] == "counter"
        # again: nothing changes
        reply = call("POST", f"/v1/shipments/{shipment_id}/handover", JIANGNING_MARKET)
        status, again = reply.status, reply.body
        assert status == 200
        assert len(again["tracking"]) == len(handed["tracking"])
        assert call("POST", f"/v1/shipments/{shipment_id}/handover", JIANGNING_POLICE).status == 404
        # the courier's acceptance arrives after the handover: the waybill is still recorded
        assert feed_courier([accepted(shipment_id, "1190000000031")]) == {"batchItemFailures": []}
        feed_courier([route("1190000000031", "20", "2026-09-21 16:00:00")])
        assert call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).body["state"] == "in_transit"

    def test_a_delivered_shipment_cannot_be_handed_over(self) -> None:
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        feed_courier([accepted(shipment_id, "1190000000048"), *journey("1190000000048")])
        reply = call("POST", f"/v1/shipments/{shipment_id}/handover", JIANGNING_MARKET)
        status, problem = reply.status, reply.body
        assert status == 409
        assert problem["code"] == "delivery.handover_not_allowed"


class TestPoisonEvents:
    def test_unknown_waybill_and_unknown_status_are_parked_and_peers_succeed(self) -> None:
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        queue_messages(INBOUND_DLQ)
        good = accepted(shipment_id, "1190000000055")
        unknown_waybill = route("9999999999999", "20", "2026-09-21 15:00:00")
        unknown_status = route("1190000000055", "99", "2026-09-21 15:00:00")
        result = feed_courier([good, unknown_waybill, unknown_status, "not json"])
        assert result == {"batchItemFailures": []}  # parked at once, not retried
        parked = queue_messages(INBOUND_DLQ, attributes=True)
        reasons = sorted(m["MessageAttributes"]["failure_reason"]["StringValue"] for m in parked)
        assert len(reasons) == 3
        assert any("unknown waybill 9999999999999" in r for r in reasons)
        assert any("unknown status op_code '99'" in r for r in reasons)
        assert any("not JSON" in r for r in reasons)
        assert call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).body["state"] == "accepted"

    def test_operators_read_the_dlq_with_reasons_without_taking_messages(self) -> None:
        queue_messages(INBOUND_DLQ)
        feed_courier([route("9999999999998", "20", "2026-09-21 15:00:00", signer="李娜")])
        reply = call("GET", "/v1/operations/courier-dlq", PLATFORM_OPERATOR)
        status, body = reply.status, reply.body
        assert status == 200, body
        assert body["queue"] == "CourierInboundDLQ"
        assert "make redrive QUEUE=CourierInboundQueue" in body["redrive"]
        [letter] = body["items"]
        assert "unknown waybill 9999999999998" in letter["failure_reason"]
        assert "李娜" not in letter["body"]
        assert call("GET", "/v1/operations/courier-dlq", PLATFORM_OPERATOR).body["items"]  # still there
        assert call("GET", "/v1/operations/courier-dlq", JIANGNING_MARKET).status == 403

    def test_redrive_after_fixing_the_mapping_applies_the_event_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        case_id = awaiting_delivery_case()
        shipment_id, _ = booked_shipment(case_id)
        queue_messages(INBOUND_DLQ)
        feed_courier([accepted(shipment_id, "1190000000062")])
        new_code = route("1190000000062", "25", "2026-09-21 18:00:00", op_name="到达投递站")
        feed_courier([new_code])
        parked = queue_messages(INBOUND_DLQ)
        assert len(parked) == 1
        # the partner's new code 25 is mapped (the fix), then the DLQ is redriven — twice over
        monkeypatch.setitem(STATUS_CODES, "25", STATUS_CODES["20"])
        bodies = [m["Body"] for m in parked]
        assert feed_courier(bodies, receive_count=2) == {"batchItemFailures": []}
        assert feed_courier(bodies, receive_count=3) == {"batchItemFailures": []}
        shipment = call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).body
        assert shipment["state"] == "in_transit"
        assert [e["description"] for e in shipment["tracking"]].count("到达投递站") == 1
        assert queue_messages(INBOUND_DLQ) == []


PICKUP = {
    "address": "南京市江宁区天元中路 1 号 3 栋",
    "region_code": "320115",
    "contact_name": "张伟",
    "contact_phone": "13800000001",
}


class TestMaterialPickup:
    def test_a_pickup_is_booked_tracked_and_never_completes_the_case(self) -> None:
        # Given a submitted case whose department wants the paper originals
        case_id = submitted_case()
        # When the applicant books a pickup
        reply = call("POST", f"/v1/cases/{case_id}/material-pickups", CITIZEN_A, body=PICKUP)
        status, booked = reply.status, reply.body
        assert status == 201, booked
        assert booked["kind"] == "material_pickup"
        assert booked["origin"]["label"] == "张* 138****0001"
        assert booked["destination"]["label"] == "南京市江宁区市场监督管理局"
        assert booked["contents"] == ["application_materials"]
        # Then the courier gets a pickup order: from the applicant (in clear, only there) to the department
        requested = [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == case_id]
        assert feed_booking(requested) == {"batchItemFailures": []}
        [order] = [json.loads(m["Body"]) for m in queue_messages("courier-outbound-test")]
        assert order["biz_type"] == "GOV_MATERIAL_PICKUP"
        assert (order["sender"]["name"], order["sender"]["phone"]) == ("张伟", "13800000001")
        assert order["receiver"]["name"] == "南京市江宁区市场监督管理局"
        # And its delivery is `shipment.materials_received`, never `shipment.delivered`
        mail = "1190000000093"
        feed_courier([accepted(booked["shipment_id"], mail), *journey(mail)])
        assert call("GET", f"/v1/shipments/{booked['shipment_id']}", CITIZEN_A).body["state"] == "delivered"
        received = [e for e in delivery_outbox("shipment.materials_received") if e["data"]["case_id"] == case_id]
        assert len(received) == 1
        assert not [e for e in delivery_outbox("shipment.delivered") if e["data"]["case_id"] == case_id]

    def test_one_pickup_per_case_and_idempotency_keys(self) -> None:
        case_id = submitted_case()
        key = {"Idempotency-Key": "pickup-1"}
        first = call("POST", f"/v1/cases/{case_id}/material-pickups", CITIZEN_A, body=PICKUP, headers=key)
        again = call("POST", f"/v1/cases/{case_id}/material-pickups", CITIZEN_A, body=PICKUP, headers=key)
        assert first.status == 201
        assert (again.status, again.body) == (first.status, first.body)
        reply = call("POST", f"/v1/cases/{case_id}/material-pickups", CITIZEN_A, body=PICKUP)
        status, problem = reply.status, reply.body
        assert (status, problem["code"]) == (409, "delivery.pickup_exists")

    def test_who_and_when(self) -> None:
        case_id = submitted_case()
        path = f"/v1/cases/{case_id}/material-pickups"
        assert call("POST", path, CITIZEN_B, body=PICKUP).status == 404
        assert call("POST", path, JIANGNING_MARKET, body=PICKUP).status == 403
        reply = call("POST", path, CITIZEN_A, body=PICKUP | {"region_code": "329999"})
        status, problem = reply.status, reply.body
        assert (status, problem["code"]) == (422, "delivery.unknown_region")
        draft = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": SOLE_TRADER_CODE}).body["case_id"]
        reply = call("POST", f"/v1/cases/{draft}/material-pickups", CITIZEN_A, body=PICKUP)
        status, problem = reply.status, reply.body
        assert (status, problem["code"]) == (409, "delivery.pickup_not_allowed")


class TestSamples:
    def test_the_queue_samples_drive_the_workers(self) -> None:
        booking = json.loads((ROOT / "events" / "shipment_booking_worker" / "sqs-delivery-due.json").read_text("utf-8"))
        courier = json.loads((ROOT / "events" / "courier_events" / "sqs-route-delivered.json").read_text("utf-8"))
        queue_messages(INBOUND_DLQ)
        # the sample's case is not in the cases table, but its delivery facts are complete: a shipment
        assert load_function("shipment_booking_worker").handler(booking, FakeContext()) == {"batchItemFailures": []}
        assert queue_messages(INBOUND_DLQ) == []
        assert [
            e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == "01JDQ9A0000000000000000C02"
        ]
        # the sample names a waybill nobody booked: parked with its reason
        assert load_function("courier_events").handler(courier, FakeContext()) == {"batchItemFailures": []}
        # the operator's DLQ sample shows it, its time in the API's one format (UTC, `Z`)
        dlq_sample = json.loads((ROOT / "events" / "delivery_api" / "courier-dlq.json").read_text("utf-8"))
        listed = json.loads(load_function("delivery_api").handler(dlq_sample, FakeContext())["body"])
        [letter] = [d for d in listed["items"] if "unknown waybill 1190000099991" in d["failure_reason"]]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", letter["failed_at"]), letter["failed_at"]
        [parked] = queue_messages(INBOUND_DLQ, attributes=True)
        assert "unknown waybill 1190000099991" in parked["MessageAttributes"]["failure_reason"]["StringValue"]

    def test_the_handover_sample_hands_over_the_seeded_shipment(self) -> None:
        """`make run` seeds the shipment the sample names (infra/seed/delivery.py) through the
        booking worker's own path; the sample then acts on it as it is."""
        first = load_shipment(delivery_service())
        assert load_shipment(delivery_service()) == {"demo_shipments_created": 0, "demo_shipments_existing": 1}
        assert first["demo_shipments_created"] + first["demo_shipments_existing"] == 1
        shipment_id = DEMO_SHIPMENT_ID
        [requested] = [e for e in delivery_outbox("shipment.requested") if e["data"]["shipment_id"] == shipment_id]
        assert requested["data"]["case_id"] == DEMO_CASE_ID
        event = json.loads((ROOT / "events" / "delivery_api" / "shipment-handover.json").read_text("utf-8"))
        assert event["pathParameters"]["shipment_id"] == shipment_id
        answer = load_function("delivery_api").handler(event, FakeContext())
        assert answer["statusCode"] == 200, answer["body"]
        handed = json.loads(answer["body"])
        assert (handed["shipment_id"], handed["state"]) == (shipment_id, "picked_up")
        assert "窗口交寄" in handed["tracking"][-1]["description"]

    @pytest.mark.parametrize(
        ("sample", "status"),
        [
            ("case-shipments", 200),
            ("shipments-department", 200),
            ("courier-dlq", 200),
        ],
    )
    def test_the_api_samples(self, sample: str, status: int) -> None:
        event = json.loads((ROOT / "events" / "delivery_api" / f"{sample}.json").read_text("utf-8"))
        response = load_function("delivery_api").handler(event, FakeContext())
        assert response["statusCode"] == status, response["body"]

    def test_the_pickup_and_shipment_samples_book_and_read_a_real_pickup(self) -> None:
        case_id = submitted_case()

        def sample(name: str) -> str:
            return (ROOT / "events" / "delivery_api" / f"{name}.json").read_text("utf-8")

        booked = load_function("delivery_api").handler(
            json.loads(sample("material-pickup").replace("01JDQ9A0000000000000000C01", case_id)), FakeContext()
        )
        assert booked["statusCode"] == 201, booked["body"]
        shipment = json.loads(booked["body"])
        assert (shipment["kind"], shipment["case_id"]) == ("material_pickup", case_id)
        read = load_function("delivery_api").handler(
            json.loads(sample("shipment-get").replace("01JDQ9A0000000000000000S01", shipment["shipment_id"])),
            FakeContext(),
        )
        assert read["statusCode"] == 200, read["body"]
        assert json.loads(read["body"])["shipment_id"] == shipment["shipment_id"]
        # as written, the sample reads the seeded demo shipment: its applicant's own
        load_shipment(delivery_service())
        seeded = load_function("delivery_api").handler(json.loads(sample("shipment-get")), FakeContext())
        assert seeded["statusCode"] == 200, seeded["body"]
        assert json.loads(seeded["body"])["shipment_id"] == DEMO_SHIPMENT_ID


def save_jiangning_hall() -> None:
    """江宁区政务服务中心, where 江宁区市场监督管理局's staff are clerks (the results wait there)."""
    HallsRepository().save_hall(
        Hall(
            hall_id="320115-center",
            name="江宁区政务服务中心",
            level=HallLevel.county,
            region_code="320115",
            address="南京市江宁区天元中路 1 号",
            latitude=31.953,
            longitude=118.840,
            opening=(OpeningPeriod(opens=dt.time(9), closes=dt.time(17)),),
            windows=(Window(window_id="A01", name="综合受理窗口", group="general"),),
            departments=("320115-market",),
        )
    )


class TestHallPickup:
    """大厅自取 (issue 17, D-219): the result waits at the hall the applicant chose, the
    applicant gets a pickup code, a clerk of that hall hands it over against the code and
    the applicant's ID number, and that delivery completes the case like a courier's."""

    def test_the_result_waits_at_the_hall_and_a_clerk_hands_it_over_against_code_and_id(self) -> None:
        save_jiangning_hall()
        at_hall = {"method": "pickup", "hall_id": "320115-center"}
        refused = call(
            "POST",
            "/v1/cases",
            CITIZEN_A,
            body={"item_code": SOLE_TRADER_CODE, "delivery": COURIER | {"hall_id": "320115-center"}},
        )
        assert refused.status == 422
        assert refused.body["errors"][0]["code"] == "case.hall_only_for_pickup"
        case_id = awaiting_delivery_case(delivery=at_hall)
        assert feed_booking([delivery_due(case_id)]) == {"batchItemFailures": []}
        ready = [e for e in delivery_outbox("shipment.ready_for_pickup") if e["data"]["case_id"] == case_id]
        assert len(ready) == 1
        assert not [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == case_id]  # no courier
        code, shipment_id = ready[0]["data"]["pickup_code"], ready[0]["data"]["shipment_id"]
        ((_, message),) = messages_for(Envelope.model_validate(ready[0]))
        assert code in message.body
        shown = call("GET", f"/v1/shipments/{shipment_id}", CITIZEN_A).body
        assert (shown["state"], shown["pickup_hall_id"]) == ("ready_for_pickup", "320115-center")
        assert code not in json.dumps(shown)
        path = f"/v1/shipments/{shipment_id}/hall-pickup"
        good = {"pickup_code": code, "id_number": "320102198803150213"}  # 张伟's
        assert call("POST", path, JIANGNING_POLICE, body=good).code == "halls.not_this_halls_clerk"
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        assert (
            call("POST", path, JIANGNING_MARKET, body=good | {"pickup_code": wrong}).code
            == "delivery.pickup_code_wrong"
        )
        other_person = good | {"id_number": "320113199506200572"}
        assert call("POST", path, JIANGNING_MARKET, body=other_person).code == "delivery.pickup_id_mismatch"
        handed = call("POST", path, JIANGNING_MARKET, body=good)
        assert (handed.status, handed.body["state"]) == (200, "delivered")
        assert call("POST", path, JIANGNING_MARKET, body=good).code == "delivery.not_a_hall_pickup"
        delivered = [e for e in delivery_outbox("shipment.delivered") if e["data"]["case_id"] == case_id]
        assert feed_progress(delivered) == {"batchItemFailures": []}
        assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["state"] == "completed"

    def test_an_uncollected_result_is_a_limit_that_reminds_the_applicant_and_ends_when_collected(self) -> None:
        save_jiangning_hall()
        case_id = awaiting_delivery_case(delivery={"method": "pickup", "hall_id": "320115-center"})
        assert feed_booking([delivery_due(case_id)]) == {"batchItemFailures": []}
        [ready] = [e for e in delivery_outbox("shipment.ready_for_pickup") if e["data"]["case_id"] == case_id]
        shipment_id = ready["data"]["shipment_id"]
        assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["required_actions"][0]["action"] == "collect"
        # the wait is a limit like any other, in the same transaction: 10 working days (HALL_PICKUP_DAYS),
        # counted on the platform calendar (the National Day holiday does not count)
        [limit] = [e for e in delivery_outbox("limit.set") if e["subject"] == shipment_id]
        assert limit["data"]["limit_id"] == f"delivery:shipment:{shipment_id}:pickup"
        assert limit["data"]["limit_days"] == 10
        assert limit["data"]["due_on"] == deadline(dt.date(2026, 9, 21), 10).date.isoformat() > "2026-10-07"
        assert limit["data"]["handler_subject_id"] == SUBJECT_A  # the applicant is the one who must act
        assert limit["data"]["label"] == ready["data"]["case_number"]  # no personal data
        # supervision's yellow warning on it reaches the applicant as a reminder, the red one as overdue
        warning = {
            "limit_id": limit["data"]["limit_id"],
            "context": "delivery",
            "subject_kind": "shipment",
            "subject_id": shipment_id,
            "name": "pickup",
            "label": limit["data"]["label"],
            "title": limit["data"]["title"],
            "region_code": limit["data"]["region_code"],
            "handler_subject_id": SUBJECT_A,
            "due_on": limit["data"]["due_on"],
            "used_days": 8,
            "limit_days": 10,
            "left_days": 2,
        }
        for level, title in (("yellow", "请尽快到大厅领取办理结果"), ("red", "办理结果待自取已超期")):
            envelope = Envelope(
                type="supervision.warning_raised",
                source="supervision",
                subject=limit["data"]["limit_id"],
                data=warning | {"level": level},
            )
            [(to, message)] = messages_for(envelope)
            assert (to, message.title) == (SUBJECT_A, title)
            assert limit["data"]["due_on"] in message.body
        # handed over: the limit ends with the collection, in the hand-over's transaction
        good = {"pickup_code": ready["data"]["pickup_code"], "id_number": "320102198803150213"}
        assert call("POST", f"/v1/shipments/{shipment_id}/hall-pickup", JIANGNING_MARKET, body=good).status == 200
        [cleared] = [e for e in delivery_outbox("limit.cleared") if e["subject"] == shipment_id]
        assert cleared["data"]["reason"] == "collected"
        assert cleared["data"]["version"] > limit["data"]["version"]


class TestOriginalsForwarding:
    """异地可办 (issue 17, D-275): a Suzhou hall takes in a Nanjing item at its counter, forwards
    the paper originals to the Nanjing department by the courier pickup, that department decides,
    and the case's timeline names both places."""

    def test_a_hall_of_another_city_takes_in_forwards_the_originals_and_the_competent_department_decides(
        self,
    ) -> None:
        HallsRepository().save_hall(
            Hall(
                hall_id="320500-center",
                name="苏州市政务服务中心",
                level=HallLevel.county,
                region_code="320508",
                address="苏州市姑苏区三香路 998 号",
                latitude=31.298,
                longitude=120.585,
                opening=(OpeningPeriod(opens=dt.time(9), closes=dt.time(17)),),
                windows=(
                    Window(
                        window_id="A01",
                        name="异地通办窗口",
                        group="general",
                        item_codes=(NO_CRIMINAL_RECORD_NANJING,),
                    ),
                ),
                departments=("320500-civil",),
            )
        )
        hall = "/v1/halls/320500-center"
        ticket = call("POST", f"{hall}/tickets", CITIZEN_A, body={"group": "general"}).body["ticket_id"]
        assert call("POST", f"{hall}/windows/A01/call-next", SUZHOU_CIVIL).body["ticket"]["ticket_id"] == ticket
        applicant = {"id_number": PERSON_A.id_number, "name": "张伟"}
        body = {"item_code": NO_CRIMINAL_RECORD_NANJING, "applicant": applicant, "ticket_id": ticket}
        reply = call("POST", "/v1/hall/cases", SUZHOU_CIVIL, body=body, headers={"X-Client-Id": "hall"})
        assert reply.status == 201, reply.body
        case_id = reply.body["case_id"]
        # the Nanjing police decide; the Suzhou hall is on the timeline as the accepting hall
        assert (reply.body["department_id"], reply.body["intake_hall"]) == ("320100-police", "苏州市政务服务中心")
        first = reply.body["timeline"][0]
        assert first["reason"].startswith("苏州市政务服务中心 A01 窗口（G001 号）异地受理、转 南京市公安局 办理")
        assert first["client"] == "hall"

        # the hall forwards the originals: only a clerk who may read the case and is of the intake hall
        path = f"/v1/cases/{case_id}/originals-forwarding"
        forward = {"contact_name": "周敏", "contact_phone": "13900000077"}
        assert call("POST", path, CITIZEN_A, body=forward).status == 403
        assert call("POST", path, XUANWU_CIVIL, body=forward).status == 404
        booked = call("POST", path, SUZHOU_CIVIL, body=forward)
        assert booked.status == 201, booked.body
        assert booked.body["kind"] == "material_pickup"
        assert booked.body["contents"] == ["application_originals"]
        assert booked.body["origin"] == {
            "label": "苏州市政务服务中心（周* 139****0077）",
            "address": "苏州市姑苏区三香路 998 号",
            "region_code": "320508",
        }
        assert booked.body["destination"]["label"] == "南京市公安局"
        assert call("POST", path, SUZHOU_CIVIL, body=forward).code == "delivery.pickup_exists"
        # it is the applicant's shipment: they follow the originals on their case
        [mine] = call("GET", f"/v1/cases/{case_id}/shipments", CITIZEN_A).body["items"]
        assert mine["shipment_id"] == booked.body["shipment_id"]
        # the courier is booked from the hall to the department
        requested = [e for e in delivery_outbox("shipment.requested") if e["data"]["case_id"] == case_id]
        queue_messages("courier-outbound-test")
        assert feed_booking(requested) == {"batchItemFailures": []}
        [order] = [json.loads(m["Body"]) for m in queue_messages("courier-outbound-test")]
        assert (order["sender"]["name"], order["sender"]["address"]) == ("周敏", "苏州市姑苏区三香路 998 号")
        assert order["receiver"]["name"] == "南京市公安局"

        # meanwhile the applicant's case goes on; the originals arrive in Nanjing
        assert call("PUT", f"/v1/cases/{case_id}/form", SUZHOU_CIVIL, body={"form": {"purpose": "就业"}}).status == 200
        assert attach(case_id, "id_card", SUZHOU_CIVIL).status == 200
        assert submit(case_id, SUZHOU_CIVIL).status == 200
        run_pre_review(case_id)
        mail = "1190000000094"
        feed_courier([accepted(booked.body["shipment_id"], mail), *journey(mail)])
        received = [e for e in delivery_outbox("shipment.materials_received") if e["data"]["case_id"] == case_id]
        assert feed_progress(received) == {"batchItemFailures": []}
        assert feed_progress(received) == {"batchItemFailures": []}  # redelivered: recorded once

        # the competent department decides; the accepting hall's clerk may not
        assert call("POST", f"/v1/cases/{case_id}/refuse", SUZHOU_CIVIL, body={"reason": "无权"}).status == 403
        assert call("POST", f"/v1/cases/{case_id}/accept", NANJING_POLICE).status == 200
        timeline = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["timeline"]
        arrived = [e for e in timeline if e["action"] == "paper_arrived"]
        assert [e["reason"] for e in arrived] == [
            f"纸质材料已由 苏州市政务服务中心（周* 139****0077） 寄达 南京市公安局（运单 {mail}）"
        ]
        assert timeline[-1]["action"] == "accept"
