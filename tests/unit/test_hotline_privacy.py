"""A 举报's reporter is sealed: the reporter's phone (raw or masked) and subject id are
absent from every response the department gets, every event the ticket publishes and
every log line written while it is opened and handled (acceptance point 4). The
contact is kept only sealed (KMS), and an anonymous report needs a verified phone."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.template import ROOT
from shared.hotline.repository import HotlineRepository
from shared.platform.clock import frozen_at
from shared.platform.privacy import mask_phone
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_event
from tests.unit.hotline_fixtures import (
    CITIZEN,
    COMPLAINT,
    HOTLINE_TABLE,
    NANJING_SUPERVISOR,
    XUANWU_DESK,
    XUANWU_MARKET,
    contact_code,
    hotline_cloud,
    hotline_outbox,
)
from tests.unit.identity_fixtures import outbox as sms_outbox

MONDAY = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)
REPORTER_PHONE = "13700009876"
REPORT = COMPLAINT | {
    "type": "report",
    "category_code": "0202",
    "text": "小区内有人违章搭建彩钢棚。",
    "location": {"region_code": "320102", "address": "玄武区玄武门街道某小区 3 栋"},
}


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    with hotline_cloud(), frozen_at(MONDAY):
        yield


def notify(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    """Deliver envelopes to hotline_notifier as HotlineSmsQueue would."""
    event = sqs_event(envelopes, queue="HotlineSmsQueue")
    result: dict[str, Any] = load_function("hotline_notifier").handler(event, FakeContext())
    return result


def test_the_sample_answer_of_an_unknown_ticket_texts_nobody() -> None:
    sample = json.loads((ROOT / "events" / "hotline_notifier" / "sqs-ticket-answered.json").read_text(encoding="utf-8"))
    assert load_function("hotline_notifier").handler(sample, FakeContext()) == {"batchItemFailures": []}


def everything_the_department_sees(ticket_id: str) -> list[Any]:
    """Every response a department, the desk or a supervisor gets for the ticket."""
    seen: list[Any] = []
    for who in (XUANWU_MARKET, XUANWU_DESK, NANJING_SUPERVISOR):
        for path in ("", "/timeline", "/timeline/verify"):
            reply = call("GET", f"/v1/hotline/tickets/{ticket_id}{path}", who)
            if reply.status == 200:
                seen.append(reply.body)
    seen.append(call("GET", "/v1/hotline/department-tickets", XUANWU_DESK).body)
    seen.append(call("GET", "/v1/hotline/department-tickets", XUANWU_MARKET).body)
    return seen


def assert_absent(things: list[Any], *secrets: str) -> None:
    text = json.dumps(things, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every log record since the last clear, with its structured fields."""
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)


def test_an_anonymous_report_needs_a_verified_phone_and_the_department_never_sees_the_reporter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    body = REPORT | {"contact_phone": REPORTER_PHONE, "code": "000000"}
    never_sent = call("POST", "/v1/hotline/anonymous-tickets", body=body)
    assert (never_sent.status, never_sent.code) == (401, "identity.otp_expired")
    code = contact_code(REPORTER_PHONE)
    wrong = call(
        "POST", "/v1/hotline/anonymous-tickets", body=body | {"code": "999999" if code != "999999" else "000000"}
    )
    assert (wrong.status, wrong.code) == (401, "identity.otp_invalid")
    caplog.clear()  # from here on: what the hotline writes

    opened = call("POST", "/v1/hotline/anonymous-tickets", body=body | {"code": code})
    assert opened.status == 201, opened.body
    ticket_id = opened.body["ticket_id"]
    assert opened.body["requester"] == {
        "anonymous": True,
        "signed_in": False,
        "contact_masked": mask_phone(REPORTER_PHONE),
    }
    assert opened.body["department_id"] == "320102-housing"
    replay = call("POST", "/v1/hotline/anonymous-tickets", body=body | {"code": code})
    assert replay.status == 401  # the code was spent

    housing = {**XUANWU_MARKET, "department_id": "320102-housing", "sub": "01JDQ90F3W7C8M2T6R4K9N5HS9"}
    seen = [call("POST", f"/v1/hotline/tickets/{ticket_id}/sign", housing).body]
    seen.append(call("POST", f"/v1/hotline/tickets/{ticket_id}/answer", housing, body={"text": "已立案查处。"}).body)
    seen.append(call("GET", f"/v1/hotline/tickets/{ticket_id}", housing).body)
    seen.append(call("GET", "/v1/hotline/department-tickets", housing).body)
    seen += everything_the_department_sees(ticket_id)
    assert all("requester" not in body or body["requester"] is None for body in seen if isinstance(body, dict))
    events = hotline_outbox(subject=ticket_id)
    assert {e["type"] for e in events} >= {"ticket.opened", "ticket.dispatched", "limit.set", "ticket.answered"}
    logs = logged(caplog)
    assert "ticket opened" in logs
    assert_absent([seen, events, logs], REPORTER_PHONE, mask_phone(REPORTER_PHONE))

    # the reporter has no inbox: hotline_notifier texts the verified phone, once per answer
    answered = hotline_outbox("ticket.answered", ticket_id)
    assert notify(answered) == {"batchItemFailures": []}
    assert notify(answered) == {"batchItemFailures": []}  # redelivered: nothing twice
    # (the outbox's keys order messages by time, which stands still here: pick by template)
    texts = [m for m in sms_outbox(REPORTER_PHONE) if m["template"] == "hotline.answered"]
    assert len(texts) == 1
    assert opened.body["number"] in texts[0]["text"]

    # the table keeps the contact only sealed
    raw = boto3.client("dynamodb").get_item(
        TableName=HOTLINE_TABLE, Key={"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "TICKET"}}
    )
    assert REPORTER_PHONE not in json.dumps(raw["Item"], ensure_ascii=False)
    stored = HotlineRepository().get(ticket_id)
    assert stored is not None
    assert stored.requester.sealed_contact


def test_a_signed_in_reporter_is_absent_too(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    opened = call(
        "POST", "/v1/hotline/tickets", CITIZEN, body=REPORT | {"category_code": "0502", "text": "有人聚众赌博。"}
    )
    assert opened.status == 201, opened.body
    ticket_id = opened.body["ticket_id"]
    police = {**XUANWU_MARKET, "department_id": "320102-police", "sub": "01JDQ90F3W7C8M2T6R4K9N5HS8"}
    seen = [call("POST", f"/v1/hotline/tickets/{ticket_id}/sign", police).body]
    seen.append(call("GET", f"/v1/hotline/tickets/{ticket_id}", police).body)
    seen.append(call("GET", f"/v1/hotline/tickets/{ticket_id}/timeline", police).body)
    seen.append(call("GET", "/v1/hotline/department-tickets", police).body)
    events = hotline_outbox(subject=ticket_id)
    logs = logged(caplog)
    assert "ticket step" in logs
    assert_absent([seen, events, logs], CITIZEN["sub"])
    assert seen[1]["requester"] is None
    # the reporter still follows their own report
    mine = call("GET", f"/v1/hotline/tickets/{ticket_id}", CITIZEN).body
    assert mine["requester"]["signed_in"] is True
