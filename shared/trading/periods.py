"""The legal minimum periods of a notice (config.PERIOD_RULES), computed with the platform
calendar. Pure: the calendar is passed in (`shared.workdays.api.calendar()` in service)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from shared.trading.config import PERIOD_RULES, DayKind, PeriodRule
from shared.workdays.api import Calendar


@dataclass(frozen=True)
class Shortfall:
    rule: PeriodRule
    days: int  # what the notice gives, in the rule's kind of days
    earliest_end: dt.date  # the first end date the rule allows


def days_between(rule: PeriodRule, start: dt.date, end: dt.date, calendar: Calendar) -> int:
    if rule.day_kind is DayKind.CALENDAR:
        return (end - start).days
    return calendar.working_days_between(start, end).working_days


def earliest_end(rule: PeriodRule, start: dt.date, calendar: Calendar) -> dt.date:
    if rule.day_kind is DayKind.CALENDAR:
        return start + dt.timedelta(days=rule.min_days)
    return calendar.add_working_days(start, rule.min_days).date


def shortfalls(kind: str, dates: Mapping[str, dt.date | None], calendar: Calendar) -> list[Shortfall]:
    """Every rule for `kind` whose two dates are given and fall short of its minimum."""
    found: list[Shortfall] = []
    for rule in PERIOD_RULES:
        start, end = dates.get(rule.start_field), dates.get(rule.end_field)
        if kind not in rule.notice_kinds or start is None or end is None:
            continue
        days = days_between(rule, start, end, calendar)
        if days < rule.min_days:
            found.append(Shortfall(rule, days, earliest_end(rule, start, calendar)))
    return found
