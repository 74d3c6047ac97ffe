"""Live monitoring and scorecards: applying events to the counters, the supervisors'
views, the monthly scorecards and the scoring rules (models in
`shared.supervision.monitoring` and `shared.supervision.scorecards`)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, Field

import shared.workdays.api as workdays
from shared.codes.divisions import ancestors_of, division, is_division_code
from shared.platform.aws import concurrently
from shared.platform.clock import months_after, months_before, now
from shared.platform.dynamo import shard_of
from shared.platform.errors import AppError, Conflict, Forbidden, NotFound, register_messages
from shared.platform.observability import logger, metrics
from shared.platform.principal import Principal, Role
from shared.supervision import monitoring as m
from shared.supervision import scorecards as sc
from shared.supervision.monitoring_store import MonitoringStore

SUB_SHARDS = 4
"""Shards of a region's row in the partition above it (a province row takes a whole city's cases)."""
_TRACK_ATTEMPTS = 5
ADD_THREADS = 8
"""Counter-row ADDs in flight at once: an event moves up to 12 rows (4 rows × live, month, day), a
batch of ten up to ~40; within botocore's 10 pooled connections per client."""
TRACK_MOVED = "supervision.track_moved"  # another delivery moved the track first: applied again

REGION_OUT_OF_SCOPE = "supervision.region_out_of_scope"
INVALID_REGION = "supervision.invalid_region"
INVALID_MONTH = "supervision.invalid_month"
NO_SCORING_RULE = "supervision.no_scoring_rule"
RULE_VERSION_NOT_FOUND = "supervision.rule_version_not_found"
RULE_VERSION_TAKEN = "supervision.rule_version_taken"
SCORECARD_NOT_CLOSED = "supervision.scorecard_not_closed"
NOT_DEPARTMENT_HEAD = "supervision.not_department_head"

register_messages(
    {
        REGION_OUT_OF_SCOPE: ("该地区不在您的监督范围内", "That region is outside your supervision scope"),
        NOT_DEPARTMENT_HEAD: ("仅部门负责人可查看考核排名", "Only the head of a department sees its ranking"),
        INVALID_REGION: ("地区代码无效", "The region code is not valid"),
        INVALID_MONTH: ("月份格式应为 YYYY-MM，且不晚于本月", "The month must be YYYY-MM and not after this month"),
        NO_SCORING_RULE: ("尚未发布考核评分规则", "No scoring rule has been published yet"),
        RULE_VERSION_NOT_FOUND: ("评分规则版本 {version} 不存在", "Scoring rule version {version} does not exist"),
        RULE_VERSION_TAKEN: (
            "评分规则已被他人更新，请刷新后重试",
            "Someone else published a scoring rule first; reload and retry",
        ),
        SCORECARD_NOT_CLOSED: (
            "{month} 的考核尚未结算（每月初结算上月）",
            "The scorecard of {month} is not closed yet (months close at the start of the next)",
        ),
        TRACK_MOVED: ("监控计数正在更新，请重试", "Monitoring counters were being updated; retry"),
    }
)


# --- applying events ---------------------------------------------------------------------

_MONTH_METRICS = {  # EMF `Cases<suffix>`: the dashboard's monitoring widgets
    m.RECEIVED: "Received",
    m.RECEIVED_NO_VISIT: "ReceivedNoVisit",
    m.DECIDED: "Decided",
    m.ON_TIME_PROMISED: "DecidedOnTimePromised",
    m.ON_TIME_LEGAL: "DecidedOnTimeLegal",
    m.NOTICE_REPEATED: "NoticedTwice",
}


def chain(region_code: str) -> list[str]:
    """The region and each one above it (county → city → province), nearest first."""
    return ancestors_of(region_code) if is_division_code(region_code) else [region_code]


