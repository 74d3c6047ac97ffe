"""Events the halls context publishes (source `halls`), through the outbox in the
same transaction as the change. `subject` is the booking id; data carries the
person's subject id (never a name, phone or ID number).

| type                    | when                                |
|-------------------------|-------------------------------------|
| `appointment.booked`    | a slot was booked                   |
| `appointment.cancelled` | cancelled before the cutoff         |
| `appointment.no_show`   | the person did not come             |
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from shared.platform.events import Envelope, register_event_type

SOURCE = "halls"
BOOKED = "appointment.booked"
CANCELLED = "appointment.cancelled"
NO_SHOW = "appointment.no_show"


class AppointmentFacts(BaseModel):
    model_config = ConfigDict(defer_build=True)

    booking_id: str
    hall_id: str
    group: str
    starts_at: dt.datetime
    subject_id: str
    item_code: str | None = None
    suspended_until: dt.date | None = None


register_event_type(BOOKED, AppointmentFacts, "a slot at a hall was booked")
register_event_type(CANCELLED, AppointmentFacts, "a booking was cancelled before the cutoff; its place is free")
register_event_type(NO_SHOW, AppointmentFacts, "the person did not come (may suspend booking)")


def appointment_event(event_type: str, facts: AppointmentFacts) -> Envelope:
    return Envelope(type=event_type, source=SOURCE, subject=facts.booking_id, data=facts.model_dump(mode="json"))
