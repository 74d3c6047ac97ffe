"""Scorecard sources other than cases (D-128): supervision warnings and orders, ratings
(好差评), rectification orders and 12345 tickets (D-283) count for their department's months,
each subject through its own track (`SubjectTrack`, merged by version like a case's), so a duplicate, an older
delivery or a changed rating moves the counters exactly once.

Orders are this context's own events (`shared.supervision.events`). The ratings and
ticket models here are this consumer's reading of the ratings and hotline contexts' schemas
(docs/events.md): only the fields it needs, anything else ignored, so the worker does
not load that context's modules. A source plugs in with a model, a handler that
merges its events into the subject's track and says what the subject adds, a metric
in `shared.supervision.scorecards.METRICS`, and its types in the template's
Monitoring rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.supervision import monitoring as m
from shared.supervision import scorecards as sc
from shared.supervision.events import (
    ORDER_CLOSED,
    ORDER_ESCALATED,
    ORDER_ISSUED,
    ORDER_REPLIED,
    WARNING_RAISED,
    WARNING_RESOLVED,
    OrderFacts,
    WarningRaisedData,
    WarningResolvedData,
)
from shared.supervision.monitoring_service import Monitoring, monitoring

sources: Dispatcher[None] = Dispatcher("monitoring_worker")

RATING_GIVEN = "rating.given"
RATING_CHANGED = "rating.changed"
RATING_EXCLUDED = "rating.excluded"
RECTIFICATION_ANSWERED = "rectification.answered"
RECTIFICATION_CLOSED = "rectification.closed"
TICKET_OPENED = "ticket.opened"
TICKET_DISPATCHED = "ticket.dispatched"
TICKET_ANSWERED = "ticket.answered"
TICKET_CLOSED = "ticket.closed"
TICKET_LINKED = "ticket.linked"
TICKET_EVENTS = (TICKET_OPENED, TICKET_DISPATCHED, TICKET_ANSWERED, TICKET_CLOSED, TICKET_LINKED)
"""The 12345 ticket events that move what a ticket counts (D-283): taken in, who holds it, its
first answer, its closing (signing, returns and reopening change none of them)."""
HOTLINE_DESK = "desk#12345"
"""The region's row for tickets no department held: closed from the knowledge base, or linked
as a duplicate when taken in."""

POINTS = {"very_satisfied": 5, "satisfied": 4, "basically_satisfied": 3, "dissatisfied": 2, "very_dissatisfied": 1}
"""好差评 levels as points (the satisfaction metric averages them)."""


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class RatingView(_View):
    """`rating.*` (a 好差评 rating of a case or ticket)."""

    rating_id: str
    revision: int
    region_code: str
    department_id: str
    month: str
    level: Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]
    excluded: bool = False


class TicketView(_View):
    """`ticket.*` (a 12345 ticket; the hotline's published `TicketFacts`)."""

    ticket_id: str
    version: int | None = None
    opened_at: dt.datetime | None = None
    region_code: str
    state: str
    department_id: str | None = None
    department_region_code: str | None = None
    answered_by: str | None = None


class RectificationView(_View):
    """`rectification.*` (整改单 after a 差评)."""

    order_id: str
    version: int
    state: str
    region_code: str
    department_id: str
    answered_on_time: bool | None = None


def _moved(
    old: m.SubjectTrack | None,
    key: str,
    version: int,
    region: str,
    department: str,
    state: str,
    due_on: dt.date | None = None,
) -> m.SubjectTrack:
    """A copy of the track with the newest version's region, department, state and limit."""
    track = old.model_copy(deep=True) if old else m.SubjectTrack(key=key)
    if version > track.version:
        track.version, track.region_code, track.department_id, track.state = version, region, department, state
        track.due_on = due_on
    return track


WARNING_VERSIONS = {WARNING_RAISED: 1, WARNING_RESOLVED: 2}
"""A warning has no version of its own: raised, then resolved (a resolution that arrives
first is not undone by the raise)."""


@sources.on(WARNING_RAISED, data=WarningRaisedData)
def on_warning_raised(data: WarningRaisedData, envelope: Envelope) -> None:
    _warning(data, m.shanghai_date(envelope.time), envelope)


@sources.on(WARNING_RESOLVED, data=WarningResolvedData)
def on_warning_resolved(data: WarningResolvedData, envelope: Envelope) -> None:
    _warning(data, data.raised_on, envelope)


def _warning(data: WarningRaisedData | WarningResolvedData, raised_on: dt.date, envelope: Envelope) -> None:
    """A warning counts for its department: raised in the month it was raised, and open
    (live, by level) until its limit is cleared. A limit without a department counts nowhere."""
    if not data.department_id:
        return
    key = f"warning:{data.limit_id}:{data.level}"
    red = data.level == "red"

    def update(old: m.SubjectTrack | None) -> m.SubjectTrack:
        version = WARNING_VERSIONS[envelope.type]
        track = _moved(old, key, version, data.region_code, data.department_id or "", envelope.type)
        track.moments.setdefault("raised", raised_on)
        counts = {m.month_of(track.moments["raised"]): {sc.WARNINGS_RED if red else sc.WARNINGS_YELLOW: 1}}
        if track.state == WARNING_RAISED:
            counts[m.LIVE] = {m.WARNINGS_OPEN_RED if red else m.WARNINGS_OPEN_YELLOW: 1}
        track.counts = counts
        return track

    monitoring().apply_subject(key, update)


@sources.on(ORDER_ISSUED, ORDER_REPLIED, ORDER_ESCALATED, ORDER_CLOSED, data=OrderFacts)
def on_order(data: OrderFacts, envelope: Envelope) -> None:
    """An order counts as received in the month it was issued; its first reply in the
    month of the reply, with the working days it took; while not closed it is open
    (live), and while waiting for a reply it sits in the due-date bucket of its limit."""
    day = m.shanghai_date(envelope.time)
    service = monitoring()

    def update(old: m.SubjectTrack | None) -> m.SubjectTrack:
        key = f"order:{data.order_id}"
        department = data.department_id or ""
        track = _moved(old, key, data.version, data.region_code, department, data.state, data.due_on)
        if envelope.type in (ORDER_ISSUED, ORDER_REPLIED):
            track.moments.setdefault("issued" if envelope.type == ORDER_ISSUED else "replied", day)
        issued, replied = track.moments.get("issued"), track.moments.get("replied")
        counts = _received_and_replied(
            service, issued, replied, (sc.ORDERS_RECEIVED, sc.ORDERS_REPLIED, sc.ORDER_REPLY_DAYS)
        )
        if track.state and track.state != "closed":
            live = counts.setdefault(m.LIVE, {m.ORDERS_OPEN: 1})
            if track.state == "open" and track.due_on:
                live[m.DUE_ORDER_PREFIX + track.due_on.isoformat()] = 1
        track.counts = counts
        return track

    service.apply_subject(f"order:{data.order_id}", update)


@sources.on(RATING_GIVEN, RATING_CHANGED, RATING_EXCLUDED, data=RatingView)
def on_rating(data: RatingView, envelope: Envelope) -> None:
    """A rating counts in its month with its level's points, the newest revision's level,
    until an upheld appeal excludes it."""

    def update(old: m.SubjectTrack | None) -> m.SubjectTrack:
        track = _moved(old, f"rating:{data.rating_id}", data.revision, data.region_code, data.department_id, data.level)
        if data.excluded or envelope.type == RATING_EXCLUDED:
            track.moments.setdefault("excluded", m.shanghai_date(envelope.time))
        if "excluded" in track.moments:
            track.counts = {}
        elif track.version == data.revision:  # the newest revision says the month and the level
            track.counts = {data.month: {sc.RATINGS: 1, sc.RATING_POINTS: POINTS[data.level]}}
        return track

    monitoring().apply_subject(f"rating:{data.rating_id}", update)


@sources.on(RECTIFICATION_ANSWERED, RECTIFICATION_CLOSED, data=RectificationView)
def on_rectification(data: RectificationView, envelope: Envelope) -> None:
    """A rectification counts once answered, in the month of the answer, on time or not."""
    day = m.shanghai_date(envelope.time)

    def update(old: m.SubjectTrack | None) -> m.SubjectTrack:
        key = f"rectification:{data.order_id}"
        track = _moved(old, key, data.version, data.region_code, data.department_id, data.state)
        if data.answered_on_time is not None and "answered" not in track.moments:
            track.moments["answered"] = day
            track.counts = {
                m.month_of(day): {sc.RECTIFICATIONS: 1, sc.RECTIFICATIONS_ON_TIME: int(data.answered_on_time)}
            }
        return track

    monitoring().apply_subject(f"rectification:{data.order_id}", update)


@sources.on(*TICKET_EVENTS, data=TicketView)
def on_ticket(data: TicketView, envelope: Envelope) -> None:
    """A 12345 ticket counts as received in the month it was taken in; its first answer by a
    department in the month of the answer, with the working days since it was taken in; its
    closing in the month it closed. It counts for the department that holds it (the newest
    version's), in that department's region, or — held by none — on the 12345 desk row of the
    place it is about (D-283)."""
    day = m.shanghai_date(envelope.time)
    service = monitoring()
    key = f"ticket:{data.ticket_id}"

    def update(old: m.SubjectTrack | None) -> m.SubjectTrack:
        track = old.model_copy(deep=True) if old else m.SubjectTrack(key=key)
        version = data.version or 0
        # opened and dispatched are one save (one version): the one that names the department wins
        if version > track.version or (version == track.version and data.department_id and not track.department_id):
            track.version, track.state = version, data.state
            track.department_id = data.department_id or ""
            track.region_code = (
                (data.department_region_code or data.region_code) if data.department_id else data.region_code
            )
            track.own_row = "" if data.department_id else HOTLINE_DESK
        opened = m.shanghai_date(data.opened_at) if data.opened_at else day if envelope.type == TICKET_OPENED else None
        _earliest(track.moments, "opened", opened)
        if envelope.type == TICKET_ANSWERED and data.answered_by != "knowledge_base":
            _earliest(track.moments, "answered", day)
        if envelope.type == TICKET_CLOSED:
            _earliest(track.moments, "closed", day)
        opened_on, answered, closed = (track.moments.get(name) for name in ("opened", "answered", "closed"))
        counts = _received_and_replied(
            service, opened_on, answered, (sc.TICKETS_RECEIVED, sc.TICKETS_ANSWERED, sc.TICKET_ANSWER_DAYS)
        )
        if closed:
            counts.setdefault(m.month_of(closed), {})[sc.TICKETS_CLOSED] = 1
        track.counts = counts
        return track

    service.apply_subject(key, update)


def _received_and_replied(
    service: Monitoring, received: dt.date | None, replied: dt.date | None, names: tuple[str, str, str]
) -> dict[str, dict[str, int]]:
    """Month → counts of a subject that asks for a reply (an order, a ticket): one received in the
    month it came, and once replied, one reply in the reply's month with the working days it took."""
    received_name, replied_name, days_name = names
    counts: dict[str, dict[str, int]] = {}
    if received:
        counts.setdefault(m.month_of(received), {})[received_name] = 1
        if replied:
            reply = counts.setdefault(m.month_of(replied), {})
            reply[replied_name] = 1
            reply[days_name] = service.working_days(received, replied) if replied > received else 0
    return counts


def _earliest(moments: dict[str, dt.date], name: str, day: dt.date | None) -> None:
    """The first day of a step, whatever order its events arrive in."""
    if day is not None and (name not in moments or day < moments[name]):
        moments[name] = day