def case_rows(track: m.CaseTrack) -> list[tuple[m.Row, str]]:
    """The rows a case counts in now, each with its label (none before its first state)."""
    if not track.state:
        return []
    regions = chain(track.region_code)
    rows = m.rows_for(track, regions, shard_of(track.case_id, SUB_SHARDS))
    return list(zip(rows, [track.department_id, track.item_name, *regions[:-1]], strict=True))


def subject_rows(track: m.SubjectTrack, key: str) -> list[tuple[m.Row, str]]:
    """The rows the counted subject `key` counts in: its department's (or own, `desk#12345`) row
    in its region and the `sub#` rows above (sharded by `key`), each with its label."""
    if track.department_id:
        return _own_rows(track.region_code, f"dept#{track.department_id}", track.department_id, key)
    if track.own_row:  # a 12345 ticket no department held (D-283)
        return _own_rows(track.region_code, track.own_row, track.own_row.partition("#")[2], key)
    return []


def _own_rows(region_code: str, sort_key: str, label: str, key: str) -> list[tuple[m.Row, str]]:
    """The subject's row in its region (`dept#<id>`, or `desk#12345`) and the `sub#` rows above."""
    regions = chain(region_code)
    rows = [(m.Row(region_code, sort_key), label)]
    for child, parent in itertools.pairwise(regions):
        rows.append((m.Row(parent, f"sub#{child}#{shard_of(key, SUB_SHARDS)}"), child))
    return rows


@dataclass(frozen=True)
class _Step[Track: BaseModel]:
    """One event's move of one track: how to read the track, merge the event into it,
    where it counts and what it adds (a case's or a counted subject's)."""

    pk: str
    model: type[Track]
    update: Callable[[Track | None], Track]
    placed: Callable[[Track], list[tuple[m.Row, str]]]
    cells: Callable[[Track], Counter[m.Cell]]
    moved: Callable[[dict[m.Cell, int]], None] = lambda delta: None


