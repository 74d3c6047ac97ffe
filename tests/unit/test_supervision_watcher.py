"""The limits watcher (D-115): every context's limits reach supervision as facts;
the newest version wins, so duplicates and any delivery order end in the same state,
and only running limits are in the sweep's due set."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from infra.local import metering
from infra.template import ROOT, sam_template
from shared.platform import aws
from shared.platform.limits import LimitClearedData, limit_changes, limit_cleared
from shared.supervision.models import LimitState
from shared.supervision.repository import DUE_SHARDS, SupervisionRepository
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.supervision_fixtures import a_limit, set_event, supervision_cloud, watch

FAR = dt.date(2027, 12, 31)


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with supervision_cloud():
        yield


def due_ids() -> set[str]:
    repository = SupervisionRepository()
    return {limit.limit_id for shard in range(DUE_SHARDS) for limit in repository.due_until(FAR, shard)}


def cleared_event(subject_id: str, version: int, reason: str = "answered") -> dict[str, object]:
    limit = a_limit(subject_id)
    data = LimitClearedData(**limit.model_dump(include=set(LimitClearedData.model_fields) - {"reason"}), reason=reason)
    data = data.model_copy(update={"version": version})
    return limit_cleared(data, correlation_id=None).model_dump(mode="json")


def test_the_sample_event_is_recorded_and_due(cloud: None) -> None:
    sample = json.loads((ROOT / "events" / "limits_watcher" / "sqs-limit-set.json").read_text(encoding="utf-8"))
    assert load_function("limits_watcher").handler(sample, FakeContext()) == {"batchItemFailures": []}
    detail = json.loads(sample["Records"][0]["body"])["detail"]
    stored = SupervisionRepository().get_limit(detail["data"]["limit_id"])
    assert stored is not None
    assert (stored.state, stored.label, stored.due_on) == (
        LimitState.RUNNING,
        "320102202609210100000001",
        dt.date(2026, 11, 9),
    )
    assert stored.limit_id in due_ids()


def test_the_newest_version_wins_whatever_the_order(cloud: None) -> None:
    newer = a_limit("T-2", version=3, due_on=dt.date(2026, 10, 20), limit_days=16)
    older = a_limit("T-2", version=2)
    watch([set_event(newer)])
    watch([set_event(older), set_event(newer)])  # a late older state and a duplicate
    stored = SupervisionRepository().get_limit(newer.limit_id)
    assert stored is not None
    assert (stored.version, stored.due_on, stored.limit_days) == (3, dt.date(2026, 10, 20), 16)


def test_a_paused_limit_leaves_the_due_set_and_comes_back_when_resumed(cloud: None) -> None:
    limit = a_limit("T-3")
    watch([set_event(limit)])
    assert limit.limit_id in due_ids()
    watch([set_event(limit.model_copy(update={"version": 2, "paused": True}))])
    assert limit.limit_id not in due_ids()
    resumed = limit.model_copy(update={"version": 3, "paused_days": 4, "due_on": dt.date(2026, 10, 16)})
    watch([set_event(resumed)])
    assert limit.limit_id in due_ids()
    stored = SupervisionRepository().get_limit(limit.limit_id)
    assert stored is not None
    assert (stored.state, stored.paused_days) == (LimitState.RUNNING, 4)


def test_a_cleared_limit_stays_cleared_against_older_deliveries(cloud: None) -> None:
    limit = a_limit("T-4")
    # the clearing fact arrives first; the start of the limit afterwards
    assert watch([cleared_event("T-4", 2)]) == {"batchItemFailures": []}
    watch([set_event(limit)])
    stored = SupervisionRepository().get_limit(limit.limit_id)
    assert stored is not None
    assert (stored.state, stored.cleared_reason, stored.version) == (LimitState.CLEARED, "answered", 2)
    assert limit.limit_id not in due_ids()
    # a reopened subject starts the limit again with a higher version
    watch([set_event(limit.model_copy(update={"version": 3}))])
    assert limit.limit_id in due_ids()
    assert [s.state for s in SupervisionRepository().limits_of("ticket", "T-4")] == [LimitState.RUNNING]


def test_data_that_is_not_a_limit_is_parked_while_its_peers_succeed(cloud: None) -> None:
    broken = set_event(a_limit("T-5"))
    broken["data"].pop("due_on")
    result = watch([broken, set_event(a_limit("T-6"))])
    assert result == {"batchItemFailures": []}  # parked in the DLQ at once, not retried
    assert SupervisionRepository().get_limit(a_limit("T-5").limit_id) is None
    assert SupervisionRepository().get_limit(a_limit("T-6").limit_id) is not None


def test_the_watcher_hears_every_context_that_publishes() -> None:
    """A limit published by a context the rule does not list would be lost without a trace."""
    resources = sam_template()["Resources"]
    sources = set(resources["LimitsWatcherRule"]["Properties"]["EventPattern"]["source"])
    outboxes = [name.removesuffix("Outbox") for name in resources["OutboxRelayFunction"]["Properties"]["Events"]]
    assert "Cases" in outboxes
    assert {f"jszw.{context.lower()}" for context in outboxes} <= sources


def test_clearing_a_limit_writes_no_entry_of_the_subjects_index(cloud: None) -> None:
    # D-336: gsi3 (a subject's limits) holds keys only, so only the due index's entry leaves;
    # units by the cost model's meter, which applies DynamoDB's index billing rule (D-323)
    limit = a_limit("T-METER")
    units = []
    for event in (set_event(limit), cleared_event("T-METER", version=2)):
        meter = metering.Meter(stored_items=True)
        with aws.observe_calls(meter):
            watch([event])
        units.append((meter.usage.write_units, meter.usage.index_write_units))
    # set: the limit (< 1 KB) + its entries in gsi1 and gsi3; cleared: the limit + gsi1's entry removed
    assert units == [(3.0, 2.0), (2.0, 1.0)]
    assert [found.limit_id for found in SupervisionRepository().limits_of("ticket", "T-METER")] == [limit.limit_id]


def changed_event(subject_id: str) -> dict[str, object]:
    """What an approval publishes (D-340): the running limit cleared and the next one started,
    in one `limits.changed`."""
    running = a_limit(subject_id)
    cleared = LimitClearedData.model_validate(cleared_event(subject_id, version=2)["data"])
    started = a_limit(subject_id, version=2, name="licence", limit_id=running.limit_id.replace(":answer", ":licence"))
    [envelope] = limit_changes("hotline", subject_id, [started], [cleared], correlation_id=None)
    return envelope.model_dump(mode="json")


def test_several_limits_in_one_event_are_watched_as_their_single_events_would_be(cloud: None) -> None:
    running = a_limit("T-7")
    watch([set_event(running)])
    event = changed_event("T-7")
    assert event["type"] == "limits.changed"
    meter = metering.Meter(stored_items=True)
    with aws.observe_calls(meter):
        assert watch([event]) == {"batchItemFailures": []}
    # one queue record, the same writes as `limit.cleared` (2 WRU, 1 index) + `limit.set` (3 WRU, 2 index)
    assert (meter.usage.write_units, meter.usage.index_write_units) == (5.0, 3.0)
    limits = {found.name: found for found in SupervisionRepository().limits_of("ticket", "T-7")}
    assert {name: found.state for name, found in limits.items()} == {
        "answer": LimitState.CLEARED,
        "licence": LimitState.RUNNING,
    }
    assert limits["answer"].cleared_reason == "answered"
    assert due_ids() & {found.limit_id for found in limits.values()} == {limits["licence"].limit_id}
    # a redelivered (or retried) record finds both already written: nothing changes
    assert watch([event]) == {"batchItemFailures": []}
    again = {found.name: (found.state, found.version) for found in SupervisionRepository().limits_of("ticket", "T-7")}
    assert again == {"answer": (LimitState.CLEARED, 2), "licence": (LimitState.RUNNING, 2)}


def test_one_limit_that_moved_still_travels_as_its_own_event() -> None:
    limit = a_limit("T-8")
    assert [e.type for e in limit_changes("hotline", "T-8", [limit], [], correlation_id=None)] == ["limit.set"]
    assert limit_changes("hotline", "T-8", [], [], correlation_id=None) == []
