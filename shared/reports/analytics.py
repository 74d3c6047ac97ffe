"""Slow steps (issue 16): how many working days cases spend in each state, per item and
department, from the case events, kept as a projection so a supervisor's question never
reads every case (D-267).

The model is the monitoring one (D-125), state-based:

- Per case the analytics worker keeps one `Timeline`: every case event it has heard of, by
  case version (the state the event left the case in, and when). Merging is idempotent and
  order-free: a duplicate changes nothing and a late event slots in by its version.
- `contributions(timeline)` says what the case adds now: for each stretch of consecutive
  versions in one state that the case has LEFT, one count in the working-day histogram of
  (its region, the month it left the state, department, item, state), the stretch itself as
  a `Stay` (the listing of slow cases reads only the stays past p90), and one submission in
  the week the case was first received (the load history the forecast reads).
- Applying an event writes `contributions(new) - contributions(old)` in ONE transaction with
  the timeline's conditional write, so every histogram is exactly the sum over the cases.

Quantiles are nearest-rank over whole working days: the q-quantile is the smallest x with
at least ceil(q·n) stays of x days or fewer (the median of 1, 2, 3, 4 is 2); a slow case is
a stay of more than p90 days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.clock import SHANGHAI

WorkingDaysBetween = Callable[[dt.date, dt.date], int]
"""Working days d with start < d <= end (the platform calendar)."""


def shanghai_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def week_of(day: dt.date) -> dt.date:
    """The Monday of the day's week."""
    return day - dt.timedelta(days=day.weekday())


class Step(BaseModel):
    model_config = ConfigDict(defer_build=True)

    state: str
    at: dt.datetime


