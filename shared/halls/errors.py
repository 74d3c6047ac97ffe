"""The halls context's error codes (prefixed `halls.`), Chinese first and English on request."""

from __future__ import annotations

from shared.platform.errors import register_messages

HALL_NOT_FOUND = "halls.hall_not_found"
SLOT_NOT_OPEN = "halls.slot_not_open"
SLOT_FULL = "halls.slot_full"
BOOKING_SUSPENDED = "halls.booking_suspended"
ALREADY_BOOKED = "halls.already_booked"
CANCEL_TOO_LATE = "halls.cancel_too_late"
BOOKING_NOT_ACTIVE = "halls.booking_not_active"

MESSAGES: dict[str, tuple[str, str]] = {
    HALL_NOT_FOUND: ("大厅不存在", "The hall does not exist"),
    SLOT_NOT_OPEN: ("该时段大厅不办公：{reason}", "The hall is not open for this slot: {reason}"),
    SLOT_FULL: ("该时段已约满", "This slot is fully booked"),
    BOOKING_SUSPENDED: ("因多次爽约，{until} 前不能预约", "Booking is suspended until {until} after repeated no-shows"),
    ALREADY_BOOKED: ("您已预约该时段", "You already booked this slot"),
    CANCEL_TOO_LATE: (
        "距预约时间不足 {minutes} 分钟，不能取消",
        "Less than {minutes} minutes before the slot: too late to cancel",
    ),
    BOOKING_NOT_ACTIVE: ("预约当前状态为“{state}”", "The booking is {state}"),
}

register_messages(MESSAGES)