class Monitoring:
    """Counters from events, and what supervisors read from them."""

    def __init__(self, store: MonitoringStore, working_days: m.WorkingDaysBetween) -> None:
        self.store = store
        self.working_days = working_days
        self._deferred: list[_Step[Any]] | None = None

    def apply_case_event(self, event: m.CaseEvent) -> None:
        """Merge the event into its case's track and move the counters by the change
        of the case's contributions (the track's conditional write, then the ADDs); nothing for a duplicate."""
        self._apply(
            _Step(
                f"MONCASE#{event.case_id}",
                m.CaseTrack,
                lambda old: m.absorb(old, event, self.working_days),
                case_rows,
                m.contributions,
                _emit_metrics,
            )
        )

    def apply_subject(self, key: str, update: Callable[[m.SubjectTrack | None], m.SubjectTrack]) -> None:
        """Merge an event into a counted subject's track (`update`) and move its department's
        month rows and the rows above by the change of what it adds (as `apply_case_event`)."""
        self._apply(
            _Step(
                f"MONSUBJ#{key}", m.SubjectTrack, update, lambda track: subject_rows(track, key), m.SubjectTrack.cells
            )
        )

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Apply every event of the block together when it ends (a queue batch, D-208): one
        BatchGetItem of their tracks, each track folded over its events in order and written
        (conditional PutItem), then the counter deltas of the written ones summed per row,
        one UpdateItem a row (D-281). Raises when any track moved meanwhile (after adding
        the others' deltas), or any event failed: the caller then applies the events one
        by one, which is exact whatever part of the batch was written (applying is
        idempotent, D-125)."""
        self._deferred = []
        try:
            yield
            self._apply_together(self._deferred)
        finally:
            self._deferred = None

    def _apply(self, step: _Step[Any]) -> None:
        """The one way a track moves the counters: the track's conditional write (retried when
        another delivery moved it first), then minus what the old track added on its rows plus
        what the new one adds on its rows, one ADD per row (D-281)."""
        if self._deferred is not None:
            self._deferred.append(step)
            return
        for _ in range(_TRACK_ATTEMPTS):
            old, rev = self._track(step, self.store.track_item(step.pk))
            new = step.update(old)
            if new == old:
                return
            if not self.store.put_track(step.pk, new.model_dump(mode="json"), rev):
                continue
            self._add(
                [(row, scope, deltas, label) for (row, scope), (label, deltas) in _row_changes(step, old, new).items()]
            )
            step.moved(m.difference(step.cells(old) if old is not None else Counter(), step.cells(new)))
            return
        raise Conflict(TRACK_MOVED)

    def _add(self, adds: list[tuple[m.Row, str, dict[str, int], str]]) -> None:
        """One ADD per row, all at once (`aws.concurrently`): each row is its own item and no ADD
        needs another's answer, so the worker waits for the slowest wave of them, not their sum."""
        today = m.shanghai_date(now())
        concurrently(
            [partial(self.store.add, row, scope, deltas, label, today) for row, scope, deltas, label in adds],
            workers=ADD_THREADS,
        )

    @staticmethod
    def _track[Track: BaseModel](
        step: _Step[Track], stored: tuple[dict[str, Any] | None, int]
    ) -> tuple[Track | None, int]:
        found, rev = stored
        return (step.model.model_validate(found) if found else None), rev

    def _apply_together(self, steps: list[_Step[Any]]) -> None:
        by_track: dict[str, list[_Step[Any]]] = defaultdict(list)
        for step in steps:
            by_track[step.pk].append(step)
        stored = self.store.track_items(list(by_track))
        rows: dict[tuple[m.Row, str], tuple[str, dict[str, int]]] = {}
        differences: list[tuple[_Step[Any], dict[m.Cell, int]]] = []
        moved_meanwhile = False
        for pk, track_steps in by_track.items():
            first = track_steps[0]
            old, rev = self._track(first, stored.get(pk, (None, 0)))
            new = first.update(old)
            for step in track_steps[1:]:
                new = step.update(new)
            if new == old:
                continue
            if not self.store.put_track(pk, new.model_dump(mode="json"), rev):
                moved_meanwhile = True  # applied again one by one; the tracks written here still count below
                continue
            for key, (label, deltas) in _row_changes(first, old, new).items():
                _, summed = rows.setdefault(key, (label, {}))
                for name, delta in deltas.items():
                    summed[name] = summed.get(name, 0) + delta
            differences.append(
                (first, m.difference(first.cells(old) if old is not None else Counter(), first.cells(new)))
            )
        adds = []
        for (row, scope), (label, deltas) in rows.items():
            summed = {name: count for name, count in deltas.items() if count}
            if summed:
                adds.append((row, scope, summed, label))
        self._add(adds)
        for step, difference in differences:
            step.moved(difference)
        if moved_meanwhile:
            raise Conflict(TRACK_MOVED)

    # --- reading -----------------------------------------------------------------------------

    def view(self, principal: Principal, region_code: str | None, today: dt.date) -> MonitoringView:
        """The region's figures, each sub-region's, its own departments' and items'."""
        region = scoped_region(principal, region_code)
        month = m.month_of(today)
        scopes = (m.LIVE, month, today.isoformat())  # what `figures` takes, in its order
        by_scope = self.store.view_rows(region, today)
        return _view(region, month, today, [by_scope[scope] for scope in scopes])

    def month_view(self, region_code: str, month: str) -> MonitoringView:
        """A month's figures of the region, each sub-region's and its own departments' and items'
        (ONE Query of the month's rows; live and day figures come out empty): the monthly
        public report's input (issue 16). `as_of` is the month's last day."""
        first = dt.date(int(month[:4]), int(month[5:7]), 1)
        last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        return _view(region_code, month, last, [[], self.store.rows(region_code, month), []])

    def month_inputs(self, region_code: str, month: str) -> dict[str, dict[str, int]]:
        """Each of the region's own departments' counters of the month (the scorecard's inputs)."""
        inputs: dict[str, dict[str, int]] = {}
        for row in self.store.rows(region_code, month):
            kind, _, department = str(row["sk"]).partition("#")
            if kind == "dept":
                counts: dict[str, int] = {}
                m.add_counts(counts, row)
                inputs[department] = counts
        return inputs

    def active_regions(self, month: str, province: str) -> list[str]:
        """Every region with counts in the month, found by walking the `sub#` rows down from the province."""
        found, frontier = [], [province]
        while frontier:
            region = frontier.pop()
            found.append(region)
            children = {
                str(row["sk"]).split("#")[1]
                for row in self.store.rows(region, month)
                if str(row["sk"]).startswith("sub#")
            }
            frontier.extend(sorted(children))
        return sorted(found)


