"""The 12345 closed loop through hotline_api and hotline_follow_up, as callers see it:
a complaint in 玄武区 dispatched, signed, answered, rated dissatisfied, reopened,
answered again, rated satisfied and closed, every step on the hash-chained timeline,
and the time-limit facts supervision watches (limit.set / limit.cleared) published in
the same transactions. Mid-November 2026 has no holidays, so the working days below
are counted by hand."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.platform import aws
from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.hotline_fixtures import (
    AGENT_12345,
    CITIZEN,
    COMPLAINT,
    JIANGNING_MARKET,
    NANJING_SUPERVISOR,
    OTHER_CITIZEN,
    SUZHOU_SUPERVISOR,
    XUANWU_DESK,
    XUANWU_MARKET,
    XUANWU_POLICE,
    hotline_cloud,
    hotline_outbox,
)

MONDAY = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)  # 10:00 in Nanjing
SCHEDULED = json.loads((ROOT / "events" / "hotline_follow_up" / "scheduled-hourly.json").read_text())


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    with hotline_cloud(), frozen_at(MONDAY):
        yield


def open_complaint(who: dict[str, str] = CITIZEN, **changes: Any) -> dict[str, Any]:
    reply = call("POST", "/v1/hotline/tickets", who, body=COMPLAINT | changes)
    assert reply.status == 201, reply.body
    return dict(reply.body)


def step(ticket_id: str, name: str, who: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
    reply = call("POST", f"/v1/hotline/tickets/{ticket_id}/{name}", who, body=body or {})
    assert reply.status == 200, reply.body
    return dict(reply.body)


def limit_events(ticket_id: str) -> list[tuple[str, str, int]]:
    """The ticket's limit facts by version (one version per step; within it cleared before set)."""
    found = [
        (e["type"], e["data"]["name"], e["data"]["version"])
        for e in hotline_outbox(subject=ticket_id)
        if e["type"].startswith("limit.")
    ]
    return sorted(found, key=lambda f: (f[2], f[0], f[1]))


class ScheduledContext(FakeContext):
    """A scheduled run with its whole 300 s timeout ahead."""

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def follow_up() -> dict[str, Any]:
    result: dict[str, Any] = load_function("hotline_follow_up").handler(SCHEDULED, ScheduledContext())
    return result


def test_a_complaint_goes_round_the_whole_loop_and_every_step_is_on_the_timeline() -> None:
    ticket = open_complaint(location=COMPLAINT["location"] | {"address": "南京市玄武区中山路 20 号"})
    ticket_id = ticket["ticket_id"]
    assert ticket["state"] == "dispatched"
    assert ticket["department_id"] == "320102-market"  # the seeded rule (0101 消费维权, 320102)
    assert {(lim["name"], lim["due_on"], lim["limit_days"]) for lim in ticket["limits"]} == {
        ("sign", "2026-11-17", 1),
        ("answer", "2026-11-23", 5),
    }
    step(ticket_id, "sign", XUANWU_MARKET, {"note": "已签收"})
    answered = step(ticket_id, "answer", XUANWU_MARKET, {"text": "已责令商家退换并立案调查。"})
    assert answered["state"] == "answered"
    assert answered["rating_due_on"] == "2026-11-19"
    reopened = step(ticket_id, "rating", CITIZEN, {"rating": "dissatisfied", "comment": "商家仍未退换"})
    assert reopened["state"] == "reopened"
    assert reopened["department_id"] == "320102-market"
    assert [(lim["name"], lim["due_on"]) for lim in reopened["limits"]] == [("answer", "2026-11-23")]
    step(ticket_id, "answer", XUANWU_MARKET, {"text": "商家已退款，并处罚款。"})
    closed = step(ticket_id, "rating", CITIZEN, {"rating": "satisfied"})
    assert (closed["state"], closed["closure"], closed["reopened"]) == ("closed", "satisfied", 1)
    assert [a["round"] for a in closed["answers"]] == [1, 2]

    timeline = call("GET", f"/v1/hotline/tickets/{ticket_id}/timeline", CITIZEN).body["entries"]
    assert [(e["step"], e["to_state"]) for e in timeline] == [
        ("open", "dispatched"),
        ("dispatch", "dispatched"),
        ("sign", "signed"),
        ("answer", "answered"),
        ("rate", "reopened"),
        ("reopen", "reopened"),
        ("answer", "answered"),
        ("rate", "closed"),
    ]
    verified = call("GET", f"/v1/hotline/tickets/{ticket_id}/timeline/verify", XUANWU_MARKET).body
    assert verified["valid"]
    assert verified["length"] == 8

    # the limits supervision watches, in the order the steps moved them
    assert limit_events(ticket_id) == [
        ("limit.set", "answer", 1),
        ("limit.set", "sign", 1),
        ("limit.cleared", "sign", 2),
        ("limit.set", "answer", 2),
        ("limit.cleared", "answer", 3),
        ("limit.set", "answer", 4),
        ("limit.cleared", "answer", 5),
    ]
    answer_limit = next(e["data"] for e in hotline_outbox("limit.set", ticket_id) if e["data"]["version"] == 2)
    assert answer_limit | {"limit_id": ""} == {
        "limit_id": "",
        "context": "hotline",
        "subject_kind": "ticket",
        "subject_id": ticket_id,
        "name": "answer",
        "version": 2,
        "label": ticket["number"],
        "title": "投诉：消费维权",
        "region_code": "320102",
        "department_id": "320102-market",
        "handler_subject_id": XUANWU_MARKET["sub"],
        "started_on": "2026-11-16",
        "due_on": "2026-11-23",
        "limit_days": 5,
        "paused": False,
        "paused_days": 0,
    }
    assert answer_limit["limit_id"] == f"hotline:ticket:{ticket_id}:answer"
    closed_event = hotline_outbox("ticket.closed", ticket_id)[0]["data"]
    assert (closed_event["notify_subject_id"], closed_event["department_id"], closed_event["region_code"]) == (
        CITIZEN["sub"],
        "320102-market",
        "320102",
    )
    # the matter's name, never the requester's text, stands for the ticket (the rating invitation's title)
    assert closed_event["title"] == "投诉：消费维权"
    assert COMPLAINT["text"] not in str(closed_event)


