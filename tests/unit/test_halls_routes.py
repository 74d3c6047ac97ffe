"""Halls over HTTP (issue 17): the public map data with today's waiting counts and
no personal data, operator management, booking and cancelling through the
routes, queue numbers (appointments first within their slot, a window calls
only what it serves, two windows never get the same number, waiting time
measured in counters), the clerk's access, and the evening sweep (no-shows,
reminders that reach the message center)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from infra.template import ROOT
from shared.halls.rules import CHINA
from shared.notifications.consumers import messages_for
from shared.platform import aws
from shared.platform.clock import frozen_at
from shared.platform.events import Envelope
from tests.support.api import call, invoke
from tests.support.apigw import FakeContext, as_role
from tests.support.handlers import load_function
from tests.unit.halls_fixtures import (
    CENTER,
    CENTER_CLERK,
    CITIZEN_A,
    CITIZEN_B,
    OPERATOR,
    SUBJECT_A,
    SUZHOU_CLERK,
    TOWNSHIP,
    halls_cloud,
    halls_outbox,
)

FRIDAY = dt.date(2026, 10, 9)  # a working day after the National Day holiday


def at(hour: int, minute: int = 0, day: dt.date = FRIDAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)


@pytest.fixture(autouse=True)
def cloud() -> Iterator[None]:
    with halls_cloud(), frozen_at(at(8)):
        yield


def book(who: dict[str, str], hour: int, minute: int = 0, group: str = "general") -> str:
    reply = call(
        "POST",
        f"/v1/halls/{CENTER}/appointments",
        who,
        body={"group": group, "starts_at": at(hour, minute).isoformat()},
    )
    assert reply.status == 201, reply.body
    return str(reply.body["booking_id"])


def general_item() -> str:
    hall = call("GET", f"/v1/halls/{CENTER}").body
    return str(next(w for w in hall["windows"] if w["group"] == "general")["item_codes"][0])


def test_public_halls_near_a_point_with_windows_items_and_no_personal_data() -> None:
    book(CITIZEN_A, 9, 30)
    reply = call("GET", "/v1/halls", query={"region": "320102", "lat": "32.04", "lon": "118.86", "radius_km": "10"})
    assert reply.status == 200
    names = [h["name"] for h in reply.body["items"]]
    assert names == ["孝陵卫街道便民服务中心", "玄武区政务服务中心（延时服务区）", "玄武区政务服务中心"]
    near = call("GET", "/v1/halls", query={"region": "320102", "lat": "32.04", "lon": "118.86", "radius_km": "2"})
    assert [h["name"] for h in near.body["items"]] == ["孝陵卫街道便民服务中心"]
    assert reply.body["items"][0]["distance_km"] < reply.body["items"][1]["distance_km"]
    center = invoke(json.loads((ROOT / "events" / "halls_api" / "hall.json").read_text("utf-8"))).body
    assert {w["window_id"]: w["group"] for w in center["windows"]} == {
        "A01": "general",
        "A02": "general",
        "B01": "business",
    }
    assert center["windows"][0]["item_codes"]
    assert (center["waiting"], center["average_wait_minutes"]) == (0, None)
    assert SUBJECT_A not in json.dumps(reply.body) + json.dumps(center)
    assert call("GET", "/v1/halls/320102-nowhere").code == "halls.hall_not_found"


def test_operators_keep_halls_and_a_moved_hall_leaves_its_old_county() -> None:
    hall = call("GET", f"/v1/halls/{TOWNSHIP}").body
    body = {k: v for k, v in hall.items() if k not in {"hall_id", "waiting", "average_wait_minutes", "distance_km"}}
    assert call("PUT", f"/v1/halls/{TOWNSHIP}", CENTER_CLERK, body=body).status == 403
    moved = call("PUT", f"/v1/halls/{TOWNSHIP}", OPERATOR, body=body | {"region_code": "320115001", "slot_capacity": 8})
    assert (moved.status, moved.body["slot_capacity"]) == (200, 8)
    assert [h["hall_id"] for h in call("GET", "/v1/halls", query={"region": "320102"}).body["items"]] == [
        CENTER,
        "320102-extended",
    ]
    assert [h["hall_id"] for h in call("GET", "/v1/halls", query={"region": "320115"}).body["items"]] == [TOWNSHIP]
    bad = call("PUT", f"/v1/halls/{TOWNSHIP}", OPERATOR, body=body | {"opening": []})
    assert bad.status == 422
    # hours with an offset, or closing before opening, are refused, so taking a number never compares them
    for period in ({"opens": "08:30:00+08:00", "closes": "12:00:00"}, {"opens": "17:00:00", "closes": "09:00:00"}):
        assert call("PUT", f"/v1/halls/{TOWNSHIP}", OPERATOR, body=body | {"opening": [period]}).status == 422


def test_booking_listing_and_cancelling_through_the_routes() -> None:
    booking_id = book(CITIZEN_A, 10)
    mine = call("GET", "/v1/me/appointments", CITIZEN_A).body["items"]
    assert [b["booking_id"] for b in mine] == [booking_id]
    assert call("GET", "/v1/me/appointments", CITIZEN_B).body["items"] == []
    assert call("GET", f"/v1/appointments/{booking_id}", CITIZEN_B).code == "halls.booking_not_found"
    assert call("POST", f"/v1/appointments/{booking_id}/cancel", CITIZEN_B).status == 404
    cancelled = call("POST", f"/v1/appointments/{booking_id}/cancel", CITIZEN_A)
    assert (cancelled.status, cancelled.body["state"]) == (200, "cancelled")
    assert call("POST", f"/v1/appointments/{booking_id}/cancel", CITIZEN_A).code == "halls.booking_not_active"
    assert call("GET", "/v1/me/appointments", CITIZEN_A).body["items"] == []
    sunday = call(
        "POST",
        f"/v1/halls/{CENTER}/appointments",
        CITIZEN_A,
        body={"group": "general", "starts_at": at(10, day=dt.date(2026, 10, 11)).isoformat()},
    )
    assert (sunday.status, sunday.code) == (422, "halls.slot_not_open")
    assert sorted(e["type"] for e in halls_outbox()) == ["appointment.booked", "appointment.cancelled"]


def test_appointments_go_first_within_their_slot_and_windows_call_only_what_they_serve() -> None:
    booking_id = book(CITIZEN_A, 9, 30)
    item = general_item()
    with frozen_at(at(9, 5)):
        walk_in = call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_B, body={"group": "general", "item_code": item})
        assert (walk_in.status, walk_in.body["number"]) == (201, "G001")
        business = call("POST", f"/v1/halls/{CENTER}/tickets", CENTER_CLERK, body={"group": "business"})
        assert business.body["subject_id"] is None  # a walk-in at the reception
    with frozen_at(at(9, 35)):
        late_walk_in = call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_B, body={"group": "general"})
        arrived = call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body={"booking_id": booking_id})
        assert arrived.status == 201
        assert (
            call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body={"booking_id": booking_id}).code
            == "halls.booking_not_active"
        )
        assert call("GET", f"/v1/halls/{CENTER}").body["waiting"] == 4
    with frozen_at(at(9, 40)):
        first = call("POST", f"/v1/halls/{CENTER}/windows/A01/call-next", CENTER_CLERK).body
        # the 9:00 walk-in's half hour came first; then the 9:30 appointment before the 9:30 walk-in
        assert first["ticket"]["number"] == walk_in.body["number"]
        assert first["ticket"]["waited_seconds"] == 35 * 60
        second = call("POST", f"/v1/halls/{CENTER}/windows/A02/call-next", CENTER_CLERK).body["ticket"]
        assert (second["number"], second["booking_id"]) == (arrived.body["number"], booking_id)
        third = call("POST", f"/v1/halls/{CENTER}/windows/A01/call-next", CENTER_CLERK).body
        assert third["ticket"]["number"] == late_walk_in.body["number"]
        assert call("POST", f"/v1/halls/{CENTER}/windows/A01/call-next", CENTER_CLERK).body == {
            "ticket": None,
            "waiting": 1,
        }
        assert (
            call("POST", f"/v1/halls/{CENTER}/windows/B01/call-next", CENTER_CLERK).body["ticket"]["group"]
            == "business"
        )
    hall = call("GET", f"/v1/halls/{CENTER}").body
    assert hall["waiting"] == 0
    assert hall["average_wait_minutes"] == pytest.approx((35 + 5 + 5 + 35) / 4, abs=0.1)
    assert call("GET", f"/v1/appointments/{booking_id}", CITIZEN_A).body["state"] == "arrived"
    called = halls_outbox("queue_number.called")
    assert sorted(e["data"]["window_id"] for e in called) == ["A01", "A01", "A02", "B01"]


def test_a_window_with_items_skips_numbers_for_other_items() -> None:
    with frozen_at(at(9, 5)):
        call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body={"group": "general", "item_code": general_item()})
    hall = call("GET", f"/v1/halls/{CENTER}").body
    body = {k: v for k, v in hall.items() if k not in {"hall_id", "waiting", "average_wait_minutes", "distance_km"}}
    body["windows"][1]["item_codes"] = body["windows"][0]["item_codes"][1:]  # A02 no longer serves that item
    call("PUT", f"/v1/halls/{CENTER}", OPERATOR, body=body)
    with frozen_at(at(9, 10)):
        assert call("POST", f"/v1/halls/{CENTER}/windows/A02/call-next", CENTER_CLERK).body["ticket"] is None
        assert (
            call("POST", f"/v1/halls/{CENTER}/windows/A01/call-next", CENTER_CLERK).body["ticket"]["number"] == "G001"
        )


def test_only_the_halls_own_clerks_call_numbers_and_record_no_shows() -> None:
    booking_id = book(CITIZEN_A, 9)
    with frozen_at(at(9, 5)):
        for who in (SUZHOU_CLERK,):
            assert call("POST", f"/v1/halls/{CENTER}/windows/A01/call-next", who).code == "halls.not_this_halls_clerk"
        assert call("POST", f"/v1/halls/{CENTER}/windows/A01/call-next", CITIZEN_A).status == 403
        assert call("POST", f"/v1/halls/{CENTER}/windows/Z9/call-next", CENTER_CLERK).code == "halls.window_not_found"
        assert call("POST", f"/v1/halls/{CENTER}/tickets", SUZHOU_CLERK, body={"group": "general"}).status == 403
        assert call("POST", f"/v1/appointments/{booking_id}/no-show", CENTER_CLERK).code == "halls.slot_not_over"
    with frozen_at(at(9, 31)):
        assert call("POST", f"/v1/appointments/{booking_id}/no-show", SUZHOU_CLERK).status == 403
        recorded = call("POST", f"/v1/appointments/{booking_id}/no-show", CENTER_CLERK)
        assert (recorded.status, recorded.body["state"]) == (200, "no_show")


def test_numbers_only_while_open_and_a_booking_only_on_its_day() -> None:
    with frozen_at(at(12, 30)):  # lunch break
        assert (
            call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body={"group": "general"}).code
            == "halls.hall_closed"
        )
    tomorrow = call(
        "POST",
        f"/v1/halls/{CENTER}/appointments",
        CITIZEN_A,
        body={"group": "general", "starts_at": at(10, day=dt.date(2026, 10, 10)).isoformat()},
    ).body["booking_id"]
    with frozen_at(at(9, 5)):
        assert (
            call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body={"booking_id": tomorrow}).code
            == "halls.booking_not_today"
        )
        assert call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_B, body={"booking_id": tomorrow}).status == 404
        assert (
            call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body={"group": "passports"}).code
            == "halls.item_not_served"
        )


def test_who_takes_numbers_no_one_anonymously_and_the_kiosk_is_the_halls_client() -> None:
    with frozen_at(at(9, 5)):
        walk_in = {"group": "general"}
        # nobody without a token (a script could fill the queue); roles that take no numbers: 403
        assert call("POST", f"/v1/halls/{CENTER}/tickets", None, body=walk_in).status == 401
        supervisor = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5XG7", region_code="3201")
        assert call("POST", f"/v1/halls/{CENTER}/tickets", supervisor, body=walk_in).code == "forbidden"
        # the hall's kiosk runs as a reception clerk and says so: the number is nobody's, its event names the hall
        kiosk = call("POST", f"/v1/halls/{CENTER}/tickets", CENTER_CLERK, body=walk_in, headers={"X-Client-Id": "hall"})
        assert kiosk.status == 201, kiosk.body
        assert kiosk.body["subject_id"] is None
        # a person's own number from the app
        own = call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body=walk_in, headers={"X-Client-Id": "app"})
        assert own.status == 201
    taken = {e["data"]["ticket_id"]: e["client"] for e in halls_outbox("queue_number.taken")}
    assert taken == {kiosk.body["ticket_id"]: "hall", own.body["ticket_id"]: "app"}


def test_the_evening_sweep_records_no_shows_and_reminds_tomorrows_bookings_once() -> None:
    came = book(CITIZEN_A, 9)
    missed = book(CITIZEN_B, 9)
    saturday = dt.date(2026, 10, 10)  # 调休上班
    tomorrow = call(
        "POST",
        f"/v1/halls/{CENTER}/appointments",
        CITIZEN_A,
        body={"group": "general", "starts_at": at(10, day=saturday).isoformat()},
    ).body["booking_id"]
    with frozen_at(at(9, 10)):
        call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body={"booking_id": came})
    sweep = load_function("halls_sweep")
    with frozen_at(at(19)):
        sample = json.loads((ROOT / "events" / "halls_sweep" / "daily.json").read_text("utf-8"))
        assert sweep.handler(sample, FakeContext()) == {"no_shows": 1, "reminders": 1}
        assert sweep.handler(sample, FakeContext()) == {"no_shows": 0, "reminders": 0}  # a re-run adds nothing
    assert call("GET", f"/v1/appointments/{missed}", CITIZEN_B).body["state"] == "no_show"
    assert call("GET", f"/v1/appointments/{came}", CITIZEN_A).body["state"] == "arrived"
    reminder = halls_outbox("appointment.reminder_due")
    assert [e["subject"] for e in reminder] == [tomorrow]
    ((subject, message),) = messages_for(Envelope.model_validate(reminder[0]))
    assert subject == SUBJECT_A
    assert "10月10日 10:00" in message.body
    assert "玄武区政务服务中心" in message.body
    ((_, notice),) = messages_for(Envelope.model_validate(halls_outbox("appointment.no_show")[0]))
    assert "爽约" in notice.body


def test_aws_calls_per_booking_number_and_call() -> None:
    with aws.count_calls() as booking_calls:
        booking_id = book(CITIZEN_A, 9, 30)
    with frozen_at(at(9, 35)), aws.count_calls() as take_calls:
        call("POST", f"/v1/halls/{CENTER}/tickets", CITIZEN_A, body={"booking_id": booking_id})
    with frozen_at(at(9, 40)), aws.count_calls() as call_calls:
        call("POST", f"/v1/halls/{CENTER}/windows/A01/call-next", CENTER_CLERK)
    # docs/performance.md (halls): the working-day calendar is read once per warm function and is not counted here
    assert {k: v for k, v in booking_calls.items() if k != "dynamodb.BatchGetItem"} == {
        "dynamodb.GetItem": 1,
        "dynamodb.TransactWriteItems": 1,
    }
    assert take_calls == {"dynamodb.GetItem": 2, "dynamodb.UpdateItem": 1, "dynamodb.TransactWriteItems": 1}
    assert call_calls == {"dynamodb.GetItem": 2, "dynamodb.Query": 1, "dynamodb.TransactWriteItems": 1}
