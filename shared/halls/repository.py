"""HallsTable access: the only module that knows its keys.

| record                         | pk                                     | sk              |
|--------------------------------|----------------------------------------|-----------------|
| hall                           | `HALL#<hall_id>`                       | `HALL`          |
| hall in its county's list      | `REGION#<county code>`                 | `HALL#<hall_id>` |
| hall in the list of all halls  | `HALLS`                                | `HALL#<hall_id>` (id only, for the sweep) |
| slot counter, one per shard    | `SLOT#<hall>#<group>#<start>#<shard>`  | `SLOT`          |
| booking                        | `BOOKING#<booking_id>`                 | `BOOKING`       |
| one booking per person & slot  | `SUBJ#<subject_id>`                    | `SLOT#<hall>#<group>#<start>` |
| person's booking standing      | `SUBJ#<subject_id>`                    | `STANDING`      |
| queue number of the day        | `NUMBERS#<hall>#<date>`                | `NUMBERS`       |
| ticket (a taken number)        | `TICKET#<ticket_id>`                   | `TICKET`        |
| waiting ticket in its queue    | `QUEUE#<hall>#<group>#<date>`          | `<queue key>#<ticket_id>` |
| the hall's day in counters     | `STATS#<hall>#<date>`                  | `STATS`         |
| outbox                         | `OUTBOX#<first event id>`              | `OUTBOX`        |

Index gsi1 holds bookings by day (`DAY#<hall>#<date>#<shard>`, sk `<start>#<booking_id>`),
split by the booking's slot shard so that a hall taking 100 bookings a second
spreads them over as many index partitions as counter shards (D-160, D-216).

A slot's capacity is split over `HALLS_BOOKING_SHARDS` counters (D-160): a booking
increments one counter under the condition `booked < capacity`, in the same
transaction as the booking, the per-person guard, the suspension check and the
outbox event — the table refuses the 21st booking, whatever the concurrency.
Dates are Shanghai dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from shared.halls.config import halls_settings
from shared.halls.errors import ALREADY_BOOKED, BOOKING_NOT_ACTIVE, BOOKING_SUSPENDED, CALLED_ELSEWHERE, SLOT_FULL
from shared.halls.events import (
    BOOKED,
    CANCELLED,
    NO_SHOW,
    NUMBER_CALLED,
    NUMBER_TAKEN,
    REMINDER_DUE,
    AppointmentFacts,
    QueueNumberFacts,
    appointment_event,
    queue_number_event,
)
from shared.halls.models import Booking, BookingState, Hall, Ticket, TicketState
from shared.halls.rules import local
from shared.platform.aws import dynamodb
from shared.platform.dynamo import Repository, from_item, to_item, values
from shared.platform.errors import Conflict

_QUEUE_READ = 20  # waiting tickets read per call-next page: one page nearly always holds the next one


def shard_capacity(capacity: int, shards: int, shard: int) -> int:
    """Shard `shard`'s part of `capacity`; the parts add up to exactly `capacity`."""
    return capacity // shards + (1 if shard < capacity % shards else 0)


def _slot(hall_id: str, group: str, starts_at: dt.datetime) -> str:
    return f"{hall_id}#{group}#{starts_at.astimezone(dt.UTC).isoformat()}"


def _day_key(hall_id: str, day: dt.date, shard: int) -> str:
    return f"DAY#{hall_id}#{day.isoformat()}#{shard}"


def _facts(booking: Booking, **extra: Any) -> AppointmentFacts:
    return AppointmentFacts(**booking.model_dump(exclude={"shard", "state"}), **extra)


def _ticket_facts(ticket: Ticket) -> QueueNumberFacts:
    return QueueNumberFacts(**ticket.model_dump(include=set(QueueNumberFacts.model_fields)))


