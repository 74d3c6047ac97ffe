"""Supervision orders (督办单, issue 15, D-117): a supervisor of the region issues one
on a case with a reason and a reply limit; the responsible department's staff see
it and reply; the supervisor closes it. Unanswered past its limit it goes to the
level above (county → city → province), once per level. Access by level, races
and closed subjects."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shared.notifications.consumers import message_for
from shared.platform import aws
from shared.platform.clock import frozen_at, today_in_shanghai
from shared.platform.errors import AppError
from shared.platform.events import Envelope
from shared.platform.principal import Principal
from shared.supervision.models import CloseOutcome, CloseRequest
from shared.supervision.service import supervision_service
from shared.supervision.warnings import WarningPolicy
from shared.workdays.rules import Calendar
from tests.support.api import call
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    NANJING_SUPERVISOR,
    SUZHOU_SUPERVISOR,
    XUANWU_CIVIL,
    XUANWU_POLICE,
    complete_subsistence_case,
    principal,
    run_pre_review,
    submit,
)
from tests.unit.supervision_fixtures import (
    SUPERVISION_TABLE,
    a_limit,
    relay_limits,
    set_event,
    supervision_cloud,
    supervision_outbox,
    watch,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
START = dt.date(2026, 9, 21)
CAL = Calendar()
XUANWU_SUPERVISOR = principal("supervisor", "01JDQ90F3W7C8M2T6R4K9N5XS1", region_code="320102")
QINHUAI_SUPERVISOR = principal("supervisor", "01JDQ90F3W7C8M2T6R4K9N5XS2", region_code="320104")
PROVINCE_SUPERVISOR = principal("supervisor", "01JDQ90F3W7C8M2T6R4K9N5XS3", region_code="320000")
NANJING_SUPERVISOR_2 = principal("supervisor", "01JDQ90F3W7C8M2T6R4K9N5XS4", region_code="320100")


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with supervision_cloud():
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


def accepted_case() -> str:
    case_id = complete_subsistence_case()
    assert submit(case_id).status == 200
    run_pre_review(case_id)
    assert call("POST", f"/v1/cases/{case_id}/accept", XUANWU_CIVIL).status == 200
    relay_limits(case_id)  # the case's limits reach supervision, as the bus brings them
    return case_id


def issue(case_id: str, who: dict[str, str] = NANJING_SUPERVISOR, days: int = 3) -> Any:
    body = {"subject_kind": "case", "subject_id": case_id, "reason": "超期未办，请说明情况", "reply_days": days}
    return call("POST", "/v1/supervision/orders", who, body=body)


def sweep() -> list[str]:
    """The scheduled sweep, today: the orders it escalated."""
    return supervision_service().sweep(today_in_shanghai(), WarningPolicy.configured(), correlation_id=None).escalated


class TestTheOrdersLife:
    def test_issued_seen_by_the_department_replied_and_closed_on_one_timeline(self) -> None:
        case_id = accepted_case()
        issued = issue(case_id)
        assert issued.status == 201, issued.body
        order = issued.body
        assert (order["state"], order["level"], order["holder_prefix"]) == ("open", "city", "3201")
        assert (order["department_id"], order["region_code"]) == ("320102-civil", "320102")
        assert order["due_on"] == CAL.add_working_days(START, 3).date.isoformat()
        # the department's staff: work queue and message center
        queue = call("GET", "/v1/supervision/department-orders", XUANWU_CIVIL).body["items"]
        assert [o["order_id"] for o in queue] == [order["order_id"]]
        assert call("GET", "/v1/supervision/department-orders", XUANWU_POLICE).body["items"] == []
        [event] = supervision_outbox("supervision.order_issued", order["order_id"])
        owner, message = message_for(Envelope.model_validate(event))
        assert owner == XUANWU_CIVIL["sub"]
        assert "超期未办" in message.body
        # its reply limit runs through the one clock
        reply_limit = supervision_service().repository.get_limit(f"supervision:order:{order['order_id']}:reply")
        assert reply_limit is not None
        assert (reply_limit.state.value, reply_limit.limit_days) == ("running", 3)
        replied = call(
            "POST",
            f"/v1/supervision/orders/{order['order_id']}/reply",
            XUANWU_CIVIL,
            body={"action_taken": "已补齐核查，本周内作出决定", "done_by": "2026-09-25"},
        )
        assert replied.status == 200, replied.body
        assert replied.body["state"] == "replied"
        [answer] = supervision_outbox("supervision.order_replied", order["order_id"])
        assert message_for(Envelope.model_validate(answer))[0] == NANJING_SUPERVISOR["sub"]
        closed = call(
            "POST",
            f"/v1/supervision/orders/{order['order_id']}/close",
            NANJING_SUPERVISOR,
            body={"outcome": "satisfied", "note": "回复属实，同意办结"},
        )
        assert closed.status == 200, closed.body
        assert closed.body["state"] == "closed"
        assert [e["action"] for e in closed.body["timeline"]] == ["issued", "replied", "closed"]
        assert closed.body["timeline_valid"] is True
        again = call(
            "POST",
            f"/v1/supervision/orders/{order['order_id']}/close",
            NANJING_SUPERVISOR,
            body={"outcome": "satisfied", "note": "再次办结"},
        )
        assert (again.status, again.code) == (409, "supervision.order_not_open")
        assert call("GET", "/v1/supervision/department-orders", XUANWU_CIVIL).body["items"] == []
        stored = supervision_service().repository.get_limit(f"supervision:order:{order['order_id']}:reply")
        assert stored is not None
        assert (stored.state.value, stored.cleared_reason) == ("cleared", "answered")

    def test_an_order_on_a_decided_case_is_refused_and_an_unknown_subject_is_not_found(self) -> None:
        case_id = accepted_case()
        decided = call(
            "POST", f"/v1/cases/{case_id}/decide", XUANWU_CIVIL, body={"outcome": "denied", "reason": "不符"}
        )
        assert decided.status == 200
        relay_limits(case_id)
        refused = issue(case_id)
        assert (refused.status, refused.code) == (409, "supervision.subject_closed")
        unknown = issue("01JDQ90F3W7C8M2T6R4K9N5XZZ")
        assert (unknown.status, unknown.code) == (404, "supervision.subject_not_found")
        bad = call("POST", "/v1/supervision/orders", NANJING_SUPERVISOR, body={"subject_kind": "case", "reason": "x"})
        assert bad.status == 422

    def test_two_supervisors_closing_at_once_one_wins(self) -> None:
        case_id = accepted_case()
        order_id = issue(case_id).body["order_id"]
        reply = {"action_taken": "已办理", "done_by": None}
        assert call("POST", f"/v1/supervision/orders/{order_id}/reply", XUANWU_CIVIL, body=reply).status == 200
        barrier = threading.Barrier(2)
        outcomes: list[str] = []
        lock = threading.Lock()

        def attempt(who: dict[str, str]) -> None:
            supervisor = Principal.from_context(who)
            barrier.wait()
            try:
                supervision_service().orders.close(
                    supervisor,
                    order_id,
                    CloseRequest(outcome=CloseOutcome.SATISFIED, note="同意办结"),
                    correlation_id=None,
                )
                result = "won"
            except AppError as exc:
                result = f"{exc.status} {exc.code}"
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=attempt, args=(w,)) for w in (NANJING_SUPERVISOR, NANJING_SUPERVISOR_2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("won") == 1
        assert set(outcomes) - {"won"} <= {
            "409 supervision.order_changed_concurrently",
            "409 supervision.order_not_open",
        }
        assert len(supervision_outbox("supervision.order_closed", order_id)) == 1


class TestEscalation:
    def test_unanswered_it_goes_to_the_city_then_the_province_once_each(self) -> None:
        case_id = accepted_case()
        issued = issue(case_id, XUANWU_SUPERVISOR, days=2)
        assert issued.status == 201, issued.body
        order_id = issued.body["order_id"]
        assert issued.body["level"] == "county"
        county_due = CAL.add_working_days(START, 2).date
        with frozen_at(_at(CAL.add_working_days(county_due, 1).date)):
            assert sweep() == [order_id]
            assert sweep() == []  # fired twice: no second escalation
            city = call("GET", f"/v1/supervision/orders/{order_id}", NANJING_SUPERVISOR).body
            assert (city["level"], city["holder_prefix"], city["escalations"]) == ("city", "3201", ["3201"])
            assert city["reply_limit"] == "reply_city"
            # the county no longer holds it; the city does
            refused = call(
                "POST",
                f"/v1/supervision/orders/{order_id}/close",
                XUANWU_SUPERVISOR,
                body={"outcome": "escalate", "note": "升级"},
            )
            assert (refused.status, refused.code) == (403, "supervision.not_the_holder")
            city_due = dt.date.fromisoformat(city["due_on"])
        with frozen_at(_at(CAL.add_working_days(city_due, 1).date)):
            assert sweep() == [order_id]
            assert sweep() == []
        with frozen_at(_at(CAL.add_working_days(city_due, 10).date)):
            assert sweep() == []  # the province is the top: red warnings only
            top = call("GET", f"/v1/supervision/orders/{order_id}", PROVINCE_SUPERVISOR).body
        assert (top["level"], top["escalations"]) == ("province", ["3201", "32"])
        assert [e["action"] for e in top["timeline"]] == ["issued", "escalated", "escalated"]
        assert {e["actor"] for e in top["timeline"][1:]} == {"system:supervision_sweep"}
        assert top["timeline_valid"] is True
        assert len(supervision_outbox("supervision.order_escalated", order_id)) == 2
        red = [
            e
            for e in supervision_outbox("supervision.warning_raised", order_id)
            if e["data"]["level"] == "red" and e["data"]["name"] == "reply_province"
        ]
        assert len(red) == 1

    def test_a_reply_stops_the_clock_no_escalation_follows(self) -> None:
        case_id = accepted_case()
        order_id = issue(case_id, XUANWU_SUPERVISOR, days=2).body["order_id"]
        reply = {"action_taken": "已办理"}
        assert call("POST", f"/v1/supervision/orders/{order_id}/reply", XUANWU_CIVIL, body=reply).status == 200
        with frozen_at(_at(CAL.add_working_days(START, 5).date)):
            assert sweep() == []
        escalated = call(
            "POST",
            f"/v1/supervision/orders/{order_id}/close",
            XUANWU_SUPERVISOR,
            body={"outcome": "escalate", "note": "回复不实，提请市级督办"},
        )
        assert escalated.status == 200, escalated.body
        assert (escalated.body["state"], escalated.body["level"]) == ("open", "city")


class TestAccess:
    def test_a_county_supervisor_sees_its_county_a_city_supervisor_its_counties_staff_cannot_issue(self) -> None:
        case_id = accepted_case()
        assert issue(case_id, XUANWU_SUPERVISOR).status == 201
        outside = issue(case_id, QINHUAI_SUPERVISOR)
        assert (outside.status, outside.code) == (404, "supervision.subject_not_found")
        assert issue(case_id, SUZHOU_SUPERVISOR).status == 404
        assert issue(case_id, XUANWU_CIVIL).status == 403
        assert issue(case_id, CITIZEN_A).status == 403
        order_id = issue(case_id, NANJING_SUPERVISOR).body["order_id"]

        def listed(who: dict[str, str], **query: str) -> set[str]:
            page = call("GET", "/v1/supervision/orders", who, query=query | {"limit": "100"})
            assert page.status == 200, page.body
            return {o["order_id"] for o in page.body["items"]}

        assert order_id in listed(NANJING_SUPERVISOR)
        assert order_id in listed(XUANWU_SUPERVISOR)
        assert order_id in listed(PROVINCE_SUPERVISOR, region_code="320102")
        assert order_id not in listed(QINHUAI_SUPERVISOR)
        assert listed(SUZHOU_SUPERVISOR) == set()
        assert call("GET", "/v1/supervision/orders", XUANWU_SUPERVISOR, query={"region_code": "3201"}).status == 200
        assert call("GET", "/v1/supervision/orders", QINHUAI_SUPERVISOR, query={"region_code": "320102"}).status == 403
        assert call("GET", f"/v1/supervision/orders/{order_id}", QINHUAI_SUPERVISOR).status == 404
        assert call("GET", f"/v1/supervision/orders/{order_id}", XUANWU_POLICE).status == 404
        assert call("GET", f"/v1/supervision/orders/{order_id}", XUANWU_CIVIL).status == 200
        assert call("GET", f"/v1/supervision/orders/{order_id}", CITIZEN_A).status == 404
        assert call("GET", "/v1/supervision/orders", XUANWU_CIVIL).status == 403
        reply = {"action_taken": "已办理"}
        assert call("POST", f"/v1/supervision/orders/{order_id}/reply", XUANWU_POLICE, body=reply).status == 404
        assert call("POST", f"/v1/supervision/orders/{order_id}/reply", NANJING_SUPERVISOR, body=reply).status == 403


def test_a_changed_timeline_entry_no_longer_verifies() -> None:
    case_id = accepted_case()
    order_id = issue(case_id).body["order_id"]
    assert call("GET", f"/v1/supervision/orders/{order_id}", NANJING_SUPERVISOR).body["timeline_valid"] is True
    boto3.client("dynamodb").update_item(
        TableName=SUPERVISION_TABLE,
        Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "TL#00001"}},
        UpdateExpression="SET note = :note",
        ExpressionAttributeValues={":note": {"S": "无需回复"}},
    )
    assert call("GET", f"/v1/supervision/orders/{order_id}", NANJING_SUPERVISOR).body["timeline_valid"] is False


def test_aws_calls_per_step_of_an_order() -> None:
    """docs/performance.md: what each step of an order costs, whatever the table holds."""
    case_id = accepted_case()
    issue(case_id)  # the calendar's years are read once per process
    counted: dict[str, dict[str, int]] = {}
    with aws.count_calls() as calls:
        order_id = issue(case_id).body["order_id"]
    counted["issue"] = dict(Counter(calls))
    with aws.count_calls() as calls:
        call("POST", f"/v1/supervision/orders/{order_id}/reply", XUANWU_CIVIL, body={"action_taken": "已办理"})
    counted["reply"] = dict(Counter(calls))
    with aws.count_calls() as calls:
        call(
            "POST",
            f"/v1/supervision/orders/{order_id}/close",
            NANJING_SUPERVISOR,
            body={"outcome": "satisfied", "note": "同意"},
        )
    counted["close"] = dict(Counter(calls))
    assert counted == {
        # the subject's limits: their keys from gsi3, the limits by BatchGetItem (D-336)
        "issue": {"dynamodb.Query": 1, "dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1},
        "reply": {"dynamodb.GetItem": 1, "dynamodb.Query": 2, "dynamodb.TransactWriteItems": 1},
        "close": {"dynamodb.GetItem": 1, "dynamodb.Query": 1, "dynamodb.TransactWriteItems": 1},
    }


def test_a_ticket_or_rectification_plugs_in_by_publishing_its_limits() -> None:
    """No port into the owning context: the watcher's limits name the subject's region and department."""
    ticket = a_limit("12345-T-77", region_code="320102", department_id="320102-civil", label="12345-0077")
    watch([set_event(ticket)])
    body = {"subject_kind": "ticket", "subject_id": "12345-T-77", "reason": "工单超期未答复", "reply_days": 2}
    issued = call("POST", "/v1/supervision/orders", XUANWU_SUPERVISOR, body=body)
    assert issued.status == 201, issued.body
    assert (issued.body["label"], issued.body["department_id"]) == ("12345-0077", "320102-civil")
    queue = call("GET", "/v1/supervision/department-orders", XUANWU_CIVIL).body["items"]
    assert issued.body["order_id"] in {o["order_id"] for o in queue}
    rectification = {**body, "subject_kind": "rectification"}
    # the same id as another kind is another subject, unknown until its context publishes a limit
    assert call("POST", "/v1/supervision/orders", XUANWU_SUPERVISOR, body=rectification).status == 404
