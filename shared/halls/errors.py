"""The halls context's error codes (prefixed `halls.`), Chinese first and English on request."""

from __future__ import annotations

from shared.platform.errors import register_messages

HALL_NOT_FOUND = "halls.hall_not_found"
WINDOW_NOT_FOUND = "halls.window_not_found"
BOOKING_NOT_FOUND = "halls.booking_not_found"
SLOT_NOT_OPEN = "halls.slot_not_open"
SLOT_FULL = "halls.slot_full"
BOOKING_SUSPENDED = "halls.booking_suspended"
ALREADY_BOOKED = "halls.already_booked"
CANCEL_TOO_LATE = "halls.cancel_too_late"
BOOKING_NOT_ACTIVE = "halls.booking_not_active"
SLOT_NOT_OVER = "halls.slot_not_over"
NOT_HALL_CLERK = "halls.not_this_halls_clerk"
ITEM_NOT_SERVED = "halls.item_not_served"
BOOKING_NOT_TODAY = "halls.booking_not_today"
HALL_CLOSED = "halls.hall_closed"
CALLED_ELSEWHERE = "halls.number_called_elsewhere"
TICKET_NOT_FOUND = "halls.ticket_not_found"
TICKET_NOT_CALLED = "halls.ticket_not_called"
ITEM_NOT_AT_WINDOW = "halls.item_not_at_window"

MESSAGES: dict[str, tuple[str, str]] = {
    HALL_NOT_FOUND: ("大厅不存在", "The hall does not exist"),
    WINDOW_NOT_FOUND: ("该大厅没有此窗口", "The hall has no such window"),
    BOOKING_NOT_FOUND: ("预约不存在", "No such booking"),
    SLOT_NOT_OPEN: ("该时段大厅不办公：{reason}", "The hall is not open for this slot: {reason}"),
    SLOT_FULL: ("该时段已约满", "This slot is fully booked"),
    BOOKING_SUSPENDED: ("因多次爽约，{until} 前不能预约", "Booking is suspended until {until} after repeated no-shows"),
    ALREADY_BOOKED: ("您已预约该时段", "You already booked this slot"),
    CANCEL_TOO_LATE: (
        "距预约时间不足 {minutes} 分钟，不能取消",
        "Less than {minutes} minutes before the slot: too late to cancel",
    ),
    BOOKING_NOT_ACTIVE: ("预约当前状态为“{state}”", "The booking is {state}"),
    SLOT_NOT_OVER: ("预约时段尚未结束，不能记为爽约", "The slot is not over: not a no-show yet"),
    NOT_HALL_CLERK: ("您所在部门未进驻该大厅", "Your department is not stationed at this hall"),
    ITEM_NOT_SERVED: ("该大厅没有办理此事项的窗口", "No window of this hall serves this item"),
    BOOKING_NOT_TODAY: ("预约日期不是今天（{day}）", "The booking is not for today ({day})"),
    HALL_CLOSED: ("大厅当前不办公", "The hall is closed now"),
    CALLED_ELSEWHERE: ("该号已被其他窗口叫走", "Another window called this number"),
    TICKET_NOT_FOUND: ("排队号不存在", "No such queue number"),
    TICKET_NOT_CALLED: ("该号尚未被窗口叫到", "This number has not been called to a window"),
    ITEM_NOT_AT_WINDOW: ("叫号窗口（{window}）不办理此事项", "The calling window ({window}) does not serve this item"),
}

register_messages(MESSAGES)
