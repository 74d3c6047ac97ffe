"""Halls use cases: operators keep halls; people book, cancel; no-shows are recorded."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from shared.halls.config import halls_settings
from shared.halls.errors import BOOKING_NOT_ACTIVE, BOOKING_SUSPENDED, HALL_NOT_FOUND, SLOT_FULL
from shared.halls.models import Booking, BookingState, Hall
from shared.halls.repository import HallsRepository
from shared.halls.rules import check_cancel, check_slot, local, suspended_until
from shared.platform.clock import now as clock_now
from shared.platform.dynamo import shard_of
from shared.platform.errors import AppError, Conflict, NotFound
from shared.platform.ids import new_id
from shared.workdays.api import Calendar


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): enough for "halls near me" on a map."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


class HallsService:
    def __init__(
        self, repository: HallsRepository, calendar: Calendar, clock: Callable[[], dt.datetime] = clock_now
    ) -> None:
        self.repository = repository
        self.calendar = calendar
        self.clock = clock

    def hall(self, hall_id: str) -> Hall:
        hall = self.repository.hall(hall_id)
        if hall is None:
            raise NotFound(HALL_NOT_FOUND)
        return hall

    def halls_near(self, county_code: str, latitude: float, longitude: float, radius_km: float) -> list[Hall]:
        """The county's halls within `radius_km` of the point, nearest first."""
        found = [
            (distance_km(latitude, longitude, h.latitude, h.longitude), h)
            for h in self.repository.halls_in_region(county_code)
        ]
        return [h for d, h in sorted(found, key=lambda pair: pair[0]) if d <= radius_km]

    def book(self, hall_id: str, group: str, starts_at: dt.datetime, subject_id: str, item_code: str | None) -> Booking:
        """Book a place: the person's own shard first, then the others (D-160); the
        table's conditions refuse an over-full slot, a second booking of the same
        slot and a suspended person."""
        settings = halls_settings()
        hall = self.hall(hall_id)
        now = self.clock()
        check_slot(hall, group, starts_at, now, self.calendar)
        shards = min(settings.halls_booking_shards, hall.slot_capacity)
        first = shard_of(subject_id, shards)
        booking_id = new_id()
        for step in range(shards):
            booking = Booking(
                booking_id=booking_id,
                hall_id=hall_id,
                group=group,
                starts_at=starts_at,
                subject_id=subject_id,
                item_code=item_code,
                shard=(first + step) % shards,
            )
            try:
                self.repository.book(booking, hall.slot_capacity, shards, local(now).date())
                return booking
            except AppError as refused:
                if refused.code == BOOKING_SUSPENDED:
                    until = self.repository.standing(subject_id).get("suspended_until", "")
                    raise Conflict(BOOKING_SUSPENDED, params={"until": until}) from refused
                if refused.code != SLOT_FULL:
                    raise
        raise Conflict(SLOT_FULL)

    def cancel(self, booking_id: str, subject_id: str) -> None:
        booking = self._own_booking(booking_id, subject_id)
        check_cancel(booking.starts_at, self.clock(), halls_settings().halls_cancel_cutoff_minutes)
        self.repository.cancel(booking)

    def record_no_show(self, booking_id: str) -> dt.date | None:
        """Mark a booking not honoured; returns the suspension's end when this one
        completes `no_show_limit` within the window."""
        settings = halls_settings()
        booking = self.repository.booking(booking_id)
        if booking is None:
            raise NotFound(HALL_NOT_FOUND)
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

    def _own_booking(self, booking_id: str, subject_id: str) -> Booking:
        booking = self.repository.booking(booking_id)
        # Another person's booking reads as absent: ids are not secrets to probe.
        if booking is None or booking.subject_id != subject_id:
            raise NotFound(HALL_NOT_FOUND)
        if booking.state is not BookingState.booked:
            raise Conflict(BOOKING_NOT_ACTIVE, params={"state": booking.state.value})
        return booking
