"""The ratings context's error codes (prefixed `ratings.`), Chinese first and
English on request; docs/errors.md lists them."""

from __future__ import annotations

from shared.platform.errors import register_messages

TARGET_NOT_FOUND = "ratings.target_not_found"
RATING_NOT_FOUND = "ratings.rating_not_found"
ALREADY_RATED = "ratings.already_rated"
ALREADY_CHANGED = "ratings.already_changed"
CHANGE_WINDOW_CLOSED = "ratings.change_window_closed"
NOT_CHANGEABLE = "ratings.not_changeable"
LINK_INVALID = "ratings.link_invalid"
APPEAL_EXISTS = "ratings.appeal_exists"
NO_OPEN_APPEAL = "ratings.no_open_appeal"
ORDER_NOT_FOUND = "ratings.rectification_not_found"
STEP_NOT_ALLOWED = "ratings.step_not_allowed"
CHANGED_CONCURRENTLY = "ratings.changed_concurrently"
BAD_MONTH = "ratings.bad_month"

MESSAGES: dict[str, tuple[str, str]] = {
    TARGET_NOT_FOUND: ("没有可评价的办件或工单", "There is nothing of yours to rate under this reference"),
    RATING_NOT_FOUND: ("评价不存在", "The rating does not exist"),
    ALREADY_RATED: ("您已评价过该事项（一事一评）", "You have already rated this (one rating per case)"),
    ALREADY_CHANGED: ("评价只能修改一次", "A rating can be changed only once"),
    CHANGE_WINDOW_CLOSED: (
        "评价提交已超过 {days} 天，不能再修改",
        "The rating is more than {days} days old and can no longer be changed",
    ),
    NOT_CHANGEABLE: ("该评价已被申诉处理，不能修改", "The rating is under or after appeal and cannot be changed"),
    LINK_INVALID: ("评价链接无效、已使用或已过期", "The rating link is invalid, used or expired"),
    APPEAL_EXISTS: ("该评价已提出过申诉", "This rating has already been appealed"),
    NO_OPEN_APPEAL: ("该评价没有待处理的申诉", "This rating has no appeal waiting for a decision"),
    ORDER_NOT_FOUND: ("整改单不存在", "The rectification order does not exist"),
    STEP_NOT_ALLOWED: (
        "整改单当前状态为“{state}”，不能执行此操作",
        "The rectification order is {state}; this step is not possible now",
    ),
    CHANGED_CONCURRENTLY: ("记录已被更新，请刷新后重试", "The record changed meanwhile; reload and retry"),
    BAD_MONTH: ("月份格式应为 YYYY-MM", "The month must be YYYY-MM"),
}

register_messages(MESSAGES)
