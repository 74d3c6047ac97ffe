"""Pure booking rules: when a slot may be booked, when a booking may still be
cancelled, and when repeated no-shows suspend booking. No I/O: the calendar and
the clock are passed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from shared.halls.errors import CANCEL_TOO_LATE, SLOT_NOT_OPEN
from shared.halls.models import SLOT_MINUTES, Hall
from shared.platform.errors import Conflict, ValidationFailed

if TYPE_CHECKING:
    from shared.workdays.api import Calendar

CHINA = ZoneInfo("Asia/Shanghai")


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(CHINA)


def check_slot(hall: Hall, group: str, starts_at: dt.datetime, now: dt.datetime, calendar: Calendar) -> None:
    """Refuse (422 halls.slot_not_open) a slot that is past, not on a half hour, not
    served by a window group of the hall, not a working day, or outside opening hours."""
    start = local(starts_at)

    def refuse(reason: str) -> ValidationFailed:
        return ValidationFailed(SLOT_NOT_OPEN, params={"reason": reason})

    if group not in hall.groups():
        raise refuse("unknown window group")
    if start.minute % SLOT_MINUTES or start.second or start.microsecond:
        raise refuse("slots start on the hour or half hour")
    if starts_at <= now:
        raise refuse("the slot has begun")
    if not calendar.is_workday(start.date()):
        raise refuse("not a working day")
    end = (start + dt.timedelta(minutes=SLOT_MINUTES)).time()
    if not any(p.opens <= start.time() and end <= p.closes for p in hall.opening):
        raise refuse("outside opening hours")


def check_cancel(starts_at: dt.datetime, now: dt.datetime, cutoff_minutes: int) -> None:
    if now > starts_at - dt.timedelta(minutes=cutoff_minutes):
        raise Conflict(CANCEL_TOO_LATE, params={"minutes": cutoff_minutes})


def suspended_until(
    no_shows: Iterable[dt.date], today: dt.date, *, limit: int, window_days: int, suspension_days: int
) -> dt.date | None:
    """The day booking opens again, or None: `limit` no-shows within `window_days`
    (calendar days, counted back from the latest) suspend for `suspension_days`
    from that latest no-show."""
    days = sorted(no_shows)
    for i in range(len(days) - limit, -1, -1):
        latest = days[i + limit - 1]
        if (latest - days[i]).days < window_days:
            until = latest + dt.timedelta(days=suspension_days)
            return until if until > today else None
    return None


def is_open(hall: Hall, now: dt.datetime, calendar: Calendar) -> bool:
    """Whether the hall is open at `now`: a working day, inside an opening period."""
    moment = local(now)
    return calendar.is_workday(moment.date()) and any(p.opens <= moment.time() < p.closes for p in hall.opening)


def slot_start(moment: dt.datetime) -> dt.datetime:
    """The half hour `moment` falls in (Shanghai time)."""
    at = local(moment)
    return at.replace(minute=at.minute - at.minute % SLOT_MINUTES, second=0, microsecond=0)


def queue_key(now: dt.datetime, booked_slot: dt.datetime | None) -> str:
    """A ticket's place in its group's queue (sorts as text): the half hour it belongs
    to, then appointments (0) before walk-ins (1) of that half hour, then arrival.
    An appointment counts from its slot (early arrivals wait for it), or from the
    half hour of arrival when late: appointments go first within their slot."""
    arrival = slot_start(now)
    start = max(local(booked_slot), arrival) if booked_slot else arrival
    rank = 0 if booked_slot else 1
    return f"{start:%H%M}#{rank}#{now.astimezone(dt.UTC):%H%M%S%f}"
