"""The queries context's error codes (prefixed `query.`), Chinese first and English on request."""

from __future__ import annotations

from typing import ClassVar

from shared.platform.errors import AppError, register_messages

UNKNOWN_KIND = "query.unknown_kind"
NOT_FOR_SUBJECT = "query.not_for_subject"
NOT_REAL_NAME = "query.not_real_name"
DEPARTMENT_UNAVAILABLE = "query.department_unavailable"

MESSAGES: dict[str, tuple[str, str]] = {
    UNKNOWN_KIND: ("没有这种查询", "No such query"),
    NOT_FOR_SUBJECT: ("该查询不面向企业", "This query is not offered to enterprises"),
    NOT_REAL_NAME: ("仅限实名认证的本人查询", "Only a real-name verified holder may query their own data"),
    DEPARTMENT_UNAVAILABLE: (
        "部门系统暂时无法查询，请 {retry_after} 秒后重试",
        "The department's system cannot be queried now; retry in {retry_after} seconds",
    ),
}

register_messages(MESSAGES)


class DepartmentUnavailable(AppError):
    """The department's system is down, slow beyond its budget, or its breaker is open (503)."""

    status: ClassVar[int] = 503
    default_code: ClassVar[str] = DEPARTMENT_UNAVAILABLE
