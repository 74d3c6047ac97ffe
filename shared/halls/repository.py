"""HallsTable access: the only module that knows its keys.

| record                         | pk                                     | sk              |
|--------------------------------|----------------------------------------|-----------------|
| hall                           | `HALL#<hall_id>`                       | `HALL`          |
| hall in its county's list      | `REGION#<county code>`                 | `HALL#<hall_id>` |
| slot counter, one per shard    | `SLOT#<hall>#<group>#<start>#<shard>`  | `SLOT`          |
| booking                        | `BOOKING#<booking_id>`                 | `BOOKING`       |
| one booking per person & slot  | `SUBJ#<subject_id>`                    | `SLOT#<hall>#<group>#<start>` |
| person's booking standing      | `SUBJ#<subject_id>`                    | `STANDING`      |
| outbox                         | `OUTBOX#<event id>`                    | `OUTBOX`        |

A slot's capacity is split over `HALLS_BOOKING_SHARDS` counters (D-160): a booking
increments one counter under the condition `booked < capacity`, in the same
transaction as the booking, the per-person guard, the suspension check and the
outbox event — the table refuses the 21st booking, whatever the concurrency.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.halls.config import halls_settings
from shared.halls.errors import ALREADY_BOOKED, BOOKING_NOT_ACTIVE, BOOKING_SUSPENDED, SLOT_FULL
from shared.halls.events import AppointmentFacts, appointment_event
from shared.halls.models import Booking, BookingState, Hall
from shared.platform.dynamo import Repository, values
from shared.platform.errors import Conflict


def shard_capacity(capacity: int, shards: int, shard: int) -> int:
    """Shard `shard`'s part of `capacity`; the parts add up to exactly `capacity`."""
    return capacity // shards + (1 if shard < capacity % shards else 0)


def _slot(hall_id: str, group: str, starts_at: dt.datetime) -> str:
    return f"{hall_id}#{group}#{starts_at.astimezone(dt.UTC).isoformat()}"


class HallsRepository(Repository):
    def configured_table(self) -> str:
        return halls_settings().halls_table

    def save_hall(self, hall: Hall) -> None:
        data = hall.model_dump(mode="json")
        (
            self.transaction()
            .put({"pk": f"HALL#{hall.hall_id}", "sk": "HALL", **data})
            .put({"pk": f"REGION#{hall.region_code[:6]}", "sk": f"HALL#{hall.hall_id}", **data})
            .commit()
        )

    def hall(self, hall_id: str) -> Hall | None:
        item = self.get_item({"pk": f"HALL#{hall_id}", "sk": "HALL"})
        return Hall.model_validate(_strip(item)) if item else None

    def halls_in_region(self, county_code: str) -> list[Hall]:
        items = self.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=values(pk=f"REGION#{county_code}")
        )
        return [Hall.model_validate(_strip(item)) for item in items]

    def book(self, booking: Booking, capacity: int, shards: int, today: dt.date) -> None:
        """One transaction: the shard counter below its part of the capacity, the
        person's guard for this slot, their standing not suspended, the booking and its event."""
        slot = _slot(booking.hall_id, booking.group, booking.starts_at)
        facts = AppointmentFacts(**booking.model_dump(exclude={"shard", "state"}))
        (
            self.transaction()
            .update(
                {"pk": f"SLOT#{slot}#{booking.shard}", "sk": "SLOT"},
                "SET booked = if_not_exists(booked, :zero) + :one",
                condition="attribute_not_exists(booked) OR booked < :cap",
                values=values(zero=0, one=1, cap=shard_capacity(capacity, shards, booking.shard)),
                on_conflict=Conflict(SLOT_FULL),
            )
            .put(
                {"pk": f"SUBJ#{booking.subject_id}", "sk": f"SLOT#{slot}", "booking_id": booking.booking_id},
                condition="attribute_not_exists(pk)",
                on_conflict=Conflict(ALREADY_BOOKED),
            )
            .check(
                {"pk": f"SUBJ#{booking.subject_id}", "sk": "STANDING"},
                "attribute_not_exists(suspended_until) OR suspended_until <= :today",
                values=values(today=today.isoformat()),
                on_conflict=Conflict(BOOKING_SUSPENDED, params={"until": "?"}),
            )
            .put({"pk": f"BOOKING#{booking.booking_id}", "sk": "BOOKING", **booking.model_dump(mode="json")})
            .emit(appointment_event("appointment.booked", facts))
            .commit()
        )

    def booking(self, booking_id: str) -> Booking | None:
        item = self.get_item({"pk": f"BOOKING#{booking_id}", "sk": "BOOKING"}, consistent=True)
        return Booking.model_validate(_strip(item)) if item else None

    def standing(self, subject_id: str) -> dict[str, Any]:
        return self.get_item({"pk": f"SUBJ#{subject_id}", "sk": "STANDING"}, consistent=True) or {}

    def cancel(self, booking: Booking) -> None:
        """The booking leaves `booked` (once: the condition) and its shard counter and
        the person's guard give the place back in the same transaction."""
        slot = _slot(booking.hall_id, booking.group, booking.starts_at)
        facts = AppointmentFacts(**booking.model_dump(exclude={"shard", "state"}))
        (
            self.transaction()
            .update(
                {"pk": f"BOOKING#{booking.booking_id}", "sk": "BOOKING"},
                "SET #state = :cancelled",
                condition="#state = :booked",
                names={"#state": "state"},
                values=values(cancelled=BookingState.cancelled.value, booked=BookingState.booked.value),
                on_conflict=Conflict(BOOKING_NOT_ACTIVE, params={"state": "cancelled"}),
            )
            .update(
                {"pk": f"SLOT#{slot}#{booking.shard}", "sk": "SLOT"}, "SET booked = booked - :one", values=values(one=1)
            )
            .delete({"pk": f"SUBJ#{booking.subject_id}", "sk": f"SLOT#{slot}"})
            .emit(appointment_event("appointment.cancelled", facts))
            .commit()
        )

    def record_no_show(self, booking: Booking, no_shows: list[str], version: int, until: dt.date | None) -> None:
        """The booking becomes a no-show and the person's standing (their no-show days,
        a suspension) is rewritten under its version, in one transaction."""
        facts = AppointmentFacts(**booking.model_dump(exclude={"shard", "state"}), suspended_until=until)
        standing: dict[str, Any] = {
            "pk": f"SUBJ#{booking.subject_id}",
            "sk": "STANDING",
            "no_shows": no_shows,
            "version": version + 1,
        }
        if until:
            standing["suspended_until"] = until.isoformat()
        (
            self.transaction()
            .update(
                {"pk": f"BOOKING#{booking.booking_id}", "sk": "BOOKING"},
                "SET #state = :no_show",
                condition="#state = :booked",
                names={"#state": "state"},
                values=values(no_show=BookingState.no_show.value, booked=BookingState.booked.value),
                on_conflict=Conflict(BOOKING_NOT_ACTIVE, params={"state": booking.state.value}),
            )
            .put(
                standing,
                condition="attribute_not_exists(pk) OR version = :version",
                values=values(version=version),
            )
            .emit(appointment_event("appointment.no_show", facts))
            .commit()
        )


def _strip(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in {"pk", "sk"}}