def _view(region: str, month: str, today: dt.date, scoped_rows: list[list[dict[str, Any]]]) -> MonitoringView:
    """The view from the rows of each scope (live, month, day; `sk` as the row's key)."""
    grouped: dict[str, dict[str, tuple[list[dict[str, int]], str]]] = defaultdict(dict)
    for index, rows in enumerate(scoped_rows):
        for row in rows:
            kind, _, rest = str(row["sk"]).partition("#")
            name = rest.split("#")[0] if kind == "sub" else rest
            entry = grouped[kind].setdefault(name, ([{}, {}, {}], str(row.get("label", name))))
            m.add_counts(entry[0][index], row)
    totals: list[dict[str, int]] = [{}, {}, {}]
    for kind in ("sub", "dept", "desk"):  # desk: the 12345 tickets no department held (D-283)
        for counts, _ in grouped[kind].values():
            for index, scoped in enumerate(counts):
                m.add_counts(totals[index], scoped)
    return MonitoringView(
        region_code=region,
        region_name=_region_name(region),
        as_of=today,
        month=month,
        total=_figures(totals, today),
        sub_regions=[
            RegionFigures(region_code=code, region_name=_region_name(code), figures=_figures(counts, today))
            for code, (counts, _) in sorted(grouped["sub"].items())
        ],
        departments=[
            DepartmentFigures(department_id=code, figures=_figures(counts, today))
            for code, (counts, _) in sorted(grouped["dept"].items())
        ],
        items=[
            ItemFigures(item_code=code, item_name=label, figures=_figures(counts, today))
            for code, (counts, label) in sorted(grouped["item"].items())
        ],
    )


def _row_changes[Track: BaseModel](
    step: _Step[Track], old: Track | None, new: Track
) -> dict[tuple[m.Row, str], tuple[str, dict[str, int]]]:
    """Per (row, scope): its label and the non-zero deltas of what the track adds there,
    minus what the old track added on its rows plus what the new one adds on its rows."""
    changes: dict[tuple[m.Row, str], tuple[str, dict[str, int]]] = {}
    for track, sign in ((old, -1), (new, 1)):
        if track is None:
            continue
        rows = step.placed(track)
        for (scope, attribute), count in step.cells(track).items():
            for row, label in rows:
                _, deltas = changes.setdefault((row, scope), (label, {}))
                deltas[attribute] = deltas.get(attribute, 0) + sign * count
    moved = {key: (label, {k: v for k, v in deltas.items() if v}) for key, (label, deltas) in changes.items()}
    return {key: value for key, value in moved.items() if value[1]}


def _emit_metrics(delta: Mapping[m.Cell, int]) -> None:
    """EMF: the month counters that moved (the dashboard's cases widgets)."""
    for (scope, attribute), count in delta.items():
        suffix = _MONTH_METRICS.get(attribute)
        if len(scope) == len("2026-12") and suffix:  # month scopes (days would count twice)
            metrics().add_metric(name=f"Cases{suffix}", unit=MetricUnit.Count, value=count)
    opened = sum(count for (scope, attribute), count in delta.items() if scope == m.LIVE and attribute == m.CASES_OPEN)
    if opened:
        metrics().add_metric(name="CasesOpenChange", unit=MetricUnit.Count, value=opened)


