"""Analytics for supervisors (issue 16): slow steps from the stay histograms, the cases past
p90, and the load forecast from the weekly history; and applying case events to the
projection they are read from (D-267, D-268)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache

import shared.workdays.api as workdays
from shared.reports import analytics as a
from shared.reports import forecast as f
from shared.reports.analytics_shapes import (
    DepartmentLoad,
    GroupSteps,
    LoadForecast,
    SlowCase,
    SlowCases,
    SlowSteps,
    StateFigures,
    WeekLoad,
)
from shared.reports.analytics_store import AnalyticsStore

HISTORY_SHOWN = 16
"""Weeks of history a forecast shows next to its figures."""


def _state_figures(state: str, histogram: Counter[int]) -> StateFigures:
    p90 = a.quantile(histogram, 0.9)
    return StateFigures(
        state=state,
        stays=sum(histogram.values()),
        median_working_days=a.quantile(histogram, 0.5),
        p90_working_days=p90,
        mean_working_days=a.mean(histogram),
        over_p90=sum(n for days, n in histogram.items() if p90 is not None and days > p90),
    )


def _group(row: dict[str, object]) -> GroupSteps:
    states = a.histograms(row)
    return GroupSteps(
        department_id=str(row["department_id"]),
        item_code=str(row["item_code"]),
        item_name=str(row.get("item_name", "")),
        states=[_state_figures(state, states[state]) for state in sorted(states)],
    )


class Analytics:
    def __init__(self, store: AnalyticsStore, working_days: a.WorkingDaysBetween) -> None:
        self.store = store
        self.working_days = working_days

    # --- the projection -------------------------------------------------------------------

    def apply(self, events: Iterable[a.CaseEvent]) -> int:
        """Merge the events into their cases' timelines (one read of them all) and write each
        changed case: its timeline over its revision, then the change of what it adds, one write
        each (D-281). Returns the cases written; a duplicate writes nothing."""
        by_case: dict[str, list[a.CaseEvent]] = defaultdict(list)
        for event in events:
            by_case[event.case_id].append(event)
        known = self.store.timelines(by_case)
        written = 0
        for case_id, arrived in by_case.items():
            old, rev = known.get(case_id, (None, 0))
            new = old
            for event in arrived:
                new = a.absorb(new, event)
            if new is None or new == old:
                continue
            self._write(old, new, rev)
            written += 1
        return written

    def _write(self, old: a.Timeline | None, new: a.Timeline, rev: int) -> None:
        before, after = a.contributions(old, self.working_days), a.contributions(new, self.working_days)
        writes = self.store.transaction()
        self.store.put_timeline(writes, new, rev)
        rows: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        for (pk, sk, name), delta in a.difference(before.cells, after.cells).items():
            rows[(pk, sk)][name] = delta
        for (pk, sk), deltas in sorted(rows.items()):
            department, _, item = sk.partition("#")
            labels = {"department_id": department}
            if pk.startswith("steps#"):
                labels |= {"item_code": item, "item_name": new.item_name if item == new.item_code else item}
            self.store.add(writes, pk, sk, deltas, labels)
        # by key: a stay that changed only its dates is rewritten, not deleted and put (one item, one step)
        kept = {(row.pk, row.sk) for row in after.stays}
        for gone in sorted(before.stays, key=lambda row: (row.pk, row.sk)):
            if (gone.pk, gone.sk) not in kept:
                self.store.delete_stay(writes, gone)
        for added in sorted(after.stays - before.stays, key=lambda row: (row.pk, row.sk)):
            self.store.put_stay(writes, added)
        writes.commit_guarded()  # the timeline first: when it moved meanwhile nothing else is written

    # --- slow steps -------------------------------------------------------------------------

    def slow_steps(self, region_code: str, month: str) -> SlowSteps:
        """Every department and item of the region with stays ended in the month (ONE Query)."""
        rows = self.store.partition(a.histogram_key(region_code, month))
        groups = [_group(row) for row in rows]
        return SlowSteps(region_code=region_code, month=month, groups=[g for g in groups if g.states])

    def slow_cases(self, region_code: str, month: str, department_id: str, item_code: str) -> SlowCases | None:
        """The figures of one department's item and the stays past p90 (one GetItem, one Query per state)."""
        row = self.store.row(a.histogram_key(region_code, month), a.group_key(department_id, item_code))
        if row is None:
            return None
        group = _group(row)
        slow: list[SlowCase] = []
        for figures in group.states:
            if figures.p90_working_days is None or not figures.over_p90:
                continue
            found = self.store.stays_from(
                a.stays_key(region_code, month, department_id, item_code), figures.state, figures.p90_working_days + 1
            )
            found.sort(key=lambda stay: (-int(stay["working_days"]), str(stay["case_id"])))
            slow += [SlowCase.model_validate(stay) for stay in found]
        return SlowCases(**group.model_dump(), region_code=region_code, month=month, slow_cases=slow)

    # --- load -------------------------------------------------------------------------------

    def load_forecast(self, region_code: str, today: dt.date) -> LoadForecast:
        """Per department of the region, the next 8 weeks from its weekly history (ONE Query)."""
        start = a.week_of(today) + f.WEEK  # the current week is not whole: forecast from the next
        week_days = f.week_working_days(self.working_days)
        departments = []
        for row in self.store.partition(a.load_key(region_code)):
            history = {
                dt.date.fromisoformat(name[2:]): int(value)
                for name, value in row.items()
                if name.startswith("w.") and isinstance(value, int)
            }
            known = {week: n for week, n in history.items() if week < a.week_of(today)}
            made = f.forecast(known, start, week_days)
            shown = [a.week_of(today) - f.WEEK * n for n in range(HISTORY_SHOWN, 0, -1)]
            departments.append(
                DepartmentLoad(
                    department_id=str(row["department_id"]),
                    history=[WeekLoad(week=w, working_days=week_days(w), submissions=known.get(w, 0)) for w in shown],
                    forecast=[WeekLoad(week=w, working_days=week_days(w), expected=e) for w, e in made.weeks],
                    seasonal=made.seasonal,
                )
            )
        return LoadForecast(region_code=region_code, model=f.MODEL, departments=departments)


@cache
def analytics() -> Analytics:
    def working_days(start: dt.date, end: dt.date) -> int:
        return workdays.calendar().working_days_between(start, end).working_days

    return Analytics(AnalyticsStore(), working_days)
