"""Events the halls context publishes (source `halls`), through the outbox in the
same transaction as the change. `subject` is the booking or ticket id; data
carries the person's subject id (never a name, phone or ID number).

| type                          | when                                                   |
|-------------------------------|--------------------------------------------------------|
| `appointment.booked`          | a slot was booked                                      |
| `appointment.cancelled`       | cancelled before the cutoff                            |
| `appointment.no_show`         | the person did not come (schedule or clerk)            |
| `appointment.reminder_due`    | the day before the slot (halls_sweep): remind the person |
| `queue_number.taken`          | a number was taken on arrival (with or without booking) |
| `queue_number.called`         | a window clerk called it                               |
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from shared.platform.events import Envelope, make_envelope, register_event_type

SOURCE = "halls"
BOOKED = "appointment.booked"
CANCELLED = "appointment.cancelled"
NO_SHOW = "appointment.no_show"
REMINDER_DUE = "appointment.reminder_due"
NUMBER_TAKEN = "queue_number.taken"
NUMBER_CALLED = "queue_number.called"


class AppointmentFacts(BaseModel):
    model_config = ConfigDict(defer_build=True)

    booking_id: str
    hall_id: str
    group: str
    starts_at: dt.datetime
    subject_id: str
    item_code: str | None = None
    suspended_until: dt.date | None = None
    hall_name: str | None = None


class QueueNumberFacts(BaseModel):
    model_config = ConfigDict(defer_build=True)

    ticket_id: str
    hall_id: str
    number: str
    group: str
    item_code: str | None = None
    booking_id: str | None = None
    subject_id: str | None = None
    window_id: str | None = None
    waited_seconds: int | None = None


register_event_type(BOOKED, AppointmentFacts, "a slot at a hall was booked")
register_event_type(CANCELLED, AppointmentFacts, "a booking was cancelled before the cutoff; its place is free")
register_event_type(NO_SHOW, AppointmentFacts, "the person did not come (may suspend booking)")
register_event_type(REMINDER_DUE, AppointmentFacts, "a booked slot is tomorrow: remind the person (notifications)")
register_event_type(NUMBER_TAKEN, QueueNumberFacts, "a queue number was taken at a hall")
register_event_type(NUMBER_CALLED, QueueNumberFacts, "a window clerk called a queue number")


def appointment_event(event_type: str, facts: AppointmentFacts) -> Envelope:
    return make_envelope(SOURCE, event_type, facts.booking_id, facts)


def queue_number_event(event_type: str, facts: QueueNumberFacts) -> Envelope:
    return make_envelope(SOURCE, event_type, facts.ticket_id, facts)
