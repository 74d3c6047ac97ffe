"""Scorecard sources beyond cases (D-128): supervision warnings and orders, ratings, rectifications
and 12345 tickets (D-283) count for their department's month exactly once, in any order, and a changed or
excluded rating moves the counts; the worker subscribes to exactly what it handles."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.template import sam_template
from shared.platform import aws
from shared.platform.events import Envelope
from shared.platform.principal import Principal, Role
from shared.supervision.monitoring_consumer import monitoring_dispatcher
from shared.supervision.monitoring_service import monitoring
from shared.supervision.monitoring_store import MonitoringStore
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_event
from tests.unit.monitoring_fixtures import DLQ_NAME, deliver, monitoring_cloud

UTC = dt.UTC


@pytest.fixture
def cloud() -> Iterator[None]:
    with monitoring_cloud():
        yield


def event(event_type: str, source: str, day: int, **data: Any) -> dict[str, Any]:
    moment = dt.datetime(2026, 11, day, 2, tzinfo=UTC)
    return Envelope(type=event_type, source=source, subject="s", time=moment, data=data).model_dump(mode="json")


def month(region: str = "320102", department: str = "xw-civil") -> dict[str, int]:
    return monitoring().month_inputs(region, "2026-11").get(department, {})


def order(event_type: str, version: int, day: int, state: str = "open") -> dict[str, Any]:
    return event(
        event_type, "supervision", day, order_id="O-1", version=version, state=state, subject_kind="case",
        subject_id="C-1", label="N-1", region_code="320102", department_id="xw-civil", issued_by="sup",
        holder_prefix="3201", level="city", due_on="2026-11-09",
    )  # fmt: skip


def rating(event_type: str, revision: int, level: str, **extra: Any) -> dict[str, Any]:
    return event(
        event_type, "ratings", 10 + revision, rating_id="R-1", target_kind="case", target_id="C-1", label="N-1",
        department_id="xw-civil", region_code="320102", month="2026-11", level=level, revision=revision,
        channel="web", bad=level.endswith("dissatisfied"), **extra,
    )  # fmt: skip


def xuanwu_orders(day: int) -> tuple[int, int]:
    supervisor = Principal(subject_id="s", role=Role.SUPERVISOR, region_code="320100")
    (xuanwu,) = monitoring().view(supervisor, "320100", dt.date(2026, 11, day)).sub_regions
    return xuanwu.figures.orders_open, xuanwu.figures.orders_overdue


def test_an_order_counts_once_received_and_replied_with_its_working_days(cloud: None) -> None:
    issued = order("supervision.order_issued", 1, 2)
    deliver([issued])
    assert xuanwu_orders(9) == (1, 0)  # its reply is due 11-09
    assert xuanwu_orders(10) == (1, 1)  # overdue the day after
    replied = order("supervision.order_replied", 2, 5, state="replied")
    deliver([replied, issued, replied])  # an older delivery and a duplicate change nothing
    # issued Monday 11-02, replied Thursday 11-05: 3 working days
    assert month() == {"orders.received": 1, "orders.replied": 1, "orders.reply_working_days": 3}
    city = {row["sk"]: row for row in MonitoringStore().rows("320100", "2026-11")}  # keys as row keys
    assert sum(int(row.get("orders.received", 0)) for sk, row in city.items() if sk.startswith("sub#320102#")) == 1
    assert xuanwu_orders(10) == (1, 0)  # replied: still open (the supervisor decides), no longer waiting
    deliver([order("supervision.order_closed", 3, 6, state="closed")])
    assert xuanwu_orders(10) == (0, 0)


def test_a_changed_rating_counts_its_newest_level_and_an_excluded_one_nothing(cloud: None) -> None:
    given = rating("rating.given", 1, "satisfied")
    changed = rating("rating.changed", 2, "very_dissatisfied", previous_level="satisfied")
    deliver([given])
    assert month() == {"ratings.count": 1, "ratings.points": 4}
    deliver([changed, given])  # the older revision arriving late changes nothing
    assert month() == {"ratings.count": 1, "ratings.points": 1}
    deliver([rating("rating.excluded", 2, "very_dissatisfied", excluded=True, appeal_state="upheld")])
    assert month() == {"ratings.count": 0, "ratings.points": 0}


def test_a_track_moved_during_a_batch_still_counts_every_event_once(
    cloud: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a batch whose order track another delivery writes between the batch's read and its write
    orders = [order("supervision.order_issued", 1, 2), order("supervision.order_replied", 2, 5, state="replied")]
    warnings = [raised("yellow", 16), raised("red", 23)]
    read = MonitoringStore.track_items
    raced: list[bool] = []

    def read_then_race(store: MonitoringStore, pks: list[str]) -> dict[str, tuple[dict[str, Any], int]]:
        found = read(store, pks)
        if not raced:
            raced.append(True)
            worker, batch = monitoring(), monitoring()._deferred
            worker._deferred = None  # the other delivery, another worker's: applied at once
            try:
                monitoring_dispatcher.dispatch(Envelope.model_validate(orders[0]))
            finally:
                worker._deferred = batch
        return found

    monkeypatch.setattr(MonitoringStore, "track_items", read_then_race)
    # When the batch is applied (its order track write fails: the warnings' deltas are added, the
    # batch falls back to one event at a time, and what was written changes nothing twice)
    deliver(orders + warnings)
    # Then every event counts once
    assert month() == {
        "orders.received": 1, "orders.replied": 1, "orders.reply_working_days": 3,
        "warnings.yellow": 1, "warnings.red": 1,
    }  # fmt: skip


def test_a_rectification_counts_once_answered(cloud: None) -> None:
    def rectification(event_type: str, version: int, state: str, on_time: bool | None) -> dict[str, Any]:
        return event(
            event_type, "ratings", 20, order_id="Z-1", rating_id="R-1", label="N-1", title="t",
            department_id="xw-civil", region_code="320102", state=state, version=version,
            visit_due_on="2026-11-20", answer_due_on="2026-11-27", answered_on_time=on_time,
        )  # fmt: skip

    answered = rectification("rectification.answered", 3, "answered", True)
    closed = rectification("rectification.closed", 4, "closed", True)
    events = [answered, closed, answered]
    random.Random(3).shuffle(events)
    deliver(events)
    assert month() == {"rectifications.closed": 1, "rectifications.on_time": 1}


def warning(event_type: str, level: str, day: int, **extra: Any) -> dict[str, Any]:
    return event(
        event_type, "supervision", day, limit_id="L-1", context="cases", subject_kind="case", subject_id="C-1",
        name="legal", label="N-1", region_code="320102", department_id="xw-civil", level=level, **extra,
    )  # fmt: skip


def raised(level: str, day: int) -> dict[str, Any]:
    return warning(
        "supervision.warning_raised", level, day, due_on="2026-11-20", used_days=18, limit_days=20, left_days=2
    )


def resolved(level: str, raised_day: int, day: int) -> dict[str, Any]:
    return warning(
        "supervision.warning_resolved", level, day, raised_on=f"2026-11-{raised_day:02d}", resolution="approved"
    )


def xuanwu_warnings() -> tuple[int, int, int, int]:
    """(open yellow, open red, raised yellow this month, raised red this month) of 玄武 in Nanjing's view."""
    supervisor = Principal(subject_id="s", role=Role.SUPERVISOR, region_code="320100")
    (xuanwu,) = monitoring().view(supervisor, "320100", dt.date(2026, 11, 27)).sub_regions
    shown = xuanwu.figures
    return shown.warnings_open_yellow, shown.warnings_open_red, shown.month.warnings_yellow, shown.month.warnings_red


