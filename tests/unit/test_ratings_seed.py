"""The demo ratings `make run` seeds (infra/seed/ratings.py): the exposure column
shows the rectified 差评, the upheld appeal is excluded and stays on record, the
late 差评 is past both of its limits (the sweep turns it red), and the counters the
worker builds from the seeded events show every department's ratings. Loading
twice changes nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest

from infra.seed.identity import load as load_identity
from infra.seed.ratings import APPEALED, DEMO_RATINGS, LATE, RECTIFIED
from infra.seed.ratings import load as load_ratings
from shared.platform.clock import today_in_shanghai
from shared.ratings.events import RatingData
from shared.ratings.service import ratings_service
from tests.support.template_tables import create_table_arguments
from tests.unit.identity_fixtures import identity_cloud
from tests.unit.ratings_fixtures import CATALOG_TABLE, RATINGS_TABLE, forget_cached, ratings_outbox


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[dict[str, int], dict[str, int]]]:
    with identity_cloud({"RATINGS_TABLE": RATINGS_TABLE, "CATALOG_TABLE": CATALOG_TABLE}):
        dynamodb = boto3.client("dynamodb")
        for logical_id, name in (("RatingsTable", RATINGS_TABLE), ("CatalogTable", CATALOG_TABLE)):
            dynamodb.create_table(**create_table_arguments(logical_id, name))
        env = {name: os.environ[name] for name in os.environ if name.isupper()}
        load_identity(env)
        first, second = load_ratings(env), load_ratings(env)
        forget_cached()
        yield first, second


def test_loading_twice_rates_nothing_twice(seeded: tuple[dict[str, int], dict[str, int]]) -> None:
    assert seeded == (
        {"demo_ratings_created": len(DEMO_RATINGS), "demo_ratings_existing": 0},
        {"demo_ratings_created": 0, "demo_ratings_existing": len(DEMO_RATINGS)},
    )
    assert len(ratings_outbox("rating.given")) == len(DEMO_RATINGS)
    assert len(ratings_outbox("rectification.closed")) == 2  # confirmed; closed by the upheld appeal


def test_the_exposure_column_and_the_counts_show_the_demo(seeded: object) -> None:
    service = ratings_service()
    [entry] = service.exposure(limit=10, cursor=None).items
    assert (entry.title, entry.outcome, entry.answered_on_time) == (RECTIFIED.title, "评价人确认满意", True)
    assert entry.rating_text == RECTIFIED.text  # staff marked it publishable

    for event in ratings_outbox():  # what the relay brings the ratings_worker
        if event["type"] in {"rating.given", "rating.changed", "rating.excluded"}:
            service.count(event["id"], event["type"], RatingData.model_validate(event["data"]))
    months = {e["data"]["month"] for e in ratings_outbox("rating.given")}
    counted = {
        c.department_id: c
        for month in months
        for c in service.public_counts(month, region_prefix=None, limit=50, cursor=None).items
    }
    assert set(counted) == {d.department_id for d in DEMO_RATINGS}
    assert counted[APPEALED.department_id].excluded == 1
    assert sum(counted[APPEALED.department_id].levels.values()) == 0  # upheld: out of the scores


def test_the_late_bad_rating_is_past_both_limits(seeded: object) -> None:
    late = [e["data"] for e in ratings_outbox("limit.set") if e["data"]["label"].endswith(LATE.label)]
    limits = {limit["name"]: limit for limit in late}
    assert set(limits) == {"visit", "answer"}
    today = today_in_shanghai().isoformat()
    assert all(limit["due_on"] < today for limit in limits.values())
    cleared = {e["data"]["limit_id"] for e in ratings_outbox("limit.cleared")}
    assert not cleared & {limit["limit_id"] for limit in limits.values()}  # nobody visited or answered
