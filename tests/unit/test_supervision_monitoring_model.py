"""The monitoring counter model (shared.supervision.monitoring): what a case adds to
the counters, merged from its events in any order and any number of times."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from collections import Counter

from shared.supervision.monitoring import (
    LIVE,
    CaseEvent,
    CaseTrack,
    absorb,
    contributions,
    difference,
    overdue,
    rows_for,
)

UTC = dt.UTC


def weekdays_between(start: dt.date, end: dt.date) -> int:
    return sum(1 for n in range(1, (end - start).days + 1) if (start + dt.timedelta(n)).weekday() < 5)


def event(event_type: str, version: int, state: str, day: int, **extra: object) -> CaseEvent:
    return CaseEvent(
        event_type=event_type,
        time=dt.datetime(2026, 11, day, 2, 0, tzinfo=UTC),  # 10:00 in Shanghai
        case_id="case-1",
        version=version,
        state=state,
        region_code="320102",
        department_id="dept-civil",
        item_code="item-dibao",
        item_name="最低生活保障",
        intake_channel="online",
        delivery_method="courier",
        **extra,  # type: ignore[arg-type]
    )


CLOCK = {"started_on": "2026-11-04", "promised_due_on": "2026-11-11", "legal_due_on": "2026-11-25"}
HISTORY = [
    event("case.submitted", 2, "submitted", 2, round=1, received_at=dt.datetime(2026, 11, 2, 1, tzinfo=UTC)),
    event("case.supplement_required", 3, "supplement_required", 2, notice_id="n1"),
    event("case.submitted", 4, "submitted", 3, round=2, received_at=dt.datetime(2026, 11, 3, 1, tzinfo=UTC)),
    event("case.supplement_required", 5, "supplement_required", 3, notice_id="n2"),
    event("case.submitted", 6, "submitted", 4, round=3, received_at=dt.datetime(2026, 11, 4, 1, tzinfo=UTC)),
    event("case.accepted", 7, "accepted", 4, deadlines=CLOCK),
    event("case.review_started", 8, "in_review", 5),
    event("case.decided", 9, "approved", 13),
    event("case.completed", 10, "completed", 16),
]


def replay(events: list[CaseEvent]) -> CaseTrack | None:
    track = None
    for item in events:
        track = absorb(track, item, weekdays_between)
    return track


def test_an_accepted_case_counts_open_by_state_and_in_its_due_buckets() -> None:
    track = replay(HISTORY[:7])
    assert contributions(track) == Counter(
        {
            (LIVE, "open"): 1,
            (LIVE, "state.in_review"): 1,
            (LIVE, "due.promised.2026-11-11"): 1,
            (LIVE, "due.legal.2026-11-25"): 1,
            ("2026-11", "received"): 1,
            ("2026-11-02", "received"): 1,
            ("2026-11", "received.no_visit"): 1,
            ("2026-11-02", "received.no_visit"): 1,
            ("2026-11", "notice.cases"): 1,
            ("2026-11", "notice.repeated"): 1,
        }
    )


def test_a_decided_case_leaves_the_live_counts_and_counts_on_time_against_each_limit() -> None:
    track = replay(HISTORY)
    cells = contributions(track)
    assert not [cell for cell in cells if cell[0] == LIVE]
    # decided on 11-13: after the promised 11-11, before the legal 11-25; 7 working days after 11-04
    assert cells[("2026-11", "decided")] == 1
    assert cells[("2026-11-13", "decided")] == 1  # the day's own row (today's figures)
    assert cells[("2026-11", "on_time.legal")] == 1
    assert cells[("2026-11", "on_time.promised")] == 0
    assert cells[("2026-11", "decide.working_days")] == 7
    assert cells[("2026-11", "decide.counted")] == 1
    assert cells[("2026-11", "completed")] == 1


def test_any_order_and_duplicates_give_the_same_track() -> None:
    final = replay(HISTORY)
    shuffler = random.Random(15)
    for _ in range(30):
        delivered = HISTORY + shuffler.sample(HISTORY, 4)
        shuffler.shuffle(delivered)
        assert replay(delivered) == final


def test_applying_an_event_twice_writes_nothing_the_second_time() -> None:
    before = replay(HISTORY[:6])
    once = absorb(before, HISTORY[6], weekdays_between)
    twice = absorb(once, HISTORY[6], weekdays_between)
    assert difference(contributions(once), contributions(twice)) == {}
    assert difference(contributions(before), contributions(once)) == {
        (LIVE, "state.accepted"): -1,
        (LIVE, "state.in_review"): 1,
    }


def test_a_suspended_case_leaves_the_due_buckets_until_it_resumes() -> None:
    suspended = event("case.suspended", 9, "suspended", 6, deadlines=CLOCK | {"suspended_since": "2026-11-06"})
    moved = CLOCK | {"promised_due_on": "2026-11-13", "legal_due_on": "2026-11-27", "suspended_working_days": 2}
    resumed = event("case.resumed", 10, "in_review", 10, deadlines=moved)
    track = replay([*HISTORY[:7], suspended])
    assert not [cell for cell in contributions(track) if cell[1].startswith("due.")]
    assert contributions(track)[(LIVE, "state.suspended")] == 1
    track = absorb(track, resumed, weekdays_between)
    assert contributions(track)[(LIVE, "due.legal.2026-11-27")] == 1
    decided = absorb(track, event("case.decided", 11, "approved", 13), weekdays_between)
    # 7 working days 11-04..11-13, 2 of them suspended; within the moved promise (11-13)
    assert decided.decide_working_days == 5
    assert contributions(decided)[("2026-11", "on_time.promised")] == 1


def test_hall_intake_or_pickup_is_not_no_visit() -> None:
    submitted = HISTORY[0]
    for channel, method in itertools.product(("online", "hall"), ("courier", "electronic", "pickup")):
        fact = dataclasses.replace(submitted, intake_channel=channel, delivery_method=method)
        track = absorb(None, fact, weekdays_between)
        assert track.no_visit is (channel == "online" and method != "pickup"), (channel, method)


def test_overdue_adds_the_buckets_before_today() -> None:
    counts = {"due.legal.2026-11-24": 2, "due.legal.2026-11-25": 3, "due.legal.2026-11-26": 4, "open": 9}
    assert overdue(counts, "due.legal.", dt.date(2026, 11, 26)) == 5
    assert overdue(counts, "due.promised.", dt.date(2026, 11, 26)) == 0


def test_a_county_case_counts_in_its_department_item_and_each_region_above() -> None:
    track = replay(HISTORY)
    assert track is not None
    rows = rows_for(track, ["320102", "320100", "320000"], shard=3)
    assert [(row.region_code, row.key) for row in rows] == [
        ("320102", "dept#dept-civil"),
        ("320102", "item#item-dibao"),
        ("320100", "sub#320102#3"),
        ("320000", "sub#320100#3"),
    ]
