"""Analytics for supervisors (issue 16, acceptance 3): the slow steps from the case events'
projection equal a brute-force recount from the generated timelines, whatever the delivery
order and however often an event comes; the cases past p90 are listed; the load forecast
follows the calendar's working days; only supervisors of the region read them."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

import shared.cases.events as case_events
from infra.local import generated_month
from infra.template import sam_template
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.reports import analytics as a
from shared.reports import analytics_service
from shared.reports import forecast as f
from shared.reports.analytics_consumer import analytics_dispatcher
from shared.workdays import repository as workdays_repository
from tests.support.apigw import FakeContext, as_role, rest_event
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import create_table_arguments
from tests.unit.monitoring_fixtures import CALENDAR, GeneratedCase, generate

REPORTS_TABLE = "reports-analytics-test"
CATALOG_TABLE = "catalog-analytics-test"
MONTH = "2026-11"
CASES = 60
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _working_days(start: dt.date, end: dt.date) -> int:
    return CALENDAR.working_days_between(start, end).working_days


def _forget() -> None:
    reset_settings()
    aws.reset_clients()
    workdays_repository.clear_cache()
    analytics_service.analytics.cache_clear()


@pytest.fixture(scope="module")
def cases() -> Iterator[list[GeneratedCase]]:
    """A generated month fed to the analytics worker shuffled, a fifth of the events twice."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**create_table_arguments("ReportsTable", REPORTS_TABLE))
        dynamodb.create_table(**create_table_arguments("CatalogTable", CATALOG_TABLE))
        dlq = boto3.client("sqs").create_queue(QueueName="analytics-dlq-test")["QueueUrl"]
        for name, value in {
            "REPORTS_TABLE": REPORTS_TABLE,
            "CATALOG_TABLE": CATALOG_TABLE,
            "DLQ_URL": dlq,
            "MAX_RECEIVES": "3",
            "SUPERVISION_TABLE": "unused",
            "OPEN_DATA_BUCKET": "unused",
            "EVENT_BUS_NAME": "jszw-domain-test",
            "IDEMPOTENCY_TABLE": "unused",
        }.items():
            patch.setenv(name, value)
        _forget()
        generated = generate(CASES, seed=16)
        events = [event for case in generated for event in case.events]
        rng = random.Random(16)
        events += rng.sample(events, len(events) // 5)
        rng.shuffle(events)
        handler = load_function("analytics_worker").handler
        for start in range(0, len(events), 40):  # 40 a batch (SQS gives 10): fewer writes, same path
            answer = handler(sqs_event(events[start : start + 40], queue="AnalyticsQueue"), FakeContext())
            assert answer == {"batchItemFailures": []}
        try:
            yield generated
        finally:
            _forget()


# --- the brute force: straight from each case's timeline ---------------------------------------


def _day(event: dict[str, Any]) -> dt.date:
    return dt.datetime.fromisoformat(event["time"]).astimezone(SHANGHAI).date()


def brute_force(cases: list[GeneratedCase]) -> dict[tuple[str, str, str, str, str], list[tuple[int, str]]]:
    """(region, month left, department, item, state) → [(working days, case id)] of every stay."""
    found: dict[tuple[str, str, str, str, str], list[tuple[int, str]]] = defaultdict(list)
    for case in cases:
        timeline = sorted(case.events, key=lambda event: event["data"]["version"])
        entered = 0
        for index in range(1, len(timeline) + 1):
            if index < len(timeline) and timeline[index]["data"]["state"] == timeline[entered]["data"]["state"]:
                continue
            if index < len(timeline):
                left = _day(timeline[index])
                days = _working_days(_day(timeline[entered]), left)
                state = timeline[entered]["data"]["state"]
                key = (case.region_code, f"{left:%Y-%m}", case.department_id, case.item_code, state)
                found[key].append((days, case.case_id))
            entered = index
    return found


def nearest_rank(values: list[int], q: float) -> int:
    return sorted(values)[math.ceil(q * len(values)) - 1]


def _get(path: str, role: dict[str, str] | None, **query: str) -> tuple[int, Any]:
    event = rest_event("GET", path, query=query or None, authorizer=role)
    answer = load_function("reports_api").handler(event, FakeContext())
    return answer["statusCode"], json.loads(answer["body"])


SUPERVISOR = as_role("supervisor", region_code="320000")


def test_slow_steps_equal_a_brute_force_recount_from_the_timelines(cases: list[GeneratedCase]) -> None:
    expected = brute_force(cases)
    regions = sorted({key[0] for key in expected if key[1] == MONTH})
    compared = 0
    for region in regions:
        status, body = _get("/v1/analytics/slow-steps", SUPERVISOR, region_code=region, month=MONTH)
        assert status == 200, body
        got = {
            (region, MONTH, group["department_id"], group["item_code"], state["state"]): state
            for group in body["groups"]
            for state in group["states"]
        }
        mine = {key: stays for key, stays in expected.items() if key[0] == region and key[1] == MONTH}
        assert set(got) == set(mine)
        for key, stays in mine.items():
            days = [d for d, _ in stays]
            p90 = nearest_rank(days, 0.9)
            assert got[key]["stays"] == len(days)
            assert got[key]["median_working_days"] == nearest_rank(days, 0.5)
            assert got[key]["p90_working_days"] == p90
            assert got[key]["mean_working_days"] == round(sum(days) / len(days), 2)
            assert got[key]["over_p90"] == sum(1 for d in days if d > p90)
            compared += 1
    assert compared > 20  # the month has many department × item × state groups


def test_the_cases_past_p90_are_listed_longest_first(cases: list[GeneratedCase]) -> None:
    expected = brute_force(cases)
    with_slow = [
        (key, stays)
        for key, stays in expected.items()
        if key[1] == MONTH and any(d > nearest_rank([x for x, _ in stays], 0.9) for d, _ in stays)
    ]
    assert with_slow
    for (region, month, department, item, _), _stays in with_slow[:5]:
        status, body = _get(
            f"/v1/analytics/slow-steps/{department}/{item}", SUPERVISOR, region_code=region, month=month
        )
        assert status == 200, body
        wanted = []
        for state in sorted({k[4] for k in expected if k[:4] == (region, month, department, item)}):
            stays = expected[(region, month, department, item, state)]
            p90 = nearest_rank([d for d, _ in stays], 0.9)
            wanted += [(state, -d, case_id) for d, case_id in stays if d > p90]
        listed = [(s["state"], -s["working_days"], s["case_id"]) for s in body["slow_cases"]]
        assert listed == sorted(wanted)
    status, body = _get("/v1/analytics/slow-steps/nobody/none", SUPERVISOR, region_code="320102", month=MONTH)
    assert (status, body["code"]) == (404, "reports.no_slow_steps")


def test_the_load_history_counts_each_case_once_in_its_week(cases: list[GeneratedCase]) -> None:
    status, body = _get("/v1/analytics/load-forecast", as_role("supervisor", region_code="320102"))
    assert status == 200, body
    counted = {
        (department["department_id"], week["week"]): week["submissions"]
        for department in body["departments"]
        for week in department["history"]
        if week["submissions"]
    }
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for case in cases:
        if case.region_code == "320102":
            expected[(case.department_id, a.week_of(case.received_on).isoformat())] += 1
    assert counted == expected
    for department in body["departments"]:
        assert len(department["forecast"]) == 8
        assert all(week["expected"] is not None for week in department["forecast"])


def test_only_supervisors_of_the_region_read_the_analytics(cases: list[GeneratedCase]) -> None:
    assert _get("/v1/analytics/slow-steps", None)[0] == 401
    assert _get("/v1/analytics/slow-steps", as_role("staff", region_code="320102"))[0] == 403
    status, body = _get(
        "/v1/analytics/load-forecast", as_role("supervisor", region_code="320500"), region_code="320102"
    )
    assert (status, body["code"]) == (403, "supervision.region_out_of_scope")
    # what a supervisor reads names cases and departments, never a person
    status, body = _get(
        "/v1/analytics/slow-steps", as_role("supervisor", region_code="320100"), region_code="320102", month=MONTH
    )
    assert status == 200
    assert "subject" not in json.dumps(body)
    assert "notify" not in json.dumps(body)


def test_the_worker_hears_what_its_rule_routes() -> None:
    rule = sam_template()["Resources"]["AnalyticsRule"]["Properties"]["EventPattern"]
    assert set(rule["detail-type"]) == set(analytics_dispatcher.event_types)
    assert rule["source"] == ["jszw.cases"]


def test_the_sample_event_joins_its_case_timeline(cases: list[GeneratedCase]) -> None:
    sample = json.loads(
        (Path(__file__).parents[2] / "events" / "analytics_worker" / "sqs-case-completed-analytics.json").read_text(
            encoding="utf-8"
        )
    )
    assert load_function("analytics_worker").handler(sample, FakeContext()) == {"batchItemFailures": []}
    found = analytics_service.analytics().store.timelines(["01JDQ9A0000000000000000C01"])
    timeline, rev = found["01JDQ9A0000000000000000C01"]
    assert (timeline.steps[10].state, rev) == ("completed", 1)
    # a second delivery writes nothing
    assert load_function("analytics_worker").handler(sample, FakeContext()) == {"batchItemFailures": []}
    assert (
        analytics_service.analytics().store.timelines(["01JDQ9A0000000000000000C01"])["01JDQ9A0000000000000000C01"][1]
        == 1
    )


# --- the pure parts -------------------------------------------------------------------------------

_STATES = st.sampled_from(["submitted", "accepted", "in_review", "suspended", "approved"])


@settings(max_examples=60, deadline=None)
@given(
    states=st.lists(_STATES, min_size=1, max_size=8),
    gaps=st.lists(st.integers(0, 9), min_size=8, max_size=8),
    order=st.randoms(use_true_random=False),
)
def test_the_timeline_is_the_same_whatever_the_order_and_duplicates(
    states: list[str], gaps: list[int], order: random.Random
) -> None:
    start = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(days=sum(gaps[:n])) for n in range(len(states))]
    events = [
        a.CaseEvent("c1", version + 1, state, moment, "320102", "xw-civil", "xw-dibao", "低保")
        for version, (state, moment) in enumerate(zip(states, moments, strict=True))
    ]
    in_order = None
    for event in events:
        in_order = a.absorb(in_order, event)
    shuffled = events + events[: len(events) // 2]
    order.shuffle(shuffled)
    other = None
    for event in shuffled:
        other = a.absorb(other, event)
    assert in_order == other
    assert in_order is not None
    found = a.stays(in_order, _working_days)
    # one stay per change of state, the last state still open
    changes = sum(1 for before, after in itertools.pairwise(states) if before != after)
    assert len(found) == changes
    last = max((n for n in range(1, len(states)) if states[n] != states[n - 1]), default=0)
    assert sum(s.working_days for s in found) == _working_days(moments[0].date(), moments[last].date())


@given(st.lists(st.integers(0, 40), min_size=1, max_size=60))
def test_quantiles_of_the_histogram_are_the_nearest_rank_of_the_values(values: list[int]) -> None:
    histogram: dict[int, int] = defaultdict(int)
    for value in values:
        histogram[value] += 1
    for q in (0.5, 0.9):
        assert a.quantile(histogram, q) == nearest_rank(values, q)


def test_a_holiday_week_expects_fewer_submissions() -> None:
    week_days = f.week_working_days(_working_days)
    start = dt.date(2026, 9, 7)
    history = {start - f.WEEK * n: 50 for n in range(1, 9)}  # 10 a working day
    made = f.forecast(history, start, week_days)
    expected = dict(made.weeks)
    national_day = dt.date(2026, 9, 28)  # the week of 1 October: 国庆 holidays
    assert week_days(national_day) < 5
    assert expected[national_day] == round(10 * week_days(national_day), 1) < 50
    assert expected[dt.date(2026, 9, 7)] == 50.0
    assert not made.seasonal


def test_the_backtest_reports_its_error() -> None:
    week_days = f.week_working_days(_working_days)
    series = f.generated_history(
        {"big": 40.0, "small": 2.0}, dt.date(2025, 6, 2), dt.date(2026, 3, 1), CALENDAR.is_workday, seed=1
    )
    result = f.backtest(series, week_days)
    assert result.forecasts > 40
    assert 0 < result.mape < 60
    big = f.backtest({"big": series["big"]}, week_days).mape
    assert big < f.backtest({"small": series["small"]}, week_days).mape  # the rarer, the noisier


def test_a_generated_month_is_loaded_into_the_consumers_as_their_rules_deliver(cases: list[GeneratedCase]) -> None:
    """`python -m infra.local.generated_month` (the local cloud's thousands of cases): each consumer
    gets the events its rule lets through, as SQS batches, and applies them."""
    first, following = generated_month.month_bounds("2026-10")
    assert (first, following) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    month, tickets = generated_month.month_of("2026-10", 7, 3, 2)
    envelopes = generated_month.envelopes_of(month, tickets)
    by_function = generated_month.deliveries(envelopes)
    case_events_only = [e for e in envelopes if e["source"] == "cases"]
    assert by_function == {"MonitoringWorkerFunction": envelopes, "AnalyticsWorkerFunction": case_events_only}
    seen: list[dict[str, Any]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        seen.append(event)
        answer: dict[str, Any] = load_function("analytics_worker").handler(event, FakeContext())
        return answer

    calls = generated_month.load(invoke, {"AnalyticsWorkerFunction": case_events_only}, batch=4, side_by_side=False)
    assert calls == {"AnalyticsWorkerFunction": math.ceil(len(case_events_only) / 4)}
    assert all(r["eventSourceARN"].endswith(":AnalyticsQueue") for e in seen for r in e["Records"])
    stored = analytics_service.analytics().store.timelines(case.case_id for case in month)
    assert set(stored) == {case.case_id for case in month}


def test_every_case_event_but_material_reuse_moves_a_case_and_reaches_monitoring_and_analytics() -> None:
    """A step added to the cases context joins MOVES, and so the two consumers that follow every step (a case
    event left out would leave a hole in the slow steps and the live counters)."""
    from shared.platform.events import registered_event_types
    from shared.supervision.monitoring_consumer import monitoring_dispatcher

    case_types = {kind for kind in registered_event_types() if kind.startswith("case.")}
    assert case_types - set(case_events.MOVES) == {case_events.MATERIAL_REUSED}
    assert set(analytics_dispatcher.event_types) == set(case_events.MOVES)
    assert set(case_events.MOVES) <= set(monitoring_dispatcher.event_types)


def test_a_batch_the_consumer_fails_as_a_whole_is_sent_again_in_halves_and_a_failed_record_alone() -> None:
    """The local cloud's load on a busy machine: a worker that times out on a batch, or reports a record failed."""
    envelopes = [
        {"type": "case.submitted", "source": "cases", "time": "2026-11-02T01:00:00Z", "n": n} for n in range(8)
    ]
    sizes: list[int] = []
    applied: list[int] = []
    failed_once: set[int] = set()

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        records = event["Records"]
        sizes.append(len(records))
        if len(records) == 8:
            raise RuntimeError("Task timed out after 30.00 seconds")
        failures = []
        for record in records:
            n = json.loads(record["body"])["detail"]["n"]
            if n == 5 and n not in failed_once:
                failed_once.add(n)
                failures.append({"itemIdentifier": record["messageId"]})
            else:
                applied.append(n)
        return {"batchItemFailures": failures}

    calls = generated_month.load(invoke, {"AnalyticsWorkerFunction": envelopes}, batch=8, side_by_side=False)
    assert (calls, sizes) == ({"AnalyticsWorkerFunction": 4}, [8, 4, 4, 1])
    assert sorted(applied) == list(range(8))
