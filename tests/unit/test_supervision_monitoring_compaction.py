"""Monitoring's live rows do not keep spent due-date buckets (issue 22 point 10): a bucket at 0
for a day already past leaves the row with the next ADD to it — no call more — unless it moved
meanwhile; the recount (D-265) stores a corrected 0 as an absent figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from shared.platform import aws
from shared.platform.clock import frozen_at
from shared.supervision import monitoring as m
from shared.supervision.monitoring_recount import recount
from shared.supervision.monitoring_service import monitoring
from shared.supervision.monitoring_store import MonitoringStore
from tests.unit.monitoring_fixtures import monitoring_cloud

UTC = dt.UTC
CLOCK = {"started_on": "2026-11-04", "promised_due_on": "2026-11-11", "legal_due_on": "2026-11-25"}
PROMISED, LEGAL = "due.promised.2026-11-11", "due.legal.2026-11-25"
DEPT = m.Row("320102", "dept#dept-civil")


@pytest.fixture
def cloud() -> Iterator[None]:
    with monitoring_cloud():
        yield


def apply(event_type: str, version: int, state: str, day: int, **extra: object) -> int:
    """Apply one event of case-1 on `day`; the UpdateItems it took."""
    moment = dt.datetime(2026, 11, day, 2, 0, tzinfo=UTC)
    event = m.CaseEvent(
        event_type=event_type, time=moment, case_id="case-1", version=version, state=state, region_code="320102",
        department_id="dept-civil", item_code="item-dibao", item_name="最低生活保障", intake_channel="online",
        delivery_method="courier", **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    with frozen_at(moment), aws.count_calls() as calls:
        monitoring().apply_case_event(event)
    return calls["dynamodb.UpdateItem"]


def live_rows() -> dict[str, dict[str, object]]:
    """The case's live rows: its department's and item's in 320102, its region's in 320100 and 320000."""
    rows: dict[str, dict[str, object]] = {}
    for region in ("320102", "320100", "320000"):
        rows |= {f"{region}/{row['sk']}": row for row in MonitoringStore().rows(region, m.LIVE)}
    return rows


def test_a_spent_due_bucket_leaves_the_live_rows_with_their_next_add(cloud: None) -> None:
    assert apply("case.accepted", 7, "accepted", 4, deadlines=CLOCK) == 4  # the four live rows
    apply("case.decided", 9, "approved", 13)
    assert {(row[PROMISED], row[LEGAL]) for row in live_rows().values()} == {(0, 0)}
    # completed three days later: the same rows move; the promised bucket (11-11, past) goes with
    # those ADDs — one UpdateItem per row and scope, as before — the legal one (11-25) is still ahead
    assert apply("case.completed", 10, "completed", 16) == 4 + 4  # live rows, month rows
    rows = live_rows()
    assert len(rows) == 4
    assert all(PROMISED not in row and row[LEGAL] == 0 for row in rows.values())
    # what a supervisor reads is what it was: nothing open, nothing overdue
    view = monitoring().month_view("320000", "2026-11")
    assert (view.total.month.decided, view.total.month.completed) == (1, 1)


def test_a_bucket_raised_meanwhile_is_kept_and_the_add_still_lands(cloud: None) -> None:
    apply("case.accepted", 7, "accepted", 4, deadlines=CLOCK)
    apply("case.decided", 9, "approved", 13)
    # another worker (its own store) counts a case into the promised bucket of the department's row
    MonitoringStore().add(DEPT, m.LIVE, {PROMISED: 1}, "dept-civil", dt.date(2026, 11, 16))
    assert apply("case.completed", 10, "completed", 16) == 4 + 4 + 1  # that row's removal refused, the ADD again
    dept = live_rows()["320102/dept#dept-civil"]
    assert (dept[PROMISED], dept["open"]) == (1, 0)
    assert all(PROMISED not in row for key, row in live_rows().items() if key != "320102/dept#dept-civil")
    # the recount takes the stray figure back to what the tracks say (0): an absent figure, not a stored 0
    with frozen_at(dt.datetime(2026, 11, 17, 2, tzinfo=UTC)):
        found = recount(monitoring(), m.LIVE)
    assert (found.rows_corrected, found.rows_moved_meanwhile) == (1, 0)
    assert PROMISED not in live_rows()["320102/dept#dept-civil"]
