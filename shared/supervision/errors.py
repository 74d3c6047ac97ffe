"""The supervision context's error codes (prefixed `supervision.`), Chinese first and
English on request; docs/errors.md lists them."""

from __future__ import annotations

from shared.platform.errors import register_messages

SUBJECT_NOT_FOUND = "supervision.subject_not_found"
SUBJECT_CLOSED = "supervision.subject_closed"
ORDER_NOT_FOUND = "supervision.order_not_found"
ORDER_NOT_OPEN = "supervision.order_not_open"
ORDER_CHANGED = "supervision.order_changed_concurrently"
NOT_THE_HOLDER = "supervision.not_the_holder"

MESSAGES: dict[str, tuple[str, str]] = {
    SUBJECT_NOT_FOUND: (
        "督办对象不存在或不在您的辖区内",
        "No such subject with a running time limit in your region",
    ),
    SUBJECT_CLOSED: ("督办对象已办结，不能督办", "The subject is already dealt with; it cannot be supervised"),
    ORDER_NOT_FOUND: ("督办单不存在", "The supervision order does not exist"),
    ORDER_NOT_OPEN: (
        "督办单当前状态为“{state}”，不能执行此操作",
        "The supervision order is {state}; this cannot be done now",
    ),
    ORDER_CHANGED: ("督办单已被他人处理，请刷新后重试", "The supervision order changed meanwhile; reload and retry"),
    NOT_THE_HOLDER: (
        "督办单已升级至上级，由上级监督人员处理",
        "The order was escalated; supervisors of the level above handle it now",
    ),
}

register_messages(MESSAGES)