def _region_name(code: str) -> str | None:
    known = division(code) if len(code) == 6 else None
    return known.name if known else None


def scoped_region(principal: Principal, region_code: str | None) -> str:
    """The region a supervisor asks for: their own by default, or one inside it (403 otherwise)."""
    prefix = principal.region_prefix
    if not prefix:
        raise Forbidden()
    region = region_code or principal.region_code
    if not is_division_code(region):
        raise AppError(INVALID_REGION)
    if not region.startswith(prefix):
        raise Forbidden(REGION_OUT_OF_SCOPE)
    return region


# --- the view ----------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class _Shape(BaseModel):
    # schemas are built on first use, not at import: the cold start creates only the classes (D-338)
    model_config = ConfigDict(defer_build=True)


class PeriodFigures(_Shape):
    received: int = Field(description="Cases first submitted (申报).")
    received_no_visit: int = Field(description="Of them filed online with courier or electronic delivery (不见面).")
    no_visit_share: float | None
    received_visit_once: int = Field(
        default=0,
        description="Of them with exactly one trip to a hall: taken in there or collected there (见一次面, D-282).",
    )
    visit_once_share: float | None = None
    decided: int = Field(description="Cases decided (作出决定).")
    on_time_promised: int = Field(description="Of them within the promised limit (承诺时限).")
    on_time_legal: int = Field(description="Of them within the legal limit (法定时限).")
    on_time_rate_promised: float | None
    on_time_rate_legal: float | None


class MonthFigures(PeriodFigures):
    average_decide_working_days: float | None = Field(description="Acceptance to decision, suspensions excluded.")
    notice_cases: int = Field(description="Cases that got a supplement notice this month.")
    notice_repeated: int = Field(description="Cases that got a second one (一次性告知 not kept).")
    completed: int = Field(description="Cases completed (办结).")
    warnings_yellow: int = Field(description="Yellow warnings raised this month (open or resolved since).")
    warnings_red: int = Field(description="Red warnings raised this month.")
    orders_received: int = Field(default=0, description="Supervision orders (督办单) issued this month.")
    orders_replied: int = Field(default=0, description="Orders replied to this month.")
    average_order_reply_working_days: float | None = Field(default=None, description="Working days to reply.")
    ratings: int = Field(default=0, description="好差评 ratings given this month (excluded ones not counted).")
    average_rating: float | None = Field(default=None, description="Their mean level, 1 (very dissatisfied) to 5.")
    rectifications_closed: int = Field(default=0, description="Rectification orders (整改) closed this month.")
    rectifications_on_time: int = Field(default=0, description="Of them answered within their limit.")
    tickets_received: int = Field(default=0, description="12345 tickets taken in this month (D-283).")
    tickets_answered: int = Field(default=0, description="12345 tickets a department first answered this month.")
    average_ticket_answer_working_days: float | None = Field(
        default=None, description="Working days from taking a ticket in to its first answer."
    )
    tickets_closed: int = Field(default=0, description="12345 tickets closed (办结) this month.")


class Figures(_Shape):
    open: int = Field(description="Cases submitted and not yet completed, withdrawn or refused.")
    by_state: dict[str, int] = Field(description="Open cases by state (only states with cases).")
    suspended: int = Field(description="Open cases whose clock is stopped (中止).")
    overdue_promised: int = Field(description="Running cases past their promised date (超承诺时限).")
    overdue_legal: int = Field(description="Running cases past their legal date (超法定时限).")
    orders_open: int = Field(description="Supervision orders (督办单) not closed.")
    orders_overdue: int = Field(description="Of them waiting for a reply past its limit.")
    warnings_open_yellow: int = Field(description="Yellow warnings open now (their limit not yet cleared).")
    warnings_open_red: int = Field(description="Red warnings open now.")
    today: PeriodFigures
    month: MonthFigures


