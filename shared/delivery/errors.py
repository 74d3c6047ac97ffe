"""The delivery context's error codes (prefixed `delivery.`), Chinese first and
English on request; docs/errors.md lists them."""

from __future__ import annotations

from shared.platform.errors import register_messages

SHIPMENT_NOT_FOUND = "delivery.shipment_not_found"
HANDOVER_NOT_ALLOWED = "delivery.handover_not_allowed"
NOT_IN_A_DEPARTMENT = "delivery.not_in_a_department"
CHANGED_CONCURRENTLY = "delivery.changed_concurrently"
PICKUP_NOT_ALLOWED = "delivery.pickup_not_allowed"
PICKUP_EXISTS = "delivery.pickup_exists"
UNKNOWN_REGION = "delivery.unknown_region"
NOT_A_HALL_PICKUP = "delivery.not_a_hall_pickup"
PICKUP_CODE_WRONG = "delivery.pickup_code_wrong"
PICKUP_ID_MISMATCH = "delivery.pickup_id_mismatch"
NOT_TAKEN_IN_AT_HALL = "delivery.not_taken_in_at_hall"

MESSAGES: dict[str, tuple[str, str]] = {
    SHIPMENT_NOT_FOUND: ("运单不存在", "The shipment does not exist"),
    HANDOVER_NOT_ALLOWED: (
        "运单当前状态为“{state}”，不能登记窗口交寄",
        "The shipment is {state}; a counter handover cannot be recorded",
    ),
    NOT_IN_A_DEPARTMENT: ("当前账号未关联部门", "Your account is not attached to a department"),
    CHANGED_CONCURRENTLY: ("运单已被更新，请刷新后重试", "The shipment changed meanwhile; reload and retry"),
    PICKUP_NOT_ALLOWED: (
        "办件当前状态为“{state}”，不能预约材料揽收",
        "The case is {state}; a pickup of paper materials cannot be booked",
    ),
    PICKUP_EXISTS: ("该办件已预约材料揽收", "A pickup of paper materials is already booked for this case"),
    UNKNOWN_REGION: ("地址所在行政区划不存在", "The address's region code is not a known division"),
    NOT_A_HALL_PICKUP: (
        "运单当前状态为“{state}”，不是待自取的结果",
        "The shipment is {state}, not a result awaiting pickup",
    ),
    PICKUP_CODE_WRONG: ("取件码不正确", "The pickup code is wrong"),
    PICKUP_ID_MISMATCH: ("身份证号码与申请人不符", "The ID number is not the applicant's"),
    NOT_TAKEN_IN_AT_HALL: (
        "该办件不是在政务服务大厅窗口受理的，无需转寄原件",
        "The case was not taken in at a hall counter; there are no originals to forward",
    ),
}

register_messages(MESSAGES)
