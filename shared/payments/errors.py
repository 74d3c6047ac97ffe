"""The payments context's error codes (prefixed `payment.`), registered once
with the platform's error catalogue (docs/errors.md lists them)."""

from __future__ import annotations

from shared.platform.errors import register_messages

ORDER_NOT_FOUND = "payment.order_not_found"
TRANSITION_NOT_ALLOWED = "payment.transition_not_allowed"
ORDER_CLOSED = "payment.order_closed"
CHANGED_CONCURRENTLY = "payment.changed_concurrently"
UNKNOWN_CHANNEL = "payment.unknown_channel"
SIGNATURE_MISSING = "payment.signature_missing"
SIGNATURE_INVALID = "payment.signature_invalid"
TIMESTAMP_STALE = "payment.timestamp_stale"
MALFORMED_CALLBACK = "payment.malformed_callback"
NOT_EXPIRED = "payment.not_expired"

MESSAGES: dict[str, tuple[str, str]] = {
    ORDER_NOT_FOUND: ("缴费订单不存在", "The payment order does not exist"),
    TRANSITION_NOT_ALLOWED: (
        "缴费订单当前状态为“{state}”，不能{action}",
        "The payment order's current state does not allow this step",
    ),
    ORDER_CLOSED: (
        "缴费订单当前状态为“{state}”，不能再支付",
        "The payment order can no longer be paid (it is paid, expired or cancelled)",
    ),
    CHANGED_CONCURRENTLY: (
        "缴费订单已被同时修改，请稍后重试",
        "The payment order was changed meanwhile; retry shortly",
    ),
    UNKNOWN_CHANNEL: ("未知的支付渠道", "Unknown payment channel"),
    SIGNATURE_MISSING: (
        "回调缺少签名或时间戳（X-Jszw-Timestamp、X-Jszw-Signature）",
        "The callback has no signature or timestamp (X-Jszw-Timestamp, X-Jszw-Signature)",
    ),
    SIGNATURE_INVALID: ("回调签名无效", "The callback signature is invalid"),
    TIMESTAMP_STALE: (
        "回调时间戳超出 {window} 秒的有效窗口",
        "The callback timestamp is outside the {window}-second window",
    ),
    MALFORMED_CALLBACK: ("回调内容无法识别", "The callback body could not be read"),
    NOT_EXPIRED: ("仅已过期的缴费订单可以重新开具", "Only an expired payment order can be reissued"),
}

register_messages(MESSAGES)