def test_a_second_dissatisfaction_goes_to_the_supervisor_who_decides() -> None:
    ticket_id = open_complaint(location=COMPLAINT["location"] | {"address": "玄武区珠江路 1 号"})["ticket_id"]
    step(ticket_id, "sign", XUANWU_MARKET)
    step(ticket_id, "answer", XUANWU_MARKET, {"text": "已处理。"})
    step(ticket_id, "rating", CITIZEN, {"rating": "dissatisfied"})
    step(ticket_id, "answer", XUANWU_MARKET, {"text": "再次处理。"})
    escalated = step(ticket_id, "rating", CITIZEN, {"rating": "dissatisfied"})
    assert escalated["state"] == "escalated"
    listed = call("GET", "/v1/hotline/escalated-tickets", NANJING_SUPERVISOR).body["items"]
    assert ticket_id in [t["ticket_id"] for t in listed]
    assert ticket_id not in [
        t["ticket_id"] for t in call("GET", "/v1/hotline/escalated-tickets", SUZHOU_SUPERVISOR).body["items"]
    ]
    refused = call(
        "POST", f"/v1/hotline/tickets/{ticket_id}/decision", XUANWU_MARKET, body={"outcome": "close", "reason": "x"}
    )
    assert refused.status == 403
    decided = step(
        ticket_id, "decision", NANJING_SUPERVISOR, {"outcome": "close", "reason": "已依法处理，诉求不合理部分已解释"}
    )
    assert (decided["state"], decided["closure"]) == ("closed", "supervisor")
    assert ticket_id not in [
        t["ticket_id"] for t in call("GET", "/v1/hotline/escalated-tickets", NANJING_SUPERVISOR).body["items"]
    ]


def test_the_same_matter_again_while_open_is_linked_not_dispatched_twice() -> None:
    place = COMPLAINT["location"] | {"address": "玄武区北京东路 9 号"}
    first = open_complaint(location=place)
    second = open_complaint(location=place, text="还是那家超市，牛奶过期。")
    assert (second["state"], second["duplicate_of"], second["department_id"]) == ("linked", first["ticket_id"], None)
    assert hotline_outbox("ticket.dispatched", second["ticket_id"]) == []
    assert limit_events(second["ticket_id"]) == []
    # another person's ticket about the same place is their own
    other = open_complaint(OTHER_CITIZEN, location=place)
    assert other["state"] == "dispatched"


