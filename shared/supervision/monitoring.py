"""Live monitoring (实时监控, C26, issue 15): counters maintained from case events as
they happen, rolled up by region-code prefix, so a supervisor's view of a province
reads a handful of counter rows and never a case.

The model is state-based, not delta-based (D-125):

- Per case the consumer keeps one `CaseTrack`: what monitoring knows of the case,
  merged from its events field group by field group, each by the case `version`
  that set it (the newest state, the newest clock, the first submission, every
  supplement notice, the decision). Merging is idempotent and order-free: a
  duplicate or an older delivery changes nothing or only fills a gap.
- `contributions(track)` says what the case adds to the counters right now: one
  in `state.<state>` while open, one in the due-date bucket of each running limit,
  one in the month it was received / decided / completed, …
- Applying an event writes the track (conditional on its revision), then
  `contributions(new) - contributions(old)` with one atomic ADD per row (D-281:
  no transaction, half the write units). Every counter is therefore the sum of
  `contributions` over the cases' tracks, whatever the delivery order, and a
  redelivered event writes nothing — except after a worker stopped between the
  track and its ADDs, which leaves those rows short by that event (the price of
  D-281, as D-195's for the unread count; `monitoring_recount` repairs it, D-265).

Overdue is not a counter that a sweep moves: the running limits count in due-date
buckets (`due.legal.2026-12-04`), and a query adds up the buckets before today.

Where the counts live (rows of the supervision table; `cells` below):
- `dept#<id>` and `item#<code>` rows in the partition of the case's own region
  (the department's region): the breakdown supervisors see for that region;
- `sub#<child>#<shard>` rows in the partition of every region above it, one per
  step of the chain (county → city → province): the child region's total, sharded
  because a province row takes every case of a city.
The total of a region is the sum of its `sub#` rows and its own `dept#` rows; a
region's view is one Query of its live partition and one of its month partition.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.clock import SHANGHAI

# Case states (strings of the cases context's state machine, as its events carry them).
TERMINAL_STATES = frozenset({"draft", "withdrawn", "refused_at_intake", "completed"})
"""No longer open: counted in the month they ended, not in the live state counts."""
CLOCK_RUNNING_STATES = frozenset({"accepted", "in_review"})
"""The legal and promised limits run: the case sits in a due-date bucket."""
NO_VISIT_DELIVERY = frozenset({"courier", "electronic"})
"""Result delivery that needs no trip to a hall (快递送达, 电子送达)."""
HALL_INTAKE = "hall"
"""The intake channel of a case a hall's counter took in (窗口受理): one visit."""
HALL_PICKUP = "pickup"
"""The delivery method that hands the result over at a hall (大厅自取): one visit."""

LIVE = "live"
"""The scope of counts that hold now (open cases by state, due-date buckets)."""

# Attribute names of the counter rows (stable: stored, and the scorecard reads them).
CASES_OPEN = "open"
STATE_PREFIX = "state."
DUE_PROMISED_PREFIX = "due.promised."
DUE_LEGAL_PREFIX = "due.legal."
ORDERS_OPEN = "orders.open"
WARNINGS_OPEN_YELLOW = "warnings.open.yellow"
WARNINGS_OPEN_RED = "warnings.open.red"
DUE_ORDER_PREFIX = "due.order."
RECEIVED = "received"
RECEIVED_NO_VISIT = "received.no_visit"
RECEIVED_VISIT_ONCE = "received.visit_once"
DECIDED = "decided"
ON_TIME_PROMISED = "on_time.promised"
ON_TIME_LEGAL = "on_time.legal"
DECIDE_DAYS = "decide.working_days"
DECIDE_DAYS_COUNTED = "decide.counted"
NOTICE_CASES = "notice.cases"
NOTICE_REPEATED = "notice.repeated"
COMPLETED = "completed"
DAILY = (DECIDED, ON_TIME_PROMISED, ON_TIME_LEGAL, RECEIVED, RECEIVED_NO_VISIT, RECEIVED_VISIT_ONCE)
"""Also counted per day (scope `2026-11-06`: today's rates), in rows of their own so the
month rows stay small (D-208)."""