class Timeline(BaseModel):
    """What the analytics projection knows of one case (no person: ids of the case, its
    department and item, states and times)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    case_id: str
    version: int = Field(default=-1, description="The newest version heard of (its facts win).")
    region_code: str = ""
    department_id: str = ""
    item_code: str = ""
    item_name: str = ""
    received_on: dt.date | None = None
    steps: dict[int, Step] = Field(default_factory=dict, description="Case version → the state it left and when.")


@dataclass(frozen=True)
class CaseEvent:
    """The parts of a case event the projection reads."""

    case_id: str
    version: int
    state: str
    time: dt.datetime
    region_code: str
    department_id: str
    item_code: str
    item_name: str
    received_at: dt.datetime | None = None
    """Set on the first submission (`case.submitted`, round 1)."""


def absorb(timeline: Timeline | None, event: CaseEvent) -> Timeline:
    """The timeline after `event` (equal to the old one for a duplicate)."""
    current = timeline.model_copy(deep=True) if timeline else Timeline(case_id=event.case_id)
    if event.version > current.version:
        current.version = event.version
        current.region_code = event.region_code
        current.department_id = event.department_id
        current.item_code = event.item_code
        current.item_name = event.item_name
    known = current.steps.get(event.version)
    if known is None or event.time < known.at:
        # two events of one version (one save): the earlier stands, whatever the delivery order
        current.steps[event.version] = Step(state=event.state, at=event.time)
    if event.received_at is not None and current.received_on is None:
        current.received_on = shanghai_date(event.received_at)
    return current


@dataclass(frozen=True, order=True)
class Stay:
    """A stretch a case spent in one state and then left."""

    state: str
    entered_on: dt.date
    left_on: dt.date
    working_days: int
    version: int
    """The case version that entered the state (a case may be in one state twice)."""


def stays(timeline: Timeline, working_days: WorkingDaysBetween) -> list[Stay]:
    """The states the case has left, in order: consecutive versions in the same state are one stay."""
    versions = sorted(timeline.steps)
    ordered = [timeline.steps[version] for version in versions]
    found: list[Stay] = []
    start = 0
    for index in range(1, len(ordered) + 1):
        if index < len(ordered) and ordered[index].state == ordered[start].state:
            continue
        if index < len(ordered):
            entered, left = shanghai_date(ordered[start].at), shanghai_date(ordered[index].at)
            found.append(Stay(ordered[start].state, entered, left, working_days(entered, left), versions[start]))
        start = index
    return found


# --- what a case adds -----------------------------------------------------------------------

Cell = tuple[str, str, str]
"""(partition, sort key, counter attribute) of a counter row."""


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def histogram_key(region_code: str, month: str) -> str:
    return f"steps#{region_code}#{month}"


def group_key(department_id: str, item_code: str) -> str:
    return f"{department_id}#{item_code}"


def stays_key(region_code: str, month: str, department_id: str, item_code: str) -> str:
    return f"stays#{region_code}#{month}#{department_id}#{item_code}"


def stay_sort_key(state: str, days: int, case_id: str, version: int) -> str:
    # zero-padded days: a Query from `<state>#<p90 + 1>` reads only the slow stays
    return f"{state}#{days:05d}#{case_id}#{version}"


def load_key(region_code: str) -> str:
    return f"load#{region_code}"


def counter_name(state: str, days: int) -> str:
    return f"d.{state}.{days}"


def week_counter(monday: dt.date) -> str:
    return f"w.{monday.isoformat()}"


@dataclass(frozen=True)
class StayRow:
    """One stay as stored (a row of its group's stays partition)."""

    pk: str
    sk: str
    case_id: str
    state: str
    working_days: int
    entered_on: dt.date
    left_on: dt.date


@dataclass
class Contributions:
    cells: Counter[Cell]
    stays: set[StayRow]


def contributions(timeline: Timeline | None, working_days: WorkingDaysBetween) -> Contributions:
    """What one case adds to the histograms, the stays and the load history now."""
    cells: Counter[Cell] = Counter()
    rows: set[StayRow] = set()
    if timeline is None or not timeline.department_id:
        return Contributions(cells, rows)
    region, department, item = timeline.region_code, timeline.department_id, timeline.item_code
    for stay in stays(timeline, working_days):
        month = month_of(stay.left_on)
        cells[
            (histogram_key(region, month), group_key(department, item), counter_name(stay.state, stay.working_days))
        ] += 1
        rows.add(
            StayRow(
                pk=stays_key(region, month, department, item),
                sk=stay_sort_key(stay.state, stay.working_days, timeline.case_id, stay.version),
                case_id=timeline.case_id,
                state=stay.state,
                working_days=stay.working_days,
                entered_on=stay.entered_on,
                left_on=stay.left_on,
            )
        )
    if timeline.received_on:
        cells[(load_key(region), department, week_counter(week_of(timeline.received_on)))] += 1
    return Contributions(+cells, rows)


def difference(old: Counter[Cell], new: Counter[Cell]) -> dict[Cell, int]:
    deltas = {cell: new.get(cell, 0) - old.get(cell, 0) for cell in set(old) | set(new)}
    return {cell: delta for cell, delta in deltas.items() if delta}


# --- reading the histograms back ------------------------------------------------------------


def histograms(row: Mapping[str, object]) -> dict[str, Counter[int]]:
    """State → working days → stays, from a histogram row's counters (zeros left out)."""
    found: dict[str, Counter[int]] = {}
    for name, value in row.items():
        if not name.startswith("d.") or not isinstance(value, int) or value <= 0:
            continue
        state, days = name[2:].rsplit(".", 1)
        found.setdefault(state, Counter())[int(days)] += value
    return found


def quantile(histogram: Mapping[int, int], q: float) -> int | None:
    """Nearest rank: the smallest x with at least ceil(q·n) values <= x (None when empty)."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = max(math.ceil(q * total), 1)
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= wanted:
            return days
    raise AssertionError("unreachable: the counts add up to the total")


def mean(histogram: Mapping[int, int]) -> float | None:
    total = sum(histogram.values())
    return round(sum(days * n for days, n in histogram.items()) / total, 2) if total else None