def test_a_department_returns_a_ticket_and_the_desk_redispatches_it_with_new_limits() -> None:
    ticket_id = open_complaint(location=COMPLAINT["location"] | {"address": "玄武区太平北路 3 号"})["ticket_id"]
    returned = step(ticket_id, "return", XUANWU_MARKET, {"reason": "属于公安治安管辖"})
    assert (returned["state"], returned["department_id"]) == ("returned", "320102-hotline")
    assert call("GET", f"/v1/hotline/tickets/{ticket_id}", XUANWU_MARKET).status == 404  # no longer theirs
    # only the region's desk re-dispatches
    body = {"department_id": "320102-police", "reason": "改派公安"}
    assert call("POST", f"/v1/hotline/tickets/{ticket_id}/redispatch", XUANWU_POLICE, body=body).status == 404
    redispatched = step(ticket_id, "redispatch", XUANWU_DESK, body)
    assert (redispatched["state"], redispatched["department_id"]) == ("dispatched", "320102-police")
    unknown = call(
        "POST", f"/v1/hotline/tickets/{ticket_id}/co-handlers", XUANWU_DESK, body={"department_id": "320102-nowhere"}
    )
    assert (unknown.status, unknown.code) == (422, "hotline.unknown_department")
    step(ticket_id, "co-handlers", XUANWU_DESK, {"department_id": "320102-market", "note": "协助核查"})
    assert call("GET", f"/v1/hotline/tickets/{ticket_id}", XUANWU_MARKET).status == 200  # the co-handler reads it
    assert call("POST", f"/v1/hotline/tickets/{ticket_id}/sign", XUANWU_MARKET).status == 403  # but does not sign
    step(ticket_id, "sign", XUANWU_POLICE)
    events = [(t, n) for t, n, _ in limit_events(ticket_id)]
    assert events == [
        ("limit.set", "answer"),  # v1 dispatched to the market department
        ("limit.set", "sign"),
        ("limit.cleared", "answer"),  # v2 returned to the desk
        ("limit.cleared", "sign"),
        ("limit.set", "answer"),  # v3 re-dispatched to the police: new limits
        ("limit.set", "sign"),
        ("limit.cleared", "sign"),  # v5 signed (v4 named a co-handler: no limit moved)
        ("limit.set", "answer"),
    ]


def test_a_consultation_the_knowledge_base_answers_closes_at_once() -> None:
    found = call("GET", "/v1/hotline/knowledge", query={"q": "身份证丢了怎么补办"}).body["items"]
    assert found[0]["source"] == "faq"
    assert "补领" in found[0]["answer"]
    consultation = COMPLAINT | {
        "type": "consultation",
        "category_code": "0501",
        "text": "身份证丢了怎么办？",
        "accepted_answer": {"source": "faq", "id": found[0]["id"]},
    }
    reply = call("POST", "/v1/hotline/tickets", CITIZEN, body=consultation)
    assert reply.status == 201, reply.body
    assert (reply.body["state"], reply.body["answered_by"], reply.body["closure"]) == (
        "closed",
        "knowledge_base",
        "knowledge_base",
    )
    assert hotline_outbox("ticket.dispatched", reply.body["ticket_id"]) == []
    assert sorted(e["type"] for e in hotline_outbox(subject=reply.body["ticket_id"])) == [
        "ticket.closed",
        "ticket.opened",
    ]


def test_an_agent_opens_a_call_and_records_the_follow_up_rating() -> None:
    call_body = COMPLAINT | {"channel": "phone", "caller_phone": "13700001234"}
    call_body["location"] = COMPLAINT["location"] | {"address": "玄武区长江路 5 号"}
    opened = call("POST", "/v1/hotline/calls", AGENT_12345, body=call_body)
    assert opened.status == 201, opened.body
    assert opened.body["requester"] == {"anonymous": False, "signed_in": False, "contact_masked": "137****1234"}
    assert call("POST", "/v1/hotline/calls", CITIZEN, body=call_body).status == 403
    ticket_id = opened.body["ticket_id"]
    step(ticket_id, "sign", XUANWU_MARKET)
    step(ticket_id, "answer", XUANWU_MARKET, {"text": "已处理。"})
    rated = step(ticket_id, "rating", AGENT_12345, {"rating": "basically_satisfied"})
    assert (rated["closure"], rated["ratings"][0]["by"]) == ("basically_satisfied", "hotline_agent")