def shanghai_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class CaseTrack(BaseModel):
    """What monitoring knows of one case, merged from its events (see the module doc)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    case_id: str
    version: int = Field(default=-1, description="The case version the state came from.")
    state: str = ""
    region_code: str = ""
    department_id: str = ""
    item_code: str = ""
    item_name: str = ""
    received_on: dt.date | None = Field(default=None, description="First submission (申报), Asia/Shanghai.")
    no_visit: bool | None = Field(default=None, description="Filed online and delivered without a visit.")
    visits: int | None = Field(default=None, description="Trips to a hall the case takes (D-282): 0, 1 or 2.")
    clock_version: int = -1
    started_on: dt.date | None = None
    promised_due_on: dt.date | None = None
    legal_due_on: dt.date | None = None
    suspended_working_days: int = 0
    notices: dict[str, dt.date] = Field(default_factory=dict, description="Supplement notice id → issued on.")
    decided_on: dt.date | None = None
    decide_working_days: int | None = None
    completed_on: dt.date | None = None

    @property
    def open(self) -> bool:
        return bool(self.state) and self.state not in TERMINAL_STATES


Cell = tuple[str, str]
"""(scope, attribute): scope is `live`, a month `2026-12` or a day `2026-12-06`."""


def contributions(track: CaseTrack | None) -> Counter[Cell]:
    """What one case adds to its counter rows now (zero for an unknown case)."""
    cells: Counter[Cell] = Counter()
    if track is None or not track.state:
        return cells
    if track.open:
        cells[(LIVE, CASES_OPEN)] += 1
        cells[(LIVE, STATE_PREFIX + track.state)] += 1
    if track.state in CLOCK_RUNNING_STATES:
        if track.promised_due_on:
            cells[(LIVE, DUE_PROMISED_PREFIX + track.promised_due_on.isoformat())] += 1
        if track.legal_due_on:
            cells[(LIVE, DUE_LEGAL_PREFIX + track.legal_due_on.isoformat())] += 1
    if track.received_on:
        _happened(cells, track.received_on, RECEIVED)
        if track.no_visit:
            _happened(cells, track.received_on, RECEIVED_NO_VISIT)
        if track.visits == 1:
            _happened(cells, track.received_on, RECEIVED_VISIT_ONCE)
    if track.decided_on:
        decided = track.decided_on
        _happened(cells, decided, DECIDED)
        if track.promised_due_on and decided <= track.promised_due_on:
            _happened(cells, decided, ON_TIME_PROMISED)
        if track.legal_due_on and decided <= track.legal_due_on:
            _happened(cells, decided, ON_TIME_LEGAL)
        if track.decide_working_days is not None:
            cells[(month_of(decided), DECIDE_DAYS)] += track.decide_working_days
            cells[(month_of(decided), DECIDE_DAYS_COUNTED)] += 1
    issued = sorted(track.notices.values())
    if issued:
        cells[(month_of(issued[0]), NOTICE_CASES)] += 1
    if len(issued) > 1:
        # one-time notice (一次性告知) broken: counted in the month of the second notice
        cells[(month_of(issued[1]), NOTICE_REPEATED)] += 1
    if track.completed_on:
        cells[(month_of(track.completed_on), COMPLETED)] += 1
    return +cells


def _happened(cells: Counter[Cell], day: dt.date, attribute: str) -> None:
    cells[(month_of(day), attribute)] += 1
    if attribute in DAILY:
        cells[(day.isoformat(), attribute)] += 1


def difference(old: Counter[Cell], new: Counter[Cell]) -> dict[Cell, int]:
    """`new - old` as signed deltas, zeros left out."""
    deltas = {cell: new.get(cell, 0) - old.get(cell, 0) for cell in set(old) | set(new)}
    return {cell: delta for cell, delta in deltas.items() if delta}


# --- merging events into a track ---------------------------------------------------------


@dataclass(frozen=True)
class CaseEvent:
    """The parts of a case event monitoring reads (every case event's facts and the
    extras of some types), independent of the event's data model."""

    event_type: str
    time: dt.datetime
    case_id: str
    version: int
    state: str
    region_code: str
    department_id: str
    item_code: str
    item_name: str
    intake_channel: str | None = None
    delivery_method: str | None = None
    round: int | None = None
    received_at: dt.datetime | None = None
    notice_id: str | None = None
    deadlines: Mapping[str, Any] | None = None


WorkingDaysBetween = Callable[[dt.date, dt.date], int]
"""Working days d with start < d <= end (the platform calendar)."""


