"""The licences context's error codes (prefixed `licence.`), Chinese first and
English on request."""

from __future__ import annotations

from shared.platform.errors import register_messages

LICENCE_NOT_FOUND = "licence.not_found"
TRANSITION_NOT_ALLOWED = "licence.transition_not_allowed"
CHANGED_CONCURRENTLY = "licence.changed_concurrently"
NOT_USABLE = "licence.not_usable"
TYPE_MISMATCH = "licence.type_mismatch"
UNKNOWN_STATUS_LIST = "licence.unknown_status_list"
VALIDITY_INVALID = "licence.validity_invalid"
NOT_RENEWABLE = "licence.not_renewable"

MESSAGES: dict[str, tuple[str, str]] = {
    LICENCE_NOT_FOUND: ("电子证照不存在", "The licence does not exist"),
    TRANSITION_NOT_ALLOWED: (
        "证照当前状态为 {status}，不能执行该操作",
        "The licence is {status}; this change is not allowed",
    ),
    CHANGED_CONCURRENTLY: ("证照已被他人修改，请刷新后重试", "The licence changed meanwhile; reload and retry"),
    NOT_USABLE: (
        "该证照当前不可用于办事（状态：{status}）",
        "This licence cannot be used now (status: {status})",
    ),
    TYPE_MISMATCH: (
        "该证照类型不能替代此项材料",
        "This licence type cannot stand in for this material",
    ),
    UNKNOWN_STATUS_LIST: ("状态列表不存在", "No such status list"),
    VALIDITY_INVALID: ("有效期截止日期不能早于今天", "The end of validity cannot be before today"),
    NOT_RENEWABLE: (
        "该证照不能申请延续（状态：{status}；长期有效的证照无需延续）",
        "This licence cannot be renewed (status: {status}; a long-term licence needs no renewal)",
    ),
}

register_messages(MESSAGES)
