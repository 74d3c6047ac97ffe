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
# the licence-type directory
TYPE_NOT_FOUND = "licence.type_not_found"
TYPE_CHANGED_CONCURRENTLY = "licence.type_changed_concurrently"
TYPE_CODE_INVALID = "licence.type_code_invalid"
TYPE_UNKNOWN = "licence.type_unknown"  # issuance refused: the directory has no such type
TYPE_RETIRED = "licence.type_retired"  # issuance refused: the type is retired

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
    TYPE_NOT_FOUND: ("证照类型不存在", "No such licence type"),
    TYPE_CHANGED_CONCURRENTLY: (
        "证照类型已被他人修改（当前版本 {version}），请刷新后重试",
        "The licence type changed meanwhile (now version {version}); reload and retry",
    ),
    TYPE_CODE_INVALID: (
        "证照类型代码应为制定部门的统一社会信用代码加 3 位顺序号",
        "A licence-type code is the defining body's unified social credit code and a 3-digit sequence",
    ),
    TYPE_UNKNOWN: ("证照目录中没有该证照类型：{code}", "The licence-type directory has no type {code}"),
    TYPE_RETIRED: ("该证照类型已停用：{code}", "The licence type {code} is retired"),
}

register_messages(MESSAGES)
