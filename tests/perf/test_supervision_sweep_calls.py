"""The supervision sweep reads only the due set: with the same cases due and 10x
more cases watched in total (each with its legal and promised limit), its AWS
calls grow by at most 10 %. Counted exactly through botocore's hooks against
moto. Run with `make bench`; the table printed goes into docs/performance.md."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest

from shared.platform import aws
from shared.platform.clock import frozen_at, now
from shared.supervision.repository import SupervisionRepository
from shared.supervision.service import supervision_service
from shared.supervision.warnings import WarningPolicy
from shared.workdays.rules import Calendar
from tests.unit.supervision_fixtures import a_limit, supervision_cloud

START = dt.date(2026, 9, 21)
CAL = Calendar()
DUE = 10
SMALL_TOTAL = 40
BIG_TOTAL = 400
SWEEP_DAY = CAL.add_working_days(START, 31).date  # the due limits are overdue (red)
LEGAL_DUE = CAL.add_working_days(START, 30).date
PROMISED_DUE = CAL.add_working_days(START, 20).date
FAR = CAL.add_working_days(START, 250).date  # far beyond the sweep's horizon


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with supervision_cloud():
        yield


def _load(start: int, count: int, *, due: bool) -> None:
    """Cases' legal and promised limits as the watcher keeps them (30 and 20 working days;
    250 for the cases due far beyond the sweep's horizon)."""
    repository = SupervisionRepository()
    for number in range(start, start + count):
        for name, due_on, days in (("legal", LEGAL_DUE, 30), ("promised", PROMISED_DUE, 20)):
            limit = a_limit(f"S-{number:04d}", due_on=due_on if due else FAR, limit_days=days if due else 250)
            key = limit.limit_id.rsplit(":", 1)[0] + f":{name}"
            assert repository.record_limit(limit.model_copy(update={"limit_id": key, "name": name}), now())


def _sweep() -> Counter[str]:
    moment = dt.datetime(SWEEP_DAY.year, SWEEP_DAY.month, SWEEP_DAY.day, 2, tzinfo=dt.UTC)
    with frozen_at(moment), aws.count_calls() as calls:
        result = supervision_service().warnings.sweep(SWEEP_DAY, WarningPolicy.configured(), correlation_id=None)
    assert result.finished
    return Counter(calls)


@pytest.mark.perf
def test_sweep_calls_grow_with_the_due_set_not_the_total(cloud: None) -> None:
    _load(0, DUE, due=True)
    _load(DUE, SMALL_TOTAL - DUE, due=False)
    first = _sweep()  # raises the warnings
    small = _sweep()  # steady state: every warning exists already
    _load(SMALL_TOTAL, BIG_TOTAL - SMALL_TOTAL, due=False)
    big = _sweep()
    print("\n\n| sweep | cases watched | due | AWS calls | detail |\n|---|---:|---:|---:|---|")
    for name, total, calls in (
        ("first run", SMALL_TOTAL, first),
        ("re-run", SMALL_TOTAL, small),
        ("re-run, 10x cases", BIG_TOTAL, big),
    ):
        detail = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
        print(f"| {name} | {total} | {DUE} | {sum(calls.values())} | {detail} |")
    assert first["dynamodb.TransactWriteItems"] == 4 * DUE  # yellow and red on both limits, once each
    assert "dynamodb.TransactWriteItems" not in small
    assert "dynamodb.Scan" not in big
    assert sum(big.values()) <= 1.1 * sum(small.values())
