"""The legal clock (shared/cases/clock.py): pure, against the package calendar
(2026: Mid-Autumn 09-25, National Day 10-01..07, adjusted working 09-20 Sun
and 10-10 Sat)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.cases import clock
from shared.cases.models import Deadlines, SuspensionKind
from shared.workdays.rules import Calendar

CAL = Calendar()
D = dt.date


START = D(2026, 9, 21)


def _start(on: dt.date = START, *, promised: int = 10, legal: int = 20, joint: bool = False) -> Deadlines:
    return clock.start(CAL, on, promised_days=promised, legal_days=legal, joint=joint)


def _suspend(c: Deadlines, on: dt.date, days: int = 5) -> Deadlines:
    return clock.suspend(CAL, c, on, kind=SuspensionKind.TESTING, reason="送检测机构检测", expected_working_days=days)


class TestStart:
    def test_the_brief_example_twenty_working_days_from_0921_end_1026(self) -> None:
        c = _start()
        assert c.legal_due_on == D(2026, 10, 26)
        # 09-22..24, 28..30, 10-08, 09, 10 (Saturday worked), 12
        assert c.promised_due_on == D(2026, 10, 12)
        assert CAL.working_days_between(D(2026, 9, 21), c.promised_due_on).working_days == 10

    def test_adjusted_working_saturday_counts(self) -> None:
        c = _start(D(2026, 10, 9), promised=1, legal=1)
        assert c.legal_due_on == D(2026, 10, 10)  # a Saturday worked (调休)

    def test_immediate_items_are_due_the_day_they_start(self) -> None:
        c = _start(promised=0)
        assert c.promised_due_on == D(2026, 9, 21)

    def test_joint_items_flag_the_joint_extension(self) -> None:
        assert clock.extension_days(joint=True) == 15
        assert clock.extension_days(joint=False) == 10


class TestSuspension:
    def test_resumption_moves_every_deadline_by_the_working_days_suspended(self) -> None:
        c = _start()
        stopped = _suspend(c, D(2026, 9, 24))
        assert stopped.suspended_since == D(2026, 9, 24)
        assert stopped.legal_due_on == c.legal_due_on  # only completed suspensions move dates
        resumed = clock.resume(CAL, stopped, D(2026, 9, 30))
        # 09-25 (holiday), 26, 27 (weekend) are not working days: 28, 29, 30 are
        assert resumed.suspensions[0].working_days == 3
        assert resumed.suspended_working_days == 3
        assert resumed.suspended_since is None
        assert resumed.legal_due_on == CAL.add_working_days(D(2026, 9, 21), 23).date
        assert resumed.promised_due_on == CAL.add_working_days(D(2026, 9, 21), 13).date
        assert resumed.suspensions[0].reason == "送检测机构检测"

    def test_history_is_kept_across_suspensions(self) -> None:
        c = clock.resume(CAL, _suspend(_start(), D(2026, 9, 22)), D(2026, 9, 23))
        c = clock.resume(CAL, _suspend(c, D(2026, 9, 28)), D(2026, 10, 9))
        assert [s.working_days for s in c.suspensions] == [1, 4]  # 09-29, 09-30, 10-08, 10-09
        assert c.legal_due_on == CAL.add_working_days(D(2026, 9, 21), 25).date

    def test_cannot_suspend_twice_or_resume_a_running_clock(self) -> None:
        c = _suspend(_start(), D(2026, 9, 22))
        with pytest.raises(clock.ClockError) as caught:
            _suspend(c, D(2026, 9, 23))
        assert caught.value.code == clock.ALREADY_SUSPENDED
        with pytest.raises(clock.ClockError) as caught:
            clock.resume(CAL, _start(), D(2026, 9, 23))
        assert caught.value.code == clock.NOT_SUSPENDED

    def test_dates_cannot_go_backwards(self) -> None:
        with pytest.raises(clock.ClockError):
            _suspend(_start(), D(2026, 9, 20))
        with pytest.raises(clock.ClockError):
            clock.resume(CAL, _suspend(_start(), D(2026, 9, 23)), D(2026, 9, 22))

    def test_usage_does_not_count_suspended_days(self) -> None:
        c = _suspend(_start(), D(2026, 9, 22))
        use = clock.usage(CAL, c, D(2026, 9, 30))
        assert use.used_days == 1
        assert not use.running
        assert not use.overdue


class TestExtension:
    def test_extension_moves_the_legal_limit_once(self) -> None:
        c = clock.extend(CAL, _start(), D(2026, 9, 22), reason="需现场核查", approved_by="supervisor:01AB****WXYZ")
        assert c.extension is not None
        assert c.extension.working_days == 10
        assert c.legal_due_on == CAL.add_working_days(D(2026, 9, 21), 30).date
        assert c.promised_due_on == _start().promised_due_on
        with pytest.raises(clock.ClockError) as caught:
            clock.extend(CAL, c, D(2026, 9, 23), reason="再次延长", approved_by="x")
        assert caught.value.code == clock.ALREADY_EXTENDED

    def test_joint_extension_is_fifteen(self) -> None:
        c = clock.extend(CAL, _start(legal=45, joint=True), D(2026, 9, 22), reason="并联审批延长", approved_by="x")
        assert c.legal_due_on == CAL.add_working_days(D(2026, 9, 21), 60).date

    def test_usage_and_overdue(self) -> None:
        c = _start()
        assert clock.usage(CAL, c, c.legal_due_on).left_days == 0
        assert not clock.usage(CAL, c, c.legal_due_on).overdue
        after = clock.usage(CAL, c, c.legal_due_on + dt.timedelta(days=1))
        assert after.overdue


# --- properties ------------------------------------------------------------------------------

starts = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 6, 30))
limits = st.integers(min_value=1, max_value=60)
steps = st.lists(st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=40)), max_size=4)


def _apply(start: dt.date, limit: int, plan: list[tuple[int, int]]) -> list[Deadlines]:
    c = _start(start, promised=limit, legal=limit)
    day = start
    history = [c]
    for gap, length in plan:
        day = day + dt.timedelta(days=gap)
        c = _suspend(c, day)
        history.append(c)
        day = day + dt.timedelta(days=length)
        c = clock.resume(CAL, c, day)
        history.append(c)
    return history


@settings(max_examples=150, deadline=None)
@given(starts, limits, steps)
def test_suspension_never_shortens_a_deadline(start: dt.date, limit: int, plan: list[tuple[int, int]]) -> None:
    history = _apply(start, limit, plan)
    for before, after in itertools.pairwise(history):
        assert after.legal_due_on >= before.legal_due_on
        assert after.promised_due_on >= before.promised_due_on


@settings(max_examples=150, deadline=None)
@given(starts, limits, steps, st.booleans())
def test_deadlines_always_land_on_working_days(
    start: dt.date, limit: int, plan: list[tuple[int, int]], extended: bool
) -> None:
    final = _apply(start, limit, plan)[-1]
    if extended:
        final = clock.extend(CAL, final, final.started_on, reason="延长审查", approved_by="x")
    assert CAL.is_workday(final.legal_due_on)
    assert CAL.is_workday(final.promised_due_on)
    # and the limit is exactly the working days counted, minus those suspended
    counted = CAL.working_days_between(final.started_on, final.legal_due_on).working_days
    extra = final.extension.working_days if final.extension else 0
    assert counted == limit + final.suspended_working_days + extra


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 11, 30)), st.integers(min_value=1, max_value=20))
def test_adjusted_working_weekends_count(start: dt.date, limit: int) -> None:
    due = _start(start, promised=limit, legal=limit).legal_due_on
    counted = [
        start + dt.timedelta(days=i)
        for i in range(1, (due - start).days + 1)
        if CAL.is_workday(start + dt.timedelta(days=i))
    ]
    assert len(counted) == limit
    # every 调休 Saturday/Sunday in the span is among the counted days
    weekends_worked = [d for d in counted if d.weekday() >= 5]
    assert all(CAL.is_workday(d) for d in weekends_worked)
