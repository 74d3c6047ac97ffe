"""Live monitoring (issue 15): after a generated month of cases across regions and
departments — events delivered in any order, some twice — every figure a supervisor
sees equals a recount from the cases' records, at every level; a view costs one
read whatever the number of cases; supervisors see their region and below only."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from shared.codes.divisions import ancestors_of, parent_of, scope_of
from shared.platform import aws
from shared.platform.clock import frozen_at
from shared.platform.principal import Principal, Role
from shared.supervision.monitoring_service import Figures, MonitoringView, monitoring
from tests.support.api import call
from tests.support.apigw import as_role
from tests.unit.monitoring_fixtures import CALENDAR, TODAY, GeneratedCase, deliver, generate, monitoring_cloud

NOON_TODAY = dt.datetime.combine(TODAY, dt.time(4, 0), tzinfo=dt.UTC)
OPEN = {"submitted", "supplement_required", "accepted", "in_review", "suspended", "approved", "denied"}
RUNNING = {"accepted", "in_review"}


CALLS_AT_A_TENTH: dict[int, Counter[str]] = {}

MONTH_SIZES = [100, pytest.param(2000, marks=pytest.mark.perf, id="2000-cases")]
"""The default suite runs 100 cases (seconds); `make bench` the same tests over 2,000
(docs/performance.md has its time)."""


@pytest.fixture(scope="module", params=MONTH_SIZES)
def month(request: pytest.FixtureRequest) -> Iterator[list[GeneratedCase]]:
    """`count` generated cases; their events shuffled, one in seven delivered twice. The AWS
    calls of a province view are counted when a tenth of the cases are in."""
    count: int = request.param
    with monitoring_cloud():
        cases = generate(count)
        shuffler = random.Random(7)
        for part in (cases[: count // 10], cases[count // 10 :]):
            events = [event for case in part for event in case.events]
            events += shuffler.sample(events, len(events) // 7)
            shuffler.shuffle(events)
            deliver(events)
            if count not in CALLS_AT_A_TENTH:
                with aws.count_calls() as calls:
                    view("320000")
                CALLS_AT_A_TENTH[count] = Counter(calls)
        yield cases


def supervisor(region_code: str) -> Principal:
    return Principal(subject_id="sup", role=Role.SUPERVISOR, region_code=region_code)


def view(region_code: str) -> MonitoringView:
    with frozen_at(NOON_TODAY):
        return monitoring().view(supervisor(region_code), region_code, TODAY)


def recount(cases: list[GeneratedCase]) -> dict[str, Any]:
    """The figures counted straight from the cases' records (independent of the counters)."""
    decided = [c for c in cases if c.decided_on and c.decided_on.month == TODAY.month]
    today = [c for c in decided if c.decided_on == TODAY]
    received = [c for c in cases if c.received_on.month == TODAY.month]
    no_visit = [c for c in received if c.intake_channel == "online" and c.delivery_method != "pickup"]
    # 见一次面 (D-282): exactly one of a hall intake and a hall pickup
    visit_once = [c for c in received if (c.intake_channel == "hall") != (c.delivery_method == "pickup")]
    days = [
        max(CALENDAR.working_days_between(c.started_on, c.decided_on).working_days - c.suspended_working_days, 0)
        for c in decided
        if c.started_on and c.decided_on
    ]

    def on_time(group: list[GeneratedCase], limit: str) -> int:
        return sum(1 for c in group if c.decided_on and c.decided_on <= getattr(c, f"{limit}_due_on"))

    def overdue(limit: str) -> int:
        return sum(1 for c in cases if c.state in RUNNING and getattr(c, f"{limit}_due_on") < TODAY)

    return {
        "open": sum(1 for c in cases if c.state in OPEN),
        "by_state": dict(Counter(c.state for c in cases if c.state in OPEN)),
        "suspended": sum(1 for c in cases if c.state == "suspended"),
        "overdue_promised": overdue("promised"),
        "overdue_legal": overdue("legal"),
        "month.received": len(received),
        "month.received_no_visit": len(no_visit),
        "month.received_visit_once": len(visit_once),
        "month.decided": len(decided),
        "month.on_time_promised": on_time(decided, "promised"),
        "month.on_time_legal": on_time(decided, "legal"),
        "month.average_decide_working_days": round(sum(days) / len(days), 2) if days else None,
        "month.notice_cases": sum(1 for c in cases if c.notices),
        "month.notice_repeated": sum(1 for c in cases if len(c.notices) > 1),
        "month.completed": sum(1 for c in cases if c.completed_on),
        "today.decided": len(today),
        "today.on_time_legal": on_time(today, "legal"),
        "today.received": sum(1 for c in cases if c.received_on == TODAY),
    }