def test_no_rating_within_three_working_days_closes_as_no_response_reading_only_due_tickets() -> None:
    def answered_ticket(address: str) -> str:
        ticket_id = open_complaint(location=COMPLAINT["location"] | {"address": address})["ticket_id"]
        step(ticket_id, "sign", XUANWU_MARKET)
        step(ticket_id, "answer", XUANWU_MARKET, {"text": "已处理。"})
        return ticket_id

    due = answered_ticket("玄武区龙蟠路 1 号")  # rating due Thursday 2026-11-19
    with frozen_at(MONDAY + dt.timedelta(days=2)):
        later = answered_ticket("玄武区龙蟠路 2 号")  # answered Wednesday: due Monday 2026-11-23

    def run_on(day: dt.datetime) -> tuple[dict[str, Any], Counter[str]]:
        with frozen_at(day), aws.count_calls() as calls:
            result = follow_up()
        return result, Counter(calls)

    nothing, _ = run_on(MONDAY + dt.timedelta(days=3))  # Thursday: still within the limit
    assert nothing["closed"] == 0
    friday = MONDAY + dt.timedelta(days=4)
    result, calls = run_on(friday)
    assert result["closed"] >= 1
    assert calls["dynamodb.TransactWriteItems"] == result["closed"]  # one transaction per ticket closed
    assert call("GET", f"/v1/hotline/tickets/{due}", CITIZEN).body["closure"] == "no_response"
    assert call("GET", f"/v1/hotline/tickets/{later}", CITIZEN).body["state"] == "answered"
    assert "dynamodb.Scan" not in calls
    again, calls_again = run_on(friday)
    assert again["closed"] == 0  # nothing twice
    assert calls_again == Counter({"dynamodb.Query": 8})  # one Query per shard, nothing else
    closed = hotline_outbox("ticket.closed", due)
    assert [e["data"]["closure"] for e in closed] == ["no_response"]

    # ten times as many answered tickets that are not yet due: the same calls
    with frozen_at(MONDAY + dt.timedelta(days=2)):
        for n in range(10):
            answered_ticket(f"玄武区龙蟠路 {100 + n} 号")
    _, calls_after = run_on(friday)
    assert calls_after == calls_again


def test_staff_of_another_department_cannot_see_or_sign_a_ticket() -> None:
    ticket_id = open_complaint(location=COMPLAINT["location"] | {"address": "玄武区汉府街 2 号"})["ticket_id"]
    assert call("GET", f"/v1/hotline/tickets/{ticket_id}", JIANGNING_MARKET).status == 404
    signed = call("POST", f"/v1/hotline/tickets/{ticket_id}/sign", JIANGNING_MARKET)
    assert (signed.status, signed.code) == (404, "hotline.ticket_not_found")
    assert call("GET", f"/v1/hotline/tickets/{ticket_id}", OTHER_CITIZEN).status == 404
    listed = call("GET", "/v1/hotline/department-tickets", XUANWU_MARKET).body["items"]
    assert ticket_id in [t["ticket_id"] for t in listed]
    assert ticket_id not in [
        t["ticket_id"] for t in call("GET", "/v1/hotline/department-tickets", JIANGNING_MARKET).body["items"]
    ]
    mine = call("GET", "/v1/hotline/my-tickets", CITIZEN).body["items"]
    assert ticket_id in [t["ticket_id"] for t in mine]


def test_a_complaint_about_a_trading_notice_names_it_and_goes_to_the_desk() -> None:
    notice_id = "01JDQ90F3W7C8M2T6R4K9N5TN1"
    ticket = open_complaint(
        category_code="0704", text="中标候选人公示有误，第一名企业有失信记录。", link_notice_id=notice_id
    )
    assert (ticket["link_notice_id"], ticket["department_id"]) == (notice_id, "320102-hotline")
    [opened] = hotline_outbox("ticket.opened", ticket["ticket_id"])
    assert opened["data"]["link_notice_id"] == notice_id  # the trading context can follow its complaints
    bad = call("POST", "/v1/hotline/tickets", CITIZEN, body=COMPLAINT | {"link_notice_id": "not-a-notice"})
    assert bad.status == 422
