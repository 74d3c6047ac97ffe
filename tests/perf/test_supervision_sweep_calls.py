"""The supervision sweep reads only the due set: with the same cases due and
10x more cases in total, its AWS calls grow by at most 10 %. Counted exactly
through botocore's hooks against moto. Run with `make bench`; the table
printed goes into docs/performance.md."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shared.cases import clock
from shared.cases.repository import CasesRepository, case_record
from shared.cases.service import cases_service
from shared.cases.supervision import WarningPolicy
from shared.platform import aws
from shared.platform.clock import frozen_at
from shared.platform.dynamo import to_item
from shared.platform.ids import new_id
from shared.workdays.rules import Calendar
from tests.support.api import call
from tests.unit.cases_fixtures import (
    CASES_TABLE,
    XUANWU_CIVIL,
    cases_cloud,
    complete_subsistence_case,
    run_pre_review,
    submit,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
START = dt.date(2026, 9, 21)
CAL = Calendar()
DUE = 10
SMALL_TOTAL = 40
BIG_TOTAL = 400
SWEEP_DAY = CAL.add_working_days(START, 31).date  # the due cases are overdue (red)


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with cases_cloud():
        yield


def _load(count: int, *, due: bool) -> None:
    """Cases cloned from one accepted case, written straight to the table (batches of 25)."""
    with frozen_at(MONDAY):
        case_id = complete_subsistence_case()
        submit(case_id)
        run_pre_review(case_id)
        assert call("POST", f"/v1/cases/{case_id}/accept", XUANWU_CIVIL).status == 200
    template = CasesRepository().get(case_id)
    assert template is not None
    # 250-day limits (promised and legal) are far beyond the sweep's horizon
    promised, legal = (20, 30) if due else (250, 250)
    deadlines = clock.start(CAL, START, promised_days=promised, legal_days=legal)
    client = boto3.client("dynamodb")
    items = [
        case_record(template.model_copy(update={"case_id": new_id(), "deadlines": deadlines}))
        for _ in range(count - (1 if due else 0))
    ]
    if not due:  # the template itself is due; count it in the due set instead
        client.delete_item(TableName=CASES_TABLE, Key=to_item({"pk": f"CASE#{case_id}", "sk": "CASE"}))
    for start in range(0, len(items), 25):
        batch: list[Any] = [{"PutRequest": {"Item": to_item(item)}} for item in items[start : start + 25]]
        client.batch_write_item(RequestItems={CASES_TABLE: batch})


def _sweep() -> Counter[str]:
    moment = dt.datetime(SWEEP_DAY.year, SWEEP_DAY.month, SWEEP_DAY.day, 2, tzinfo=dt.UTC)
    with frozen_at(moment), aws.count_calls() as calls:
        result = cases_service().sweep_deadlines(SWEEP_DAY, WarningPolicy.configured(), correlation_id=None)
    assert result.finished
    return Counter(calls)


@pytest.mark.perf
def test_sweep_calls_grow_with_the_due_set_not_the_total(cloud: None) -> None:
    _load(DUE, due=True)
    _load(SMALL_TOTAL - DUE, due=False)
    first = _sweep()  # raises the warnings
    small = _sweep()  # steady state: every warning exists already
    _load(BIG_TOTAL - SMALL_TOTAL, due=False)
    big = _sweep()
    print("\n\n| sweep | cases in table | due | AWS calls | detail |\n|---|---:|---:|---:|---|")
    for name, total, calls in (
        ("first run", SMALL_TOTAL, first),
        ("re-run", SMALL_TOTAL, small),
        ("re-run, 10x cases", BIG_TOTAL, big),
    ):
        detail = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
        print(f"| {name} | {total} | {DUE} | {sum(calls.values())} | {detail} |")
    assert "dynamodb.Scan" not in big
    assert sum(big.values()) <= 1.1 * sum(small.values())
