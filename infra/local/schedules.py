"""The template's `Schedule`/`ScheduleV2` events, fired locally (moto never fires them).

Expressions: `rate(N minute|minutes|hour|hours|day|days)`, AWS six-field
`cron(min hour day-of-month month day-of-week year)` with `* , - / ?`,
month and day names, `L` (last day of month), `nL` (last weekday n of the
month) and `n#k` (k-th weekday n), and ScheduleV2 `at(...)` one-off times.
`W` (nearest weekday) is not supported. Times are UTC unless a ScheduleV2
names `ScheduleExpressionTimezone`. Rates count from local-cloud start.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger("infra.local")

_MONTHS = {
    name: i
    for i, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1
    )
}
_DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_SEARCH_DAYS = 366 * 8


class ScheduleError(ValueError):
    """An expression the local scheduler cannot evaluate."""


def _aws_weekday(day: date) -> int:
    """AWS numbers days of week 1=SUN .. 7=SAT."""
    return (day.weekday() + 1) % 7 + 1


def _values(field_text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    result: set[int] = set()
    for part in field_text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step < 1:
                raise ScheduleError(f"bad step in {field_text}")
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _number(a, names), _number(b, names)
        else:
            start = _number(part, names)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleError(f"{field_text} is outside {low}-{high}")
        if start <= end:
            result.update(range(start, end + 1, step))
        else:  # wrapping range such as FRI-MON
            result.update(v for i, v in enumerate([*range(start, high + 1), *range(low, end + 1)]) if i % step == 0)
    return result


def _number(text: str, names: dict[str, int] | None) -> int:
    text = text.strip().upper()
    if names and text in names:
        return names[text]
    if not text.isdigit():
        raise ScheduleError(f"unsupported cron value {text!r}")
    return int(text)


@dataclass(frozen=True)
class Cron:
    """A parsed AWS cron expression; `next_after` gives the next firing minute."""

    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int] | None
    days_of_month: frozenset[int] | None  # None: '?' (day-of-week decides)
    last_day_of_month: bool
    days_of_week: frozenset[int] | None  # None: '?' or '*'
    last_weekday: int | None  # nL
    nth_weekday: tuple[int, int] | None  # n#k

    @classmethod
    def parse(cls, body: str) -> Cron:
        fields = body.split()
        if len(fields) != 6:
            raise ScheduleError(f"cron needs 6 fields (min hour dom month dow year): {body!r}")
        minute, hour, dom, month, dow, year = fields
        if "?" not in (dom, dow):
            raise ScheduleError("cron: one of day-of-month and day-of-week must be '?'")
        if "W" in dom.upper():
            raise ScheduleError("cron: W (nearest weekday) is not supported locally")
        days_of_month: frozenset[int] | None = None
        last_dom = False
        if dom.upper() == "L":
            last_dom = True
        elif dom != "?":
            days_of_month = frozenset(_values(dom, 1, 31))
        days_of_week: frozenset[int] | None = None
        last_weekday = None
        nth = None
        dow_u = dow.upper()
        if dow_u.endswith("L") and dow_u != "L":
            last_weekday = _number(dow_u[:-1], _DAYS)
        elif dow_u == "L":
            last_weekday = 7
        elif "#" in dow_u:
            day_text, k_text = dow_u.split("#", 1)
            nth = (_number(day_text, _DAYS), int(k_text))
        elif dow not in ("?", "*"):
            days_of_week = frozenset(_values(dow_u, 1, 7, _DAYS))
        return cls(
            minutes=frozenset(_values(minute, 0, 59)),
            hours=frozenset(_values(hour, 0, 23)),
            months=frozenset(_values(month.upper(), 1, 12, _MONTHS)),
            years=None if year == "*" else frozenset(_values(year, 1970, 2199)),
            days_of_month=days_of_month,
            last_day_of_month=last_dom,
            days_of_week=days_of_week,
            last_weekday=last_weekday,
            nth_weekday=nth,
        )

    def _day_matches(self, day: date) -> bool:
        if self.years is not None and day.year not in self.years:
            return False
        if day.month not in self.months:
            return False
        month_days = calendar.monthrange(day.year, day.month)[1]
        if self.last_day_of_month:
            return day.day == month_days
        if self.days_of_month is not None:
            return day.day in self.days_of_month
        weekday = _aws_weekday(day)
        if self.last_weekday is not None:
            return weekday == self.last_weekday and day.day + 7 > month_days
        if self.nth_weekday is not None:
            wanted, k = self.nth_weekday
            return weekday == wanted and (day.day - 1) // 7 + 1 == k
        return self.days_of_week is None or weekday in self.days_of_week

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching minute strictly after `moment` (naive wall-clock time)."""
        start = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        for _ in range(_SEARCH_DAYS):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=moment.tzinfo)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        return None


