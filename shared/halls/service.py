"""Halls use cases: operators keep halls; the public finds them and their queues;
people book, cancel and take numbers; clerks call numbers and record no-shows; a
daily sweep reminds and records no-shows."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import shared.workdays.api as workdays
from shared.halls.config import halls_settings
from shared.halls.errors import (
    BOOKING_NOT_ACTIVE,
    BOOKING_NOT_FOUND,
    BOOKING_NOT_TODAY,
    BOOKING_SUSPENDED,
    CALLED_ELSEWHERE,
    HALL_CLOSED,
    HALL_NOT_FOUND,
    ITEM_NOT_AT_WINDOW,
    ITEM_NOT_SERVED,
    NOT_HALL_CLERK,
    SLOT_FULL,
    SLOT_NOT_OVER,
    TICKET_NOT_CALLED,
    TICKET_NOT_FOUND,
    WINDOW_NOT_FOUND,
)
from shared.halls.models import (
    SLOT_MINUTES,
    Booking,
    BookingList,
    BookingRequest,
    BookingState,
    CallResult,
    Hall,
    HallCounter,
    HallFields,
    HallList,
    HallView,
    Ticket,
    TicketRequest,
    TicketState,
    Window,
)
from shared.halls.repository import HallsRepository, shard_capacity
from shared.halls.rules import check_cancel, check_slot, is_open, local, queue_key, suspended_until
from shared.platform.clock import now as clock_now
from shared.platform.dynamo import from_item, shard_of
from shared.platform.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from shared.platform.ids import new_id
from shared.platform.principal import Principal, Role


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): enough for "halls near me" on a map."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _view(hall: Hall, stats: dict[str, Any], distance: float | None = None) -> HallView:
    called = int(stats.get("called", 0))
    waited = int(stats.get("waited_seconds", 0))
    return HallView(
        **hall.model_dump(),
        waiting=max(int(stats.get("waiting", 0)), 0),
        average_wait_minutes=round(waited / called / 60, 1) if called else None,
        distance_km=round(distance, 2) if distance is not None else None,
    )


class HallsService:
    def __init__(
        self,
        repository: HallsRepository,
        calendar: workdays.Calendar | None = None,
        clock: Callable[[], dt.datetime] = clock_now,
    ) -> None:
        self.repository = repository
        self._calendar = calendar
        self.clock = clock

    @property
    def calendar(self) -> workdays.Calendar:
        """The platform calendar (by default), loaded with the first booking or opening-hours check,
        not at HallsApiFunction's cold start (D-338)."""
        if self._calendar is None:
            self._calendar = workdays.calendar()
        return self._calendar

    # --- halls ---------------------------------------------------------------------

    def hall(self, hall_id: str) -> Hall:
        hall = self.repository.hall(hall_id)
        if hall is None:
            raise NotFound(HALL_NOT_FOUND)
        return hall

    def put_hall(self, hall_id: str, fields: HallFields) -> Hall:
        """Create or replace a hall (operators); a window group's item must be unique per window id."""
        hall = Hall(hall_id=hall_id, **fields.model_dump())
        ids = [w.window_id for w in hall.windows]
        if len(ids) != len(set(ids)):
            raise ValidationFailed("validation_failed", params={"detail": "window ids repeat"})
        self.repository.save_hall(hall, previous=self.repository.hall(hall_id))
        return hall

    def hall_view(self, hall_id: str) -> HallView:
        hall = self.hall(hall_id)
        return _view(hall, self.repository.day_stats(hall_id, local(self.clock()).date()))

    def halls_near(self, county_code: str, latitude: float, longitude: float, radius_km: float) -> list[Hall]:
        """The county's halls within `radius_km` of the point, nearest first."""
        found = [
            (distance_km(latitude, longitude, h.latitude, h.longitude), h)
            for h in self.repository.halls_in_region(county_code)
        ]
        return [h for d, h in sorted(found, key=lambda pair: pair[0]) if d <= radius_km]

    def list_halls(
        self, county_code: str, latitude: float | None, longitude: float | None, radius_km: float
    ) -> HallList:
        """A county's halls (map data) with today's waiting counts; with a point, those
        within the radius, nearest first. One Query and one BatchGetItem."""
        halls = self.repository.halls_in_region(county_code)
        distances: dict[str, float] = {}
        if latitude is not None and longitude is not None:
            distances = {h.hall_id: distance_km(latitude, longitude, h.latitude, h.longitude) for h in halls}
            halls = sorted((h for h in halls if distances[h.hall_id] <= radius_km), key=lambda h: distances[h.hall_id])
        stats = self.repository.days_stats([h.hall_id for h in halls], local(self.clock()).date())
        return HallList(items=[_view(h, stats.get(h.hall_id, {}), distances.get(h.hall_id)) for h in halls])

    # --- appointments --------------------------------------------------------------

    def book(self, hall_id: str, group: str, starts_at: dt.datetime, subject_id: str, item_code: str | None) -> Booking:
        """Book a place: the person's own shard first, then the others (D-160); the
        table's conditions refuse an over-full slot, a second booking of the same
        slot and a suspended person."""
        settings = halls_settings()
        hall = self.hall(hall_id)
        now = self.clock()
        check_slot(hall, group, starts_at, now, self.calendar)
        _served_by_group(hall, group, item_code)
        shards = min(settings.halls_booking_shards, hall.slot_capacity)
        first = shard_of(subject_id, shards)
        booking = Booking(
            booking_id=new_id(),
            hall_id=hall_id,
            group=group,
            starts_at=starts_at,
            subject_id=subject_id,
            item_code=item_code,
            shard=first,
        )
        today = local(now).date()
        if self._try_book(booking, hall.slot_capacity, shards, today):
            return booking
        # the person's shard is full: read the others once and try only those with room, so a
        # full slot costs one refused transaction and one read, not one transaction per shard
        counts = self.repository.shard_counts(hall_id, group, starts_at, shards)
        for step in range(1, shards):
            shard = (first + step) % shards
            if counts.get(shard, 0) >= shard_capacity(hall.slot_capacity, shards, shard):
                continue
            candidate = booking.model_copy(update={"shard": shard})
            if self._try_book(candidate, hall.slot_capacity, shards, today):
                return candidate
        raise Conflict(SLOT_FULL)

    def _try_book(self, booking: Booking, capacity: int, shards: int, today: dt.date) -> bool:
        """One booking transaction; False when its shard is full, the other refusals raised."""
        try:
            self.repository.book(booking, capacity, shards, today)
        except AppError as refused:
            if refused.code == BOOKING_SUSPENDED:
                until = self.repository.standing(booking.subject_id).get("suspended_until", "")
                raise Conflict(BOOKING_SUSPENDED, params={"until": until}) from refused
            if refused.code != SLOT_FULL:
                raise
            return False
        return True

    def book_for(self, principal: Principal, hall_id: str, request: BookingRequest) -> Booking:
        return self.book(hall_id, request.group, request.starts_at, principal.subject_id, request.item_code)

    def my_bookings(self, principal: Principal) -> BookingList:
        return BookingList(items=self.repository.bookings_of(principal.subject_id))

    def booking_of(self, principal: Principal, booking_id: str) -> Booking:
        booking = self.repository.booking(booking_id)
        # Another person's booking reads as absent: ids are not secrets to probe.
        if booking is None or booking.subject_id != principal.subject_id:
            raise NotFound(BOOKING_NOT_FOUND)
        return booking

    def cancel(self, booking_id: str, subject_id: str) -> None:
        booking = self._own_booking(booking_id, subject_id)
        check_cancel(booking.starts_at, self.clock(), halls_settings().halls_cancel_cutoff_minutes)
        self.repository.cancel(booking)

    def record_no_show(self, booking_id: str) -> dt.date | None:
        """Mark a booking not honoured; returns the suspension's end when this one
        completes `no_show_limit` within the window."""
        booking = self.repository.booking(booking_id)
        if booking is None:
            raise NotFound(BOOKING_NOT_FOUND)
        return self._no_show(booking)

    def clerk_no_show(self, principal: Principal, booking_id: str) -> Booking:
        """A clerk of the booking's hall records a no-show once its slot is over."""
        booking = self.repository.booking(booking_id)
        if booking is None:
            raise NotFound(BOOKING_NOT_FOUND)
        self.clerk_hall(principal, booking.hall_id)
        if self.clock() < booking.starts_at + dt.timedelta(minutes=SLOT_MINUTES):
            raise Conflict(SLOT_NOT_OVER)
        if booking.state is not BookingState.booked:
            raise Conflict(BOOKING_NOT_ACTIVE, params={"state": booking.state.value})
        self._no_show(booking)
        return booking.model_copy(update={"state": BookingState.no_show})

    def _no_show(self, booking: Booking) -> dt.date | None:
        settings = halls_settings()
        standing = self.repository.standing(booking.subject_id)
        days = [*standing.get("no_shows", []), local(booking.starts_at).date().isoformat()]
        today = local(self.clock()).date()
        until = suspended_until(
            (dt.date.fromisoformat(d) for d in days),
            today,
            limit=settings.halls_no_show_limit,
            window_days=settings.halls_no_show_window_days,
            suspension_days=settings.halls_suspension_days,
        )
        self.repository.record_no_show(booking, days, int(standing.get("version", 0)), until)
        return until

    def sweep(self) -> dict[str, int]:
        """The daily schedule (evening): today's bookings whose slot is over and that
        nobody arrived for become no-shows; tomorrow's get their reminder (once each)."""
        now = self.clock()
        today = local(now).date()
        shards = halls_settings().halls_booking_shards
        counts = {"no_shows": 0, "reminders": 0}
        for hall_id in self.repository.all_hall_ids():
            hall = self.repository.hall(hall_id)
            if hall is None:
                continue
            for booking in self.repository.bookings_on(hall_id, today, shards):
                if booking.starts_at + dt.timedelta(minutes=SLOT_MINUTES) <= now:
                    try:
                        self._no_show(booking)
                        counts["no_shows"] += 1
                    except Conflict:
                        pass  # arrived or cancelled meanwhile, or a concurrent run recorded it
            for booking in self.repository.bookings_on(hall_id, today + dt.timedelta(days=1), shards):
                counts["reminders"] += self.repository.remind(booking, hall.name)
        return counts

    def _own_booking(self, booking_id: str, subject_id: str) -> Booking:
        booking = self.repository.booking(booking_id)
        if booking is None or booking.subject_id != subject_id:
            raise NotFound(BOOKING_NOT_FOUND)
        if booking.state is not BookingState.booked:
            raise Conflict(BOOKING_NOT_ACTIVE, params={"state": booking.state.value})
        return booking

    # --- queue numbers -------------------------------------------------------------

    def clerk_hall(self, principal: Principal, hall_id: str) -> Hall:
        """The hall, when the caller is staff of a department stationed there (403 otherwise)."""
        hall = self.hall(hall_id)
        if principal.role is not Role.STAFF or principal.department_id not in hall.departments:
            raise Forbidden(NOT_HALL_CLERK)
        return hall

    def take_number(self, principal: Principal, hall_id: str, request: TicketRequest) -> Ticket:
        """Take a number on arrival: with the caller's booking for today (it moves to
        `arrived` and keeps its slot's priority), or without one for a group and item.
        Applicants take their own; a clerk of the hall takes one for a walk-in."""
        hall = self.hall(hall_id)
        now = self.clock()
        if not is_open(hall, now, self.calendar):
            raise Conflict(HALL_CLOSED)
        booking: Booking | None = None
        if request.booking_id:
            booking = self.repository.booking(request.booking_id)
            if booking is None or booking.hall_id != hall_id or booking.subject_id != principal.subject_id:
                raise NotFound(BOOKING_NOT_FOUND)
            if booking.state is not BookingState.booked:
                raise Conflict(BOOKING_NOT_ACTIVE, params={"state": booking.state.value})
            day = local(booking.starts_at).date()
            if day != local(now).date():
                raise Conflict(BOOKING_NOT_TODAY, params={"day": day.isoformat()})
            group, item_code = booking.group, booking.item_code
        else:
            if principal.role is Role.STAFF:
                self.clerk_hall(principal, hall_id)
            elif principal.role not in {Role.CITIZEN, Role.AGENT}:
                raise Forbidden()
            if request.group is None:
                raise ValidationFailed("validation_failed", params={"detail": "group is required without a booking"})
            group, item_code = request.group, request.item_code
            _served_by_group(hall, group, item_code)
        number = self.repository.next_number(hall_id, local(now).date())
        ticket = Ticket(
            ticket_id=new_id(),
            hall_id=hall_id,
            number=f"{group[0].upper()}{number:03d}",
            group=group,
            item_code=item_code,
            booking_id=booking.booking_id if booking else None,
            subject_id=principal.subject_id if principal.role is not Role.STAFF else None,
            taken_at=now,
            queue_key=queue_key(now, booking.starts_at if booking else None),
        )
        self.repository.take(ticket, booking)
        return ticket

    def call_next(self, principal: Principal, hall_id: str, window_id: str) -> CallResult:
        """`_next` at the window, with the hall's waiting count after it (one more GetItem)."""
        ticket = self._next(principal, hall_id, window_id)
        stats = self.repository.day_stats(hall_id, local(self.clock()).date())
        return CallResult(ticket=ticket, waiting=max(int(stats.get("waiting", 0)), 0))

    def _next(self, principal: Principal, hall_id: str, window_id: str) -> Ticket | None:
        """The first waiting number of the window's group that the window serves, called
        at this window; None when nobody waits for it. Two clerks calling at once never
        get the same number: removing it from the queue is the condition."""
        hall = self.clerk_hall(principal, hall_id)
        window = hall.window(window_id)
        if window is None:
            raise NotFound(WINDOW_NOT_FOUND)
        now = self.clock()
        day = local(now).date()
        after: dict[str, Any] | None = None
        while True:
            page = self.repository.waiting_page(hall_id, window.group, day, after)
            for entry in page.get("Items", []):
                called = self._try_call(window, entry, now)
                if called is not None:
                    return called
            after = page.get("LastEvaluatedKey")
            if not after:
                return None

    def _try_call(self, window: Window, raw: dict[str, Any], now: dt.datetime) -> Ticket | None:
        entry = from_item(raw)
        if not window.serves(entry.get("item_code")):
            return None
        # the queue entry carries the ticket as taken: no read of the ticket itself
        waiting = Ticket.model_validate({k: v for k, v in entry.items() if k not in {"pk", "sk"}})
        called = waiting.model_copy(
            update={
                "state": TicketState.called,
                "window_id": window.window_id,
                "called_at": now,
                "waited_seconds": max(int((now - waiting.taken_at).total_seconds()), 0),
            }
        )
        try:
            self.repository.call(called, str(entry["sk"]))
        except Conflict as lost:
            if lost.code == CALLED_ELSEWHERE:
                return None
            raise
        return called

    # --- counter intake (read by the cases context through its `halls` port) -------------

    def counter_for_intake(self, principal: Principal, ticket_id: str, item_code: str) -> HallCounter:
        """The hall and window where this clerk called the number, when the window serves
        the item: a clerk takes in only their hall's items, at the window that called the person."""
        ticket = self.repository.ticket(ticket_id)
        if ticket is None:
            raise NotFound(TICKET_NOT_FOUND)
        hall = self.clerk_hall(principal, ticket.hall_id)
        if ticket.state is not TicketState.called or ticket.window_id is None:
            raise Conflict(TICKET_NOT_CALLED)
        window = hall.window(ticket.window_id)
        if window is None or not window.serves(item_code):
            raise Forbidden(ITEM_NOT_AT_WINDOW, params={"window": ticket.window_id})
        return HallCounter(
            hall_id=hall.hall_id,
            hall_name=hall.name,
            hall_region_code=hall.region_code,
            window_id=window.window_id,
            number=ticket.number,
        )


def _served_by_group(hall: Hall, group: str, item_code: str | None) -> None:
    """Refuse an item that no window of the group serves (a general consultation, no item, always passes)."""
    windows = [w for w in hall.windows if w.group == group]
    if not windows:
        raise ValidationFailed(ITEM_NOT_SERVED)
    if item_code is not None and not any(w.serves(item_code) for w in windows):
        raise ValidationFailed(ITEM_NOT_SERVED)


@cache
def halls_service() -> HallsService:
    return HallsService(HallsRepository())