class RegionFigures(_Shape):
    region_code: str
    region_name: str | None
    figures: Figures


class DepartmentFigures(_Shape):
    department_id: str
    figures: Figures


class ItemFigures(_Shape):
    item_code: str
    item_name: str
    figures: Figures


class MonitoringView(_Shape):
    region_code: str
    region_name: str | None
    as_of: dt.date = Field(description="Today in Asia/Shanghai: overdue counts limits due before it.")
    month: str
    total: Figures = Field(description="The region and everything below it.")
    sub_regions: list[RegionFigures] = Field(description="Each region directly below with cases (its whole area).")
    departments: list[DepartmentFigures] = Field(description="The region's own departments.")
    items: list[ItemFigures] = Field(description="The region's own items.")


def _period(counts: Mapping[str, int]) -> dict[str, Any]:
    def get(name: str) -> int:
        return int(counts.get(name, 0))

    return {
        "received": get(m.RECEIVED),
        "received_no_visit": get(m.RECEIVED_NO_VISIT),
        "no_visit_share": _share(get(m.RECEIVED_NO_VISIT), get(m.RECEIVED)),
        "received_visit_once": get(m.RECEIVED_VISIT_ONCE),
        "visit_once_share": _share(get(m.RECEIVED_VISIT_ONCE), get(m.RECEIVED)),
        "decided": get(m.DECIDED),
        "on_time_promised": get(m.ON_TIME_PROMISED),
        "on_time_legal": get(m.ON_TIME_LEGAL),
        "on_time_rate_promised": _share(get(m.ON_TIME_PROMISED), get(m.DECIDED)),
        "on_time_rate_legal": _share(get(m.ON_TIME_LEGAL), get(m.DECIDED)),
    }


def _figures(scoped: list[dict[str, int]], today: dt.date) -> Figures:
    return figures(scoped[0], scoped[1], scoped[2], today)


def _ratio(counts: Mapping[str, int], numerator: str, denominator: str) -> float | None:
    below = counts.get(denominator, 0)
    return round(counts.get(numerator, 0) / below, 2) if below > 0 else None


def figures(live: Mapping[str, int], month: Mapping[str, int], day: Mapping[str, int], today: dt.date) -> Figures:
    by_state = {
        name.removeprefix(m.STATE_PREFIX): count
        for name, count in sorted(live.items())
        if name.startswith(m.STATE_PREFIX) and count
    }
    counted = month.get(m.DECIDE_DAYS_COUNTED, 0)
    return Figures(
        open=live.get(m.CASES_OPEN, 0),
        by_state=by_state,
        suspended=by_state.get("suspended", 0),
        overdue_promised=m.overdue(live, m.DUE_PROMISED_PREFIX, today),
        overdue_legal=m.overdue(live, m.DUE_LEGAL_PREFIX, today),
        orders_open=live.get(m.ORDERS_OPEN, 0),
        orders_overdue=m.overdue(live, m.DUE_ORDER_PREFIX, today),
        warnings_open_yellow=live.get(m.WARNINGS_OPEN_YELLOW, 0),
        warnings_open_red=live.get(m.WARNINGS_OPEN_RED, 0),
        today=PeriodFigures.model_validate(_period(day)),
        month=MonthFigures.model_validate(
            _period(month)
            | {
                "average_decide_working_days": round(month.get(m.DECIDE_DAYS, 0) / counted, 2) if counted else None,
                "notice_cases": month.get(m.NOTICE_CASES, 0),
                "notice_repeated": month.get(m.NOTICE_REPEATED, 0),
                "completed": month.get(m.COMPLETED, 0),
                "warnings_yellow": month.get(sc.WARNINGS_YELLOW, 0),
                "warnings_red": month.get(sc.WARNINGS_RED, 0),
                "orders_received": month.get(sc.ORDERS_RECEIVED, 0),
                "orders_replied": month.get(sc.ORDERS_REPLIED, 0),
                "average_order_reply_working_days": _ratio(month, sc.ORDER_REPLY_DAYS, sc.ORDERS_REPLIED),
                "ratings": month.get(sc.RATINGS, 0),
                "average_rating": _ratio(month, sc.RATING_POINTS, sc.RATINGS),
                "rectifications_closed": month.get(sc.RECTIFICATIONS, 0),
                "rectifications_on_time": month.get(sc.RECTIFICATIONS_ON_TIME, 0),
                "tickets_received": month.get(sc.TICKETS_RECEIVED, 0),
                "tickets_answered": month.get(sc.TICKETS_ANSWERED, 0),
                "average_ticket_answer_working_days": _ratio(month, sc.TICKET_ANSWER_DAYS, sc.TICKETS_ANSWERED),
                "tickets_closed": month.get(sc.TICKETS_CLOSED, 0),
            }
        ),
    )