def shown(figures: Figures) -> dict[str, Any]:
    month, today = figures.month, figures.today
    return {
        "open": figures.open,
        "by_state": figures.by_state,
        "suspended": figures.suspended,
        "overdue_promised": figures.overdue_promised,
        "overdue_legal": figures.overdue_legal,
        "month.received": month.received,
        "month.received_no_visit": month.received_no_visit,
        "month.received_visit_once": month.received_visit_once,
        "month.decided": month.decided,
        "month.on_time_promised": month.on_time_promised,
        "month.on_time_legal": month.on_time_legal,
        "month.average_decide_working_days": month.average_decide_working_days,
        "month.notice_cases": month.notice_cases,
        "month.notice_repeated": month.notice_repeated,
        "month.completed": month.completed,
        "today.decided": today.decided,
        "today.on_time_legal": today.on_time_legal,
        "today.received": today.received,
    }


@pytest.mark.parametrize("region_code", ["320000", "320100", "320102", "320115", "320500"])
def test_every_figure_equals_a_recount_at_every_level(month: list[GeneratedCase], region_code: str) -> None:
    answer = view(region_code)
    inside = [c for c in month if c.region_code.startswith(scope_of(region_code))]
    assert inside, "the generator covers every region of the test"
    assert shown(answer.total) == recount(inside)
    children = {code for c in inside for code in ancestors_of(c.region_code) if parent_of(code) == region_code}
    assert {s.region_code for s in answer.sub_regions} == children
    for sub in answer.sub_regions:
        below = [c for c in inside if c.region_code.startswith(scope_of(sub.region_code))]
        assert shown(sub.figures) == recount(below), sub.region_code
    own = {c.department_id for c in inside if c.region_code == region_code}
    assert {d.department_id for d in answer.departments} == own
    for department in answer.departments:
        assert shown(department.figures) == recount([c for c in inside if c.department_id == department.department_id])
    for item in answer.items:
        assert shown(item.figures) == recount([c for c in inside if c.item_code == item.item_code])


def test_the_generated_month_is_realistic(month: list[GeneratedCase]) -> None:
    """The recount is only a proof if the month has every kind of case in it."""
    total = recount(month)
    assert total["overdue_promised"] > 0
    assert total["overdue_legal"] >= 0
    assert total["suspended"] > 0
    assert 0 < total["month.on_time_promised"] < total["month.decided"]
    assert total["month.notice_repeated"] > 0
    assert 0 < total["month.received_no_visit"] < total["month.received"]
    assert 0 < total["month.received_visit_once"] < total["month.received"] - total["month.received_no_visit"]
    assert {"submitted", "in_review", "approved", "suspended"} <= set(total["by_state"])


def test_redelivering_the_whole_month_changes_nothing(month: list[GeneratedCase]) -> None:
    before = view("320000")
    again = [event for case in month[:40] for event in case.events]
    with aws.count_calls() as calls:
        deliver(again)
    assert view("320000") == before
    # a batch of duplicates reads its tracks (one BatchGetItem per queue batch of 10) and writes nothing
    batches = -(-len(again) // 10)
    assert {k: v for k, v in calls.items() if k.startswith("dynamodb.")} == {"dynamodb.BatchGetItem": batches}


@pytest.mark.parametrize("region_code", ["320000", "320115", "320500"])
def test_a_view_is_one_query_whatever_the_number_of_cases(month: list[GeneratedCase], region_code: str) -> None:
    with aws.count_calls() as calls:
        answer = view(region_code)
    assert answer.total.open > 0
    # one call, never more than the sub-regions shown (a county with its one township: 1)
    assert Counter(calls) == Counter({"dynamodb.Query": 1})
    assert sum(calls.values()) <= max(len(answer.sub_regions), 1)
    # ten times the cases: the same one Query (the province's partition: today, this month, now)
    assert Counter(calls) == CALLS_AT_A_TENTH[len(month)]


def test_a_county_supervisor_sees_only_its_county_and_a_city_supervisor_its_counties(
    month: list[GeneratedCase],
) -> None:
    xuanwu = as_role("supervisor", region_code="320102")
    nanjing = as_role("supervisor", region_code="320100")
    with frozen_at(NOON_TODAY):
        assert call("GET", "/v1/supervision/monitoring", xuanwu).status == 200
        assert call("GET", "/v1/supervision/monitoring", xuanwu, query={"region_code": "320100"}).status == 403
        assert call("GET", "/v1/supervision/monitoring", xuanwu, query={"region_code": "320115"}).status == 403
        city = call("GET", "/v1/supervision/monitoring", nanjing)
        assert city.status == 200
        assert {s["region_code"] for s in city.body["sub_regions"]} == {"320102", "320115"}
        assert call("GET", "/v1/supervision/monitoring", nanjing, query={"region_code": "320115001"}).status == 200
        refused = call("GET", "/v1/supervision/monitoring", nanjing, query={"region_code": "320505"})
        assert refused.status == 403
        assert refused.code == "supervision.region_out_of_scope"
        assert call("GET", "/v1/supervision/monitoring", as_role("staff", region_code="320102")).status == 403