def test_a_warning_is_open_until_its_limit_is_cleared_and_stays_raised_in_its_month(cloud: None) -> None:
    deliver([raised("yellow", 16), raised("yellow", 16)])
    assert xuanwu_warnings() == (1, 0, 1, 0)
    deliver([raised("red", 23)])
    assert xuanwu_warnings() == (1, 1, 1, 1)
    deliver([resolved("yellow", 16, 24), resolved("red", 23, 24), raised("red", 23), resolved("red", 23, 24)])
    # resolved: no longer open; still counted as raised this month (the scorecard's input)
    assert xuanwu_warnings() == (0, 0, 1, 1)
    assert month() == {"warnings.yellow": 1, "warnings.red": 1}


def test_a_resolution_delivered_before_its_warning_leaves_nothing_open(cloud: None) -> None:
    deliver([resolved("red", 23, 24)])
    assert xuanwu_warnings() == (0, 0, 0, 1)
    deliver([raised("red", 23)])
    assert xuanwu_warnings() == (0, 0, 0, 1)


def test_a_batch_is_one_read_a_write_per_track_and_row_and_a_bad_record_falls_back_to_one_by_one(cloud: None) -> None:
    orders = [order("supervision.order_issued", 1, 2), order("supervision.order_replied", 2, 5, state="replied")]
    warnings = [raised("yellow", 16), raised("red", 23)]
    monitoring().working_days(dt.date(2026, 11, 2), dt.date(2026, 11, 5))  # the calendar, read once per cold start
    with aws.count_calls() as calls:
        deliver(orders + warnings)  # one queue batch: three tracks (the order's two events fold into one)
    # one read, a conditional PutItem per track, one ADD per counter row the batch moves (D-281: no transaction)
    assert {k: v for k, v in calls.items() if k.startswith("dynamodb.")} == {
        "dynamodb.BatchGetItem": 1,
        "dynamodb.PutItem": 3,
        "dynamodb.UpdateItem": 10,
    }
    assert month() == {
        "orders.received": 1, "orders.replied": 1, "orders.reply_working_days": 3,
        "warnings.yellow": 1, "warnings.red": 1,
    }  # fmt: skip
    # a record that can never apply (its data is not an order): the batch falls back to one by one,
    # the bad record is parked in the DLQ and the others apply exactly once (redelivered ones change nothing)
    bad = event("supervision.order_closed", "supervision", 6, order_id="O-1")
    handler = load_function("monitoring_worker").handler
    answer = handler(sqs_event([*orders, bad, resolved("red", 23, 24)], queue="MonitoringQueue"), FakeContext())
    assert answer == {"batchItemFailures": []}  # parked, not retried
    assert xuanwu_warnings() == (1, 0, 1, 1)
    assert month()["orders.received"] == 1
    sqs = boto3.client("sqs")
    parked = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName=DLQ_NAME)["QueueUrl"], MaxNumberOfMessages=10)
    assert len(parked["Messages"]) == 1


