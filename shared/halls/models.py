"""Halls, windows, opening hours and appointments."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SLOT_MINUTES = 30


class HallLevel(StrEnum):
    county = "county"  # 政务服务中心
    township = "township"  # 便民服务中心


class Window(BaseModel):
    """A counter (窗口); windows of one `group` share a slot's capacity."""

    model_config = ConfigDict(frozen=True)

    window_id: str
    name: str
    group: str
    item_codes: tuple[str, ...] = ()


class OpeningPeriod(BaseModel):
    """Opening hours on a working day of the platform calendar (holidays closed, 调休 days open)."""

    model_config = ConfigDict(frozen=True)

    opens: dt.time
    closes: dt.time


class Hall(BaseModel):
    model_config = ConfigDict(frozen=True)

    hall_id: str
    name: str
    level: HallLevel
    region_code: str = Field(pattern=r"^\d{6}(\d{3})?$")
    address: str
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    opening: tuple[OpeningPeriod, ...]
    windows: tuple[Window, ...] = ()
    slot_capacity: int = Field(default=20, ge=1)

    def groups(self) -> set[str]:
        return {w.group for w in self.windows}


class BookingState(StrEnum):
    booked = "booked"
    cancelled = "cancelled"
    no_show = "no_show"


class Booking(BaseModel):
    booking_id: str
    hall_id: str
    group: str
    starts_at: dt.datetime
    subject_id: str
    item_code: str | None = None
    shard: int
    state: BookingState = BookingState.booked