@dataclass(frozen=True)
class Expression:
    """A schedule expression with the time zone it is evaluated in."""

    text: str
    timezone: str = "UTC"

    def next_after(self, moment: datetime, *, started: datetime) -> datetime | None:
        """Next firing time (UTC) after `moment`; rates count from `started`."""
        text = self.text.strip()
        rate = _RATE.match(text)
        if rate:
            unit = rate.group(2).rstrip("s")
            every = timedelta(**{f"{unit}s": int(rate.group(1))})
            if every <= timedelta(0):
                raise ScheduleError(f"rate must be positive: {text}")
            periods = int((moment - started) / every) + 1
            return started + every * periods
        zone = ZoneInfo(self.timezone)
        at = _AT.match(text)
        if at:
            when = datetime.fromisoformat(at.group(1)).replace(tzinfo=zone).astimezone(UTC)
            return when if when > moment else None
        cron = _CRON.match(text)
        if cron:
            local = Cron.parse(cron.group(1)).next_after(moment.astimezone(zone))
            return None if local is None else local.astimezone(UTC)
        raise ScheduleError(f"unsupported schedule expression {text!r}")

    def validate(self) -> None:
        now = datetime.now(UTC)
        self.next_after(now, started=now)


@dataclass
class ScheduleSpec:
    """One Schedule/ScheduleV2 event of a function."""

    function_id: str
    event_name: str
    kind: str
    expression: Expression
    enabled: bool
    input: Any
    rule_arn: str
    next_run: datetime | None = None
    last_run: datetime | None = None
    last_outcome: str = ""
    problem: str = ""

    @property
    def key(self) -> str:
        return f"{self.function_id}.{self.event_name}"


def schedule_from_event(
    function_id: str, event_name: str, kind: str, props: dict[str, Any], *, rule_arn: str
) -> ScheduleSpec:
    """A ScheduleSpec from the event's resolved properties."""
    if kind == "ScheduleV2":
        text = str(props.get("ScheduleExpression", ""))
        timezone = str(props.get("ScheduleExpressionTimezone") or "UTC")
        enabled = str(props.get("State", "ENABLED")).upper() == "ENABLED"
    else:
        text = str(props.get("Schedule", ""))
        timezone = "UTC"
        state = props.get("State")
        enabled = bool(props.get("Enabled", True)) if state is None else str(state).upper() == "ENABLED"
    raw_input = props.get("Input")
    payload = json.loads(raw_input) if isinstance(raw_input, str) else raw_input
    spec = ScheduleSpec(function_id, event_name, kind, Expression(text, timezone), enabled, payload, rule_arn)
    try:
        spec.expression.validate()
    except (ScheduleError, ValueError) as exc:
        spec.problem = str(exc)
        spec.enabled = False
    return spec


def scheduled_event(spec: ScheduleSpec, when: datetime, *, account: str, region: str) -> Any:
    """What the function receives when a schedule fires: the schedule's `Input` when it has
    one. Without one, EventBridge Scheduler (`ScheduleV2`) invokes the function with an empty
    JSON object, while an EventBridge rule (`Schedule`) sends its Scheduled Event."""
    if spec.input is not None:
        return spec.input
    if spec.kind == "ScheduleV2":
        return {}
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [spec.rule_arn],
        "detail": {},
    }


@dataclass
class Scheduler:
    """A thread that fires due schedules; `fire` runs one now regardless of state."""

    schedules: list[ScheduleSpec]
    run: Callable[[ScheduleSpec, datetime], Any]
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        started = datetime.now(UTC)
        for spec in self.schedules:
            if spec.enabled:
                spec.next_run = spec.expression.next_after(started, started=started)
        self._started = started
        self._thread = threading.Thread(target=self._loop, name="local-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = datetime.now(UTC)
            due = [s for s in self.schedules if s.enabled and s.next_run is not None and s.next_run <= now]
            for spec in due:
                when = spec.next_run or now
                spec.next_run = spec.expression.next_after(now, started=self._started)
                threading.Thread(target=self._fire, args=(spec, when), name=f"fire-{spec.key}", daemon=True).start()
            upcoming = [s.next_run for s in self.schedules if s.enabled and s.next_run is not None]
            wait = min((t - now).total_seconds() for t in upcoming) if upcoming else 60.0
            self._stop.wait(max(0.05, min(wait, 60.0)))

    def _fire(self, spec: ScheduleSpec, when: datetime) -> None:
        try:
            self.run(spec, when)
        except Exception:
            log.exception("schedule %s failed", spec.key)
