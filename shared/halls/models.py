"""Halls, windows, opening hours, appointments and queue numbers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

SLOT_MINUTES = 30
ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
HALL_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,62}$"
GROUP_PATTERN = r"^[a-z][a-z0-9_]{1,31}$"
ITEM_CODE_PATTERN = r"^[0-9A-Z]{10,40}$"


class HallLevel(StrEnum):
    county = "county"  # 政务服务中心
    township = "township"  # 便民服务中心


class _Shape(BaseModel):
    # schemas are built on first use, not at import: the cold start creates only the classes (D-338)
    model_config = ConfigDict(defer_build=True)


class Window(_Shape):
    """A counter (窗口); windows of one `group` share a slot's capacity and a queue.
    No `item_codes` means a window that serves every item of its group; any window
    of the group takes a general consultation (no item)."""

    model_config = ConfigDict(frozen=True)

    window_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,16}$")
    name: str = Field(min_length=1, max_length=60)
    group: str = Field(pattern=GROUP_PATTERN)
    item_codes: tuple[str, ...] = ()

    def serves(self, item_code: str | None) -> bool:
        return item_code is None or not self.item_codes or item_code in self.item_codes


class OpeningPeriod(_Shape):
    """Opening hours on a working day of the platform calendar (holidays closed, 调休 days open)."""

    model_config = ConfigDict(frozen=True)

    opens: dt.time = Field(description="Local (Beijing) time, no offset.")
    closes: dt.time = Field(description="Local (Beijing) time, no offset; after `opens`.")

    @field_validator("opens", "closes")
    @classmethod
    def _local(cls, value: dt.time) -> dt.time:
        # an offset would make the hall's hours incomparable with the local clock (a 500 the fuzz tier found)
        if value.tzinfo is not None:
            raise ValueError("opening hours are local times without an offset")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> OpeningPeriod:
        if self.opens >= self.closes:
            raise ValueError("a period closes after it opens")
        return self


class HallFields(_Shape):
    """A hall as the operator writes it (`PUT /v1/halls/{hall_id}`): a full replace."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=2, max_length=60)
    level: HallLevel
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$", description="County code, or a township's 9-digit code.")
    address: str = Field(min_length=2, max_length=120)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    opening: tuple[OpeningPeriod, ...] = Field(min_length=1)
    windows: tuple[Window, ...] = ()
    slot_capacity: int = Field(default=20, ge=1, le=500, description="Bookings per window group and half hour.")
    departments: tuple[str, ...] = Field(
        default=(), description="Departments stationed here (进驻): their staff are this hall's clerks."
    )


class Hall(HallFields):
    hall_id: str = Field(pattern=HALL_ID_PATTERN)

    def groups(self) -> set[str]:
        return {w.group for w in self.windows}

    def window(self, window_id: str) -> Window | None:
        return next((w for w in self.windows if w.window_id == window_id), None)

    def item_codes(self) -> set[str]:
        return {code for w in self.windows for code in w.item_codes}


class HallView(Hall):
    """A hall as the public sees it: no personal data, today's queue in counts."""

    waiting: int = Field(description="Numbers taken today and not yet called.")
    average_wait_minutes: float | None = Field(description="Mean wait of numbers called today; null before the first.")
    distance_km: float | None = None


class HallList(_Shape):
    items: list[HallView]


class BookingState(StrEnum):
    booked = "booked"
    arrived = "arrived"  # took a queue number with it
    cancelled = "cancelled"
    no_show = "no_show"


class Booking(_Shape):
    booking_id: str
    hall_id: str
    group: str
    starts_at: dt.datetime
    subject_id: str
    item_code: str | None = None
    shard: int
    state: BookingState = BookingState.booked


class BookingRequest(_Shape):
    model_config = ConfigDict(extra="forbid")

    group: str = Field(pattern=GROUP_PATTERN, description="The window group (e.g. general, business).")
    starts_at: AwareDatetime = Field(description="The half hour, e.g. 2026-10-09T09:30:00+08:00.")
    item_code: str | None = Field(default=None, pattern=ITEM_CODE_PATTERN, description="None: general consultation.")


class BookingList(_Shape):
    items: list[Booking]


class TicketState(StrEnum):
    waiting = "waiting"
    called = "called"


class Ticket(_Shape):
    """A queue number (排队号). `subject_id` is the account behind an appointment or a
    signed-in taker, never shown on public routes."""

    ticket_id: str
    hall_id: str
    number: str = Field(description="What the screen calls, e.g. G012 (group initial, number of the day).")
    group: str
    item_code: str | None = None
    booking_id: str | None = None
    subject_id: str | None = None
    taken_at: dt.datetime
    queue_key: str = Field(description="Place in the group's queue: slot, appointments first, then arrival.")
    state: TicketState = TicketState.waiting
    window_id: str | None = None
    called_at: dt.datetime | None = None
    waited_seconds: int | None = None


class TicketRequest(_Shape):
    model_config = ConfigDict(extra="forbid")

    group: str | None = Field(default=None, pattern=GROUP_PATTERN, description="Needed without a booking.")
    item_code: str | None = Field(default=None, pattern=ITEM_CODE_PATTERN)
    booking_id: str | None = Field(default=None, pattern=ID_PATTERN, description="The caller's booking for today.")


class CallResult(_Shape):
    """What a window clerk's call gives: the number called, or none when nobody waits for this window."""

    ticket: Ticket | None
    waiting: int = Field(description="Numbers of the hall still waiting after this call.")


class HallCounter(_Shape):
    """Where a clerk serves a called number: what the cases context records on a case
    taken in at the counter."""

    model_config = ConfigDict(frozen=True)

    hall_id: str
    hall_name: str
    hall_region_code: str = Field(description="The hall's county (or township): another city's item is 异地可办.")
    window_id: str
    number: str