def test_the_worker_subscribes_to_exactly_the_types_it_handles() -> None:
    pattern = sam_template()["Resources"]["MonitoringRule"]["Properties"]["EventPattern"]
    assert set(pattern["detail-type"]) == set(monitoring_dispatcher.event_types)
    assert set(pattern["source"]) == {"jszw.cases", "jszw.supervision", "jszw.ratings", "jszw.hotline"}


def ticket(
    event_type: str, version: int, day: int, department: str | None = "xw-civil", **extra: Any
) -> dict[str, Any]:
    """A 12345 ticket about a place in 玄武区 taken in on Monday 11-02 (as `TicketFacts`)."""
    return event(
        event_type, "hotline", day, ticket_id="T-1", number="12345-1", version=version,
        opened_at="2026-11-02T02:00:00+00:00", type="complaint", channel="phone", category_code="01",
        region_code="320102001", state=event_type.split(".")[1], department_id=department,
        department_region_code="320102" if department else None, **extra,
    )  # fmt: skip


def test_a_ticket_counts_received_answered_with_its_working_days_and_closed_once_in_any_order(cloud: None) -> None:
    events = [
        ticket("ticket.opened", 1, 2, department=None),
        ticket("ticket.dispatched", 1, 2),
        ticket("ticket.answered", 3, 5, answered_by="department"),  # Thursday: 3 working days
        ticket("ticket.answered", 5, 9, answered_by="department"),  # answered again after a reopening
        ticket("ticket.closed", 6, 10),
    ]
    random.Random(7).shuffle(events)
    deliver([*events, *events[:2]])
    assert month() == {
        "tickets.received": 1, "tickets.answered": 1, "tickets.answer_working_days": 3, "tickets.closed": 1,
    }  # fmt: skip
    province = monitoring().month_view("320000", "2026-11").total.month
    assert (province.tickets_received, province.tickets_answered, province.tickets_closed) == (1, 1, 1)
    assert province.average_ticket_answer_working_days == 3.0


def test_a_ticket_no_department_held_counts_on_the_desk_row_of_its_place(cloud: None) -> None:
    opened = ticket("ticket.opened", 1, 3, department=None)
    closed = ticket("ticket.closed", 1, 3, department=None, answered_by="knowledge_base", closure="knowledge_base")
    deliver([closed, opened])
    township = monitoring().month_view("320102001", "2026-11")
    assert township.departments == []  # not a department: not ranked, not listed
    assert (township.total.month.tickets_received, township.total.month.tickets_closed) == (1, 1)
    assert township.total.month.tickets_answered == 0  # a knowledge-base answer is not a department's reply
    assert monitoring().month_view("320100", "2026-11").total.month.tickets_received == 1


def test_visits_one_is_visit_once_and_none_is_no_visit(cloud: None) -> None:
    """D-282: a hall intake or a hall pickup is a trip; both are two, neither is 不见面."""
    facts: dict[str, object] = {
        "case_number": "N",
        "state": "submitted",
        "item_code": "i",
        "item_name": "事项",
        "region_code": "320102",
    }
    facts |= {"department_id": "xw-civil", "notify_subject_id": "s", "round": 1, "intake_due_on": None}
    kinds = {
        "A": ("online", "courier"),
        "B": ("hall", "electronic"),
        "C": ("online", "pickup"),
        "D": ("hall", "pickup"),
    }
    deliver([
        event("case.submitted", "cases", 4, case_id=case_id, version=1, intake_channel=channel, delivery_method=method,
              received_at="2026-11-04T02:00:00+00:00", **facts)
        for case_id, (channel, method) in kinds.items()
    ])  # fmt: skip
    figures = monitoring().month_view("320102", "2026-11").total.month
    assert (figures.received, figures.received_no_visit, figures.received_visit_once) == (4, 1, 2)
    assert (figures.no_visit_share, figures.visit_once_share) == (0.25, 0.5)