def absorb(track: CaseTrack | None, event: CaseEvent, working_days: WorkingDaysBetween) -> CaseTrack:
    """The track after `event`; the same track again for a duplicate, and an older
    event only fills what is still unknown (field groups merge by version)."""
    current = track.model_copy(deep=True) if track else CaseTrack(case_id=event.case_id)
    if event.version > current.version:
        current.version = event.version
        current.state = event.state
        current.region_code = event.region_code
        current.department_id = event.department_id
        current.item_code = event.item_code
        current.item_name = event.item_name
    if event.intake_channel is not None and event.delivery_method is not None and current.no_visit is None:
        current.no_visit = event.intake_channel == "online" and event.delivery_method in NO_VISIT_DELIVERY
    if event.intake_channel is not None and event.delivery_method is not None and current.visits is None:
        current.visits = visits(event.intake_channel, event.delivery_method)
    if event.event_type == "case.submitted" and event.round == 1 and event.received_at is not None:
        current.received_on = shanghai_date(event.received_at)
    if event.event_type == "case.supplement_required" and event.notice_id:
        current.notices.setdefault(event.notice_id, shanghai_date(event.time))
    if event.deadlines is not None and event.version > current.clock_version:
        current.clock_version = event.version
        current.started_on = _date(event.deadlines.get("started_on"))
        current.promised_due_on = _date(event.deadlines.get("promised_due_on"))
        current.legal_due_on = _date(event.deadlines.get("legal_due_on"))
        current.suspended_working_days = int(event.deadlines.get("suspended_working_days") or 0)
    if event.event_type == "case.decided":
        current.decided_on = shanghai_date(event.time)
    if event.event_type == "case.completed":
        current.completed_on = shanghai_date(event.time)
    if current.decided_on and current.started_on:
        elapsed = working_days(current.started_on, current.decided_on)
        current.decide_working_days = max(elapsed - current.suspended_working_days, 0)
    return current


def visits(intake_channel: str, delivery_method: str) -> int:
    """The trips to a hall a case takes (D-282): one to hand it in at a counter, one to collect
    the result there. 0 is 不见面, 1 is 见一次面; a case taken in and collected at a hall is 2."""
    return int(intake_channel == HALL_INTAKE) + int(delivery_method == HALL_PICKUP)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# --- other counted subjects ----------------------------------------------------------


class SubjectTrack(BaseModel):
    """A subject of another kind that counts for its department's months (a supervision
    order, a rating, a rectification order): merged from its events like a case's track
    (`shared.supervision.monitoring_sources` says how, per kind), with what it adds now."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    key: str = Field(description="`<kind>:<id>`.")
    version: int = -1
    region_code: str = ""
    department_id: str = ""
    own_row: str = Field(
        default="", description="Without a department: the region's row it counts in (`desk#12345`); none if empty."
    )
    state: str = ""
    due_on: dt.date | None = Field(default=None, description="The newest version's limit (an order's reply).")
    moments: dict[str, dt.date] = Field(default_factory=dict, description="First day of each step (issued, …).")
    counts: dict[str, dict[str, int]] = Field(default_factory=dict, description="Month → counter → what it adds.")

    def cells(self) -> Counter[Cell]:
        return Counter({(month, name): n for month, named in self.counts.items() for name, n in named.items() if n})


# --- where the counts go --------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One counter row: its region partition and its sort key (see the module doc)."""

    region_code: str
    key: str


def rows_for(track: CaseTrack, ancestors: Iterable[str], shard: int) -> list[Row]:
    """The rows a case counts in: its department and item in its own region, and its
    region chain's `sub#` rows in every region above (`ancestors`: nearest first,
    starting with the case's own region)."""
    chain = list(ancestors)
    rows = [Row(track.region_code, f"dept#{track.department_id}"), Row(track.region_code, f"item#{track.item_code}")]
    for child, parent in itertools.pairwise(chain):
        rows.append(Row(parent, f"sub#{child}#{shard}"))
    return rows


# --- reading the rows back --------------------------------------------------------------


def overdue(counts: Mapping[str, int], prefix: str, today: dt.date) -> int:
    """Running limits whose due date is before `today`, from the due-date buckets."""
    return sum(
        int(value)
        for name, value in counts.items()
        if name.startswith(prefix) and dt.date.fromisoformat(name[len(prefix) :]) < today
    )


def add_counts(into: dict[str, int], counts: Mapping[str, Any]) -> None:
    """Sum the counter attributes of a row (numbers only) into `into`."""
    for name, value in counts.items():
        if isinstance(value, int) and not isinstance(value, bool) and _is_counter(name):
            into[name] = into.get(name, 0) + value


def _is_counter(name: str) -> bool:
    return name not in {"pk", "sk", "rev", "expires_at"} and not name.startswith("_")