# --- scorecards ----------------------------------------------------------------------------------


class Scorecard(_Shape):
    region_code: str
    region_name: str | None
    month: str
    closed: bool = Field(description="False: the current month, scored on demand from the live counters.")
    rule_version: int
    scored_at: dt.datetime
    departments: list[sc.DepartmentScore] = Field(description="Best first; departments not ranked last.")
    revised_months: list[str] = Field(
        default_factory=list,
        description="After a re-score: the later closed months scored again (their cards look back on this one).",
    )


class Scorecards:
    """Monthly scorecards of a region's own departments under a published rule."""

    def __init__(self, monitoring: Monitoring) -> None:
        self.monitoring = monitoring
        self.store = monitoring.store

    def rule(self, version: int | None = None) -> sc.ScoringRule:
        stored = self.store.current_rule() if version is None else self.store.rule(version)
        if stored is None:
            if version is None:
                raise NotFound(NO_SCORING_RULE)
            raise NotFound(RULE_VERSION_NOT_FOUND, params={"version": version})
        return sc.ScoringRule.model_validate(stored)

    def publish(self, body: sc.ScoringRuleBody) -> sc.ScoringRule:
        current = self.store.current_rule()
        version = int(current["version"]) + 1 if current else 1
        rule = sc.ScoringRule.model_validate(body.model_dump() | {"version": version})
        try:
            self.store.publish_rule(rule.model_dump(mode="json"), version, now())
        except Conflict as exc:
            raise Conflict(RULE_VERSION_TAKEN) from exc
        return rule

    def versions(self) -> list[sc.ScoringRule]:
        return [sc.ScoringRule.model_validate(rule) for rule in self.store.rule_versions()]

    def _history(self, region: str, month: str, rule: sc.ScoringRuleBody) -> dict[str, list[sc.PastMonth]]:
        earlier = months_before(month, max(rule.red_card_months, rule.blacklist_window_months))
        history: dict[str, list[sc.PastMonth]] = defaultdict(list)
        for record in self.store.scorecards_between(region, earlier[-1], earlier[0]):
            for result in record.get("results", []):
                history[result["department_id"]].append(
                    sc.PastMonth(str(record["month"]), bool(result["poor"]), bool(result["red_card"]))
                )
        return history

    def score(
        self, region: str, month: str, inputs: Mapping[str, Mapping[str, int]], rule: sc.ScoringRule
    ) -> list[sc.DepartmentScore]:
        return sc.score_month(month, inputs, rule, self._history(region, month, rule))

    def current(self, region: str, today: dt.date) -> Scorecard:
        """This month so far, scored on demand from the live counters under the current rule."""
        month = m.month_of(today)
        rule = self.rule()
        results = self.score(region, month, self.monitoring.month_inputs(region, month), rule)
        return Scorecard(
            region_code=region,
            region_name=_region_name(region),
            month=month,
            closed=False,
            rule_version=rule.version,
            scored_at=now(),
            departments=results,
        )

    def close(self, region: str, month: str, rule_version: int | None = None) -> Scorecard:
        """Freeze the month's inputs and score them (the monthly run, once per region)."""
        stored = self.store.scorecard(region, month)
        if stored is not None:
            return _scorecard(stored)
        inputs = self.monitoring.month_inputs(region, month)
        return self._store(region, month, inputs, self.rule(rule_version))

    def rescore(self, region: str, month: str, rule_version: int) -> Scorecard:
        """Score the month's stored inputs again under `rule_version` (same inputs, same rule:
        same result), then every later closed month of the region in order, each under its
        own stored inputs and rule version: their red cards and blacklist look back on this
        month, so the stored history stays what closing the months in order would give."""
        stored = self.store.scorecard(region, month)
        if stored is None:
            raise Conflict(SCORECARD_NOT_CLOSED, params={"month": month})
        card = self._store(region, month, stored["inputs"], self.rule(rule_version))
        later = self.store.scorecards_between(region, months_after(month, 1)[-1], sc.LAST_MONTH)
        rules: dict[int, sc.ScoringRule] = {}
        revised = []
        for record in sorted(later, key=lambda found: str(found["month"])):
            version = int(record["rule_version"])
            if version not in rules:
                rules[version] = self.rule(version)
            self._store(region, str(record["month"]), record["inputs"], rules[version])
            revised.append(str(record["month"]))
        return card.model_copy(update={"revised_months": revised})

    def stored(self, region: str, month: str) -> Scorecard:
        stored = self.store.scorecard(region, month)
        if stored is None:
            raise NotFound(SCORECARD_NOT_CLOSED, params={"month": month})
        return _scorecard(stored)

    def _store(
        self, region: str, month: str, inputs: Mapping[str, Mapping[str, int]], rule: sc.ScoringRule
    ) -> Scorecard:
        results = self.score(region, month, inputs, rule)
        card = Scorecard(
            region_code=region,
            region_name=_region_name(region),
            month=month,
            closed=True,
            rule_version=rule.version,
            scored_at=now(),
            departments=results,
        )
        self.store.put_scorecard(
            {
                "region_code": region,
                "month": month,
                "inputs": {dept: dict(counts) for dept, counts in inputs.items()},
                "rule_version": rule.version,
                "scored_at": card.scored_at.isoformat(),
                "results": [result.model_dump(mode="json") for result in results],
            }
        )
        return card

    def close_month(self, month: str, provinces: Iterable[str]) -> list[str]:
        """Close `month` for every region that had counts in it; the regions closed (none
        before an operator has published a rule: the run says so and the next one closes)."""
        if self.store.current_rule() is None:
            logger().warning("no scoring rule published: scorecards not closed", extra={"month": month})
            return []
        closed = []
        for province in provinces:
            for region in self.monitoring.active_regions(month, province):
                self.close(region, month)
                closed.append(region)
        return closed


def _scorecard(record: Mapping[str, Any]) -> Scorecard:
    return Scorecard(
        region_code=str(record["region_code"]),
        region_name=_region_name(str(record["region_code"])),
        month=str(record["month"]),
        closed=True,
        rule_version=int(record["rule_version"]),
        scored_at=dt.datetime.fromisoformat(str(record["scored_at"])),
        departments=[sc.DepartmentScore.model_validate(result) for result in record.get("results", [])],
    )


def staff_region(principal: Principal) -> str:
    """The region whose ranking a department head sees: their department's (other staff: 403)."""
    if principal.role is not Role.STAFF or not principal.region_code:
        raise Forbidden()
    if not principal.is_department_head:
        raise Forbidden(NOT_DEPARTMENT_HEAD)
    return principal.region_code


@cache
def monitoring() -> Monitoring:
    """The service over the configured table and the platform calendar."""

    def working_days(start: dt.date, end: dt.date) -> int:
        return workdays.calendar().working_days_between(start, end).working_days

    return Monitoring(MonitoringStore(), working_days)
