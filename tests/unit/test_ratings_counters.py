"""Score counters per department × month × level (issue 14, acceptance 2): kept by
the ratings_worker from rating events with atomic ADDs, never by a Scan or a
query over all ratings; after 1,000 shuffled, duplicated rating events they
equal the counts rebuilt from the ratings themselves."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.platform import aws
from shared.platform.clock import frozen_at
from shared.platform.principal import Principal
from shared.ratings.api import TargetFacts, ratings_service
from shared.ratings.models import (
    Level,
    Reason,
    TargetKind,
)
from shared.ratings.repository import LEVEL_ATTRIBUTES
from shared.ratings.service import EXCLUDED_ATTRIBUTE
from shared.ratings.shapes import (
    AppealDecisionRequest,
    AppealRequest,
    ChangeRequest,
    RateRequest,
)
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.ratings_fixtures import (
    SUBJECT_A,
    feed_worker,
    fresh_ratings_table,
    ratings_cloud,
    ratings_outbox,
)

DEPARTMENTS = [("320102-civil", "320102"), ("320102-police", "320102"), ("320500-civil", "320500")]
MONTHS = [dt.datetime(2026, 8, 31, 15, 30, tzinfo=dt.UTC), dt.datetime(2026, 9, 14, 2, 0, tzinfo=dt.UTC)]
"""2026-08-31 23:30 in Nanjing (August, although September in UTC), and mid-September."""
RATERS = 90
SUPERVISOR = Principal.from_context(
    {"sub": "01JDQ90F3W7C8M2T6R4K9N5XH8", "role": "supervisor", "region_code": "320000"}
)


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    with ratings_cloud():
        fresh_ratings_table("ratings-counters-test")
        yield


def no_scans(*_: Any, **__: Any) -> None:
    raise AssertionError("a Scan: counters and listings read by key and index only")


def rated_history(rng: random.Random) -> None:
    """90 people rate a target each in one of three departments and two months; some
    change their rating, some 差评 are appealed and the appeal upheld."""
    service = ratings_service()
    levels = list(Level)
    for n in range(RATERS):
        department, region = DEPARTMENTS[n % len(DEPARTMENTS)]
        subject = f"01JDQ90F3W7C8M2T6R4K9{n:05d}"
        rater = Principal.from_context({"sub": subject, "role": "citizen"})
        staff = Principal.from_context(
            {"sub": "01JDQ90F3W7C8M2T6R4K9N5XD4", "role": "staff", "department_id": department, "region_code": region}
        )
        with frozen_at(MONTHS[n % 2] + dt.timedelta(minutes=n)):
            target = TargetFacts(
                TargetKind.CASE, f"C{n:05d}", f"N{n:05d}", "事项", department, region, subject, None, "completed"
            )
            assert service.invite(target, correlation_id=None)
            rating = service.rate(
                rater,
                RateRequest(
                    target_kind=TargetKind.CASE,
                    target_id=target.target_id,
                    level=rng.choice(levels),
                    reasons=[Reason.EFFICIENCY],
                    channel="web",
                ),
                correlation_id=None,
            )
            if n % 3 == 0:
                change = ChangeRequest(level=rng.choice(levels), channel="app")
                rating = service.change(rater, rating.rating_id, change, correlation_id=None)
            if n % 7 == 0:
                appeal = AppealRequest(reason="评价与事实不符", evidence=["窗口记录"])
                service.appeal(staff, rating.rating_id, appeal, correlation_id=None)
                decision = AppealDecisionRequest(outcome="upheld" if n % 2 else "dismissed", reason="核实")
                service.decide_appeal(SUPERVISOR, rating.rating_id, decision, correlation_id=None)


def rebuilt() -> dict[tuple[str, str], Counter[str]]:
    """The counts as the ratings themselves say (each rating's current revision)."""
    counts: dict[tuple[str, str], Counter[str]] = {}
    for department, _ in DEPARTMENTS:
        for rating in ratings_service().repository.department_ratings(department):
            bucket = counts.setdefault((department, rating.month), Counter())
            bucket[EXCLUDED_ATTRIBUTE if rating.excluded else LEVEL_ATTRIBUTES[rating.level]] += 1
    return counts


def test_counters_equal_the_ratings_after_1000_shuffled_duplicated_events() -> None:
    rng = random.Random(14)
    rated_history(rng)
    rating_events = [e for e in ratings_outbox() if e["type"] in {"rating.given", "rating.changed", "rating.excluded"}]
    kinds = Counter(e["type"] for e in rating_events)
    assert kinds["rating.changed"] == RATERS // 3
    assert kinds["rating.excluded"] > 0
    deliveries = rating_events + [rng.choice(rating_events) for _ in range(1000 - len(rating_events))]
    rng.shuffle(deliveries)
    assert len(deliveries) == 1000

    hook = aws.dynamodb().meta.events
    hook.register("before-call.dynamodb.Scan", no_scans)
    try:
        for start in range(0, len(deliveries), 10):
            assert feed_worker(deliveries[start : start + 10]) == {"batchItemFailures": []}
        expected = rebuilt()
        assert {month for _, month in expected} == {"2026-08", "2026-09"}
        for (department, month), counts in expected.items():
            stored = ratings_service().repository.counters(department, month) or {}
            kept = {name: int(stored.get(name, 0)) for name in [*LEVEL_ATTRIBUTES.values(), EXCLUDED_ATTRIBUTE]}
            assert kept == {name: counts.get(name, 0) for name in kept}, (department, month)

        # the public counts read the same records: one Query per month and region prefix
        page = call("GET", "/v1/exposure/counts", query={"month": "2026-08", "region": "3201"}).body
        assert {c["department_id"] for c in page["items"]} == {"320102-civil", "320102-police"}
        for entry in page["items"]:
            counts = expected[(entry["department_id"], "2026-08")]
            assert entry["levels"] == {level.value: counts.get(LEVEL_ATTRIBUTES[level], 0) for level in Level}
            assert entry["excluded"] == counts.get(EXCLUDED_ATTRIBUTE, 0)
    finally:
        hook.unregister("before-call.dynamodb.Scan", no_scans)


def test_the_worker_sample_invites_once() -> None:
    fresh_ratings_table("ratings-sample-test")
    sample = json.loads((ROOT / "events" / "ratings_worker" / "sqs-case-completed.json").read_text("utf-8"))
    worker = load_function("ratings_worker")
    assert worker.handler(sample, FakeContext()) == {"batchItemFailures": []}
    assert worker.handler(sample, FakeContext()) == {"batchItemFailures": []}
    (invited,) = ratings_outbox("rating.invited")
    assert invited["data"]["notify_subject_id"] == SUBJECT_A