class HallsRepository(Repository):
    def configured_table(self) -> str:
        return halls_settings().halls_table

    # --- halls ---------------------------------------------------------------------

    def save_hall(self, hall: Hall, previous: Hall | None = None) -> None:
        """The hall and its copies in the lists, in one transaction; a hall that moved to
        another county leaves the old county's list in the same write."""
        data = hall.model_dump(mode="json")
        transaction = (
            self.transaction()
            .put({"pk": f"HALL#{hall.hall_id}", "sk": "HALL", **data})
            .put({"pk": f"REGION#{hall.region_code[:6]}", "sk": f"HALL#{hall.hall_id}", **data})
            .put({"pk": "HALLS", "sk": f"HALL#{hall.hall_id}", "hall_id": hall.hall_id})
        )
        if previous is not None and previous.region_code[:6] != hall.region_code[:6]:
            transaction.delete({"pk": f"REGION#{previous.region_code[:6]}", "sk": f"HALL#{hall.hall_id}"})
        transaction.commit()

    def hall(self, hall_id: str) -> Hall | None:
        item = self.get_item({"pk": f"HALL#{hall_id}", "sk": "HALL"})
        return Hall.model_validate(_strip(item)) if item else None

    def halls_in_region(self, county_code: str) -> list[Hall]:
        items = self.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=values(pk=f"REGION#{county_code}")
        )
        return [Hall.model_validate(_strip(item)) for item in items]

    def all_hall_ids(self) -> list[str]:
        items = self.query_all(KeyConditionExpression="pk = :pk", ExpressionAttributeValues=values(pk="HALLS"))
        return [str(item["hall_id"]) for item in items]

    def day_stats(self, hall_id: str, day: dt.date) -> dict[str, Any]:
        return self.get_item({"pk": f"STATS#{hall_id}#{day.isoformat()}", "sk": "STATS"}) or {}

    def days_stats(self, hall_ids: list[str], day: dt.date) -> dict[str, dict[str, Any]]:
        keys = [{"pk": f"STATS#{hall_id}#{day.isoformat()}", "sk": "STATS"} for hall_id in hall_ids]
        found = self.get_items(keys) if keys else []
        return {str(item["pk"]).split("#")[1]: item for item in found}

    # --- appointments --------------------------------------------------------------

    def book(self, booking: Booking, capacity: int, shards: int, today: dt.date) -> None:
        """One transaction: the shard counter below its part of the capacity, the
        person's guard for this slot, their standing not suspended, the booking and its event."""
        slot = _slot(booking.hall_id, booking.group, booking.starts_at)
        day = local(booking.starts_at).date()
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
            .put(
                {
                    "pk": f"BOOKING#{booking.booking_id}",
                    "sk": "BOOKING",
                    "gsi1pk": _day_key(booking.hall_id, day, booking.shard),
                    "gsi1sk": f"{booking.starts_at.astimezone(dt.UTC).isoformat()}#{booking.booking_id}",
                    **booking.model_dump(mode="json"),
                }
            )
            .emit(appointment_event(BOOKED, _facts(booking)))
            .commit()
        )

    def shard_counts(self, hall_id: str, group: str, starts_at: dt.datetime, shards: int) -> dict[int, int]:
        """Places taken per counter shard of a slot (one BatchGetItem; a shard never booked is absent)."""
        slot = _slot(hall_id, group, starts_at)
        keys = [{"pk": f"SLOT#{slot}#{shard}", "sk": "SLOT"} for shard in range(shards)]
        found = self.get_items(keys, consistent=True)  # a stale count could refuse a freed place
        return {int(str(item["pk"]).rsplit("#", 1)[1]): int(item.get("booked", 0)) for item in found}

    def booking(self, booking_id: str) -> Booking | None:
        item = self.get_item({"pk": f"BOOKING#{booking_id}", "sk": "BOOKING"}, consistent=True)
        return Booking.model_validate(_strip(item)) if item else None

    def bookings_of(self, subject_id: str) -> list[Booking]:
        """The person's active bookings: their per-slot guards name them (one Query, one BatchGetItem)."""
        guards = self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :slot)",
            ExpressionAttributeValues=values(pk=f"SUBJ#{subject_id}", slot="SLOT#"),
        )
        keys = [{"pk": f"BOOKING#{g['booking_id']}", "sk": "BOOKING"} for g in guards]
        found = [Booking.model_validate(_strip(item)) for item in self.get_items(keys)] if keys else []
        return sorted(found, key=lambda b: b.starts_at)

    def bookings_on(self, hall_id: str, day: dt.date, shards: int) -> Iterator[Booking]:
        """A hall's bookings of a day, still `booked` (a Query per shard of the day index)."""
        for shard in range(shards):
            for item in self.query_all(
                IndexName="gsi1",
                KeyConditionExpression="gsi1pk = :pk",
                FilterExpression="#state = :booked",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values(pk=_day_key(hall_id, day, shard), booked=BookingState.booked.value),
            ):
                yield Booking.model_validate(_strip(item))

    def standing(self, subject_id: str) -> dict[str, Any]:
        return self.get_item({"pk": f"SUBJ#{subject_id}", "sk": "STANDING"}, consistent=True) or {}

    def cancel(self, booking: Booking) -> None:
        """The booking leaves `booked` (once: the condition) and its shard counter and
        the person's guard give the place back in the same transaction."""
        slot = _slot(booking.hall_id, booking.group, booking.starts_at)
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
            .emit(appointment_event(CANCELLED, _facts(booking)))
            .commit()
        )

    def remind(self, booking: Booking, hall_name: str) -> bool:
        """Mark the booking reminded with its `appointment.reminder_due` event; False
        when it was reminded already or is no longer booked (a re-run sends nothing twice)."""
        try:
            (
                self.transaction()
                .update(
                    {"pk": f"BOOKING#{booking.booking_id}", "sk": "BOOKING"},
                    "SET reminded = :yes",
                    condition="#state = :booked AND attribute_not_exists(reminded)",
                    names={"#state": "state"},
                    values=values(yes=True, booked=BookingState.booked.value),
                )
                .emit(appointment_event(REMINDER_DUE, _facts(booking, hall_name=hall_name)))
                .commit()
            )
        except Conflict:
            return False
        return True

    def record_no_show(self, booking: Booking, no_shows: list[str], version: int, until: dt.date | None) -> None:
        """The booking becomes a no-show and the person's standing (their no-show days,
        a suspension) is rewritten under its version, in one transaction."""
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
            .emit(appointment_event(NO_SHOW, _facts(booking, suspended_until=until)))
            .commit()
        )

    # --- queue numbers -------------------------------------------------------------

    def next_number(self, hall_id: str, day: dt.date) -> int:
        """The hall's next number of the day (an atomic counter; a number lost to a
        refused take leaves a gap, never a duplicate)."""
        response = dynamodb().update_item(
            TableName=self.table,
            Key=to_item({"pk": f"NUMBERS#{hall_id}#{day.isoformat()}", "sk": "NUMBERS"}),
            UpdateExpression="ADD issued :one",
            ExpressionAttributeValues=values(one=1),
            ReturnValues="UPDATED_NEW",
        )
        return int(from_item(response["Attributes"])["issued"])

    def take(self, ticket: Ticket, booking: Booking | None) -> None:
        """The ticket, its place in the group's queue, the day's waiting count (+1) and
        its event; with a booking, the booking moves `booked` → `arrived` (once) too."""
        day = local(ticket.taken_at).date()
        transaction = self.transaction()
        if booking is not None:
            transaction.update(
                {"pk": f"BOOKING#{booking.booking_id}", "sk": "BOOKING"},
                "SET #state = :arrived",
                condition="#state = :booked",
                names={"#state": "state"},
                values=values(arrived=BookingState.arrived.value, booked=BookingState.booked.value),
                on_conflict=Conflict(BOOKING_NOT_ACTIVE, params={"state": "arrived"}),
            )
        (
            transaction.put(
                {"pk": f"TICKET#{ticket.ticket_id}", "sk": "TICKET", **ticket.model_dump(mode="json")},
                condition="attribute_not_exists(pk)",
            )
            .put(
                {
                    "pk": f"QUEUE#{ticket.hall_id}#{ticket.group}#{day.isoformat()}",
                    "sk": f"{ticket.queue_key}#{ticket.ticket_id}",
                    **ticket.model_dump(mode="json"),
                }
            )
            .update(
                {"pk": f"STATS#{ticket.hall_id}#{day.isoformat()}", "sk": "STATS"},
                "ADD #waiting :one, taken :one",
                names={"#waiting": "waiting"},
                values=values(one=1),
            )
            .emit(queue_number_event(NUMBER_TAKEN, _ticket_facts(ticket)))
            .commit()
        )

    def ticket(self, ticket_id: str) -> Ticket | None:
        return _ticket_of(self.get_item({"pk": f"TICKET#{ticket_id}", "sk": "TICKET"}, consistent=True))

    def waiting_page(self, hall_id: str, group: str, day: dt.date, after: dict[str, Any] | None) -> dict[str, Any]:
        """One page of a group's queue, first in line first (one Query)."""
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": values(pk=f"QUEUE#{hall_id}#{group}#{day.isoformat()}"),
            "Limit": _QUEUE_READ,
        }
        if after:
            arguments["ExclusiveStartKey"] = after
        response: dict[str, Any] = dict(dynamodb().query(**arguments))
        return response

    def call(self, ticket: Ticket, queue_sk: str) -> None:
        """The ticket leaves the queue (once: the entry must still be there — two clerks
        never get the same number), is marked called at the window, and the day's
        counters move: waiting −1, called +1, waited seconds added."""
        day = local(ticket.taken_at).date()
        (
            self.transaction()
            .delete(
                {"pk": f"QUEUE#{ticket.hall_id}#{ticket.group}#{day.isoformat()}", "sk": queue_sk},
                condition="attribute_exists(pk)",
                on_conflict=Conflict(CALLED_ELSEWHERE),
            )
            .update(
                {"pk": f"TICKET#{ticket.ticket_id}", "sk": "TICKET"},
                "SET #state = :called, window_id = :window, called_at = :at, waited_seconds = :waited",
                condition="#state = :waiting",
                names={"#state": "state"},
                values=values(
                    called=TicketState.called.value,
                    waiting=TicketState.waiting.value,
                    window=ticket.window_id,
                    at=ticket.called_at.isoformat() if ticket.called_at else None,
                    waited=ticket.waited_seconds,
                ),
            )
            .update(
                {"pk": f"STATS#{ticket.hall_id}#{day.isoformat()}", "sk": "STATS"},
                "ADD #waiting :minus, #called :one, waited_seconds :waited",
                names={"#waiting": "waiting", "#called": "called"},
                values=values(minus=-1, one=1, waited=ticket.waited_seconds or 0),
            )
            .emit(queue_number_event(NUMBER_CALLED, _ticket_facts(ticket)))
            .commit()
        )


def _ticket_of(item: dict[str, Any] | None) -> Ticket | None:
    return Ticket.model_validate(_strip(item)) if item else None


def _strip(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in {"pk", "sk", "gsi1pk", "gsi1sk", "reminded"}}
