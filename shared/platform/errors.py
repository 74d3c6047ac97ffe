"""One error model for every API (problem+json style).

A context raises an `AppError` subclass with a stable `code`; the HTTP layer
(`shared.platform.http`) maps it once to
`{"type", "title", "status", "code", "message", "errors", "request_id"}`.
Messages live in one catalogue, Chinese first and English on request; each
context registers its own codes at import time. `docs/errors.md` lists every
code and a test keeps that list complete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, Literal, NamedTuple

Locale = Literal["zh", "en"]

# code -> (Chinese, English); the texts may use {placeholders} from params.
_MESSAGES: dict[str, tuple[str, str]] = {}


def register_messages(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add a context's error codes to the catalogue (duplicates must agree)."""
    for code, texts in messages.items():
        known = _MESSAGES.get(code)
        if known is not None and known != texts:
            raise ValueError(f"error code {code} registered twice with different texts")
        _MESSAGES[code] = texts


def registered_codes() -> dict[str, tuple[str, str]]:
    return dict(_MESSAGES)


def message_for(code: str, locale: Locale, params: Mapping[str, Any] | None = None) -> str:
    zh, en = _MESSAGES.get(code, ("请求无法处理", "The request could not be processed"))
    text = en if locale == "en" else zh
    try:
        return text.format(**(params or {}))
    except (KeyError, IndexError):
        return text


register_messages(
    {
        "bad_request": ("请求格式有误", "The request is malformed"),
        "malformed_json": ("请求体不是合法的 JSON", "The request body is not valid JSON"),
        "validation_failed": ("请求参数校验未通过", "Some fields are invalid"),
        "invalid_cursor": ("分页游标无效", "The page cursor is invalid"),
        "unauthorized": ("未登录或凭证无效", "Authentication is required or the credentials are invalid"),
        "forbidden": ("无权执行此操作", "You are not allowed to do this"),
        "not_found": ("资源不存在", "The resource does not exist"),
        "route_not_found": ("接口不存在", "No such endpoint"),
        "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
        "conflict": ("操作与当前状态冲突", "The request conflicts with the current state"),
        "version_conflict": (
            "记录已被他人修改，请刷新后重试",
            "The record was changed by someone else; reload and retry",
        ),
        "idempotency_key_reused": (
            "同一幂等键已用于不同的请求内容",
            "This Idempotency-Key was already used with a different request body",
        ),
        "idempotency_in_progress": (
            "相同请求正在处理中，请稍后重试",
            "The same request is still being processed; retry shortly",
        ),
        "payload_too_large": (
            "请求体过大（上限 {limit} 字节）",
            "The request body is too large (limit {limit} bytes)",
        ),
        "unsupported_media_type": ("仅支持 application/json", "Only application/json is supported"),
        "rate_limited": ("请求过于频繁，请稍后再试", "Too many requests; try again later"),
        "internal_error": ("服务暂时不可用，请稍后再试", "The service is temporarily unavailable"),
        "platform.starting": (
            "平台正在启动（加载演示数据），请 {retry_after} 秒后重试",
            "The platform is still starting (loading demo data); retry in {retry_after} s",
        ),
        "field.required": ("必填项", "This field is required"),
        "field.invalid": ("取值无效", "Invalid value"),
    }
)

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class FieldError(NamedTuple):
    """One problem with one input field; `field` is a dotted path (`materials.0.name`).
    A NamedTuple, not a frozen dataclass: created at every cold start, in a fifth of the time (D-337)."""

    field: str
    code: str
    message: str | None = None
    params: Mapping[str, Any] = MappingProxyType({})  # shared by every instance, so read-only

    def render(self, locale: Locale) -> dict[str, str]:
        message = self.message if self.message is not None else message_for(self.code, locale, self.params)
        return {"field": self.field, "code": self.code, "message": message}


class AppError(Exception):
    """A failure the caller can act on. Subclasses fix the HTTP status."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        code: str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.params = dict(params or {})
        self.errors = list(errors or [])
        self.headers = dict(headers or {})
        super().__init__(self.code)

    def problem(self, locale: Locale, request_id: str) -> dict[str, Any]:
        return problem_body(self.status, self.code, locale, request_id, self.params, self.errors)


class BadRequest(AppError):
    status = 400


class Unauthorized(AppError):
    status = 401
    default_code = "unauthorized"


class Forbidden(AppError):
    status = 403
    default_code = "forbidden"


class NotFound(AppError):
    status = 404
    default_code = "not_found"


class Conflict(AppError):
    status = 409
    default_code = "conflict"


class PayloadTooLarge(AppError):
    status = 413
    default_code = "payload_too_large"


class ValidationFailed(AppError):
    status = 422
    default_code = "validation_failed"


class RateLimited(AppError):
    status = 429
    default_code = "rate_limited"


def problem_body(
    status: int,
    code: str,
    locale: Locale,
    request_id: str,
    params: Mapping[str, Any] | None = None,
    errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    return {
        "type": f"https://errors.jszwfw.gov.cn/{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "message": message_for(code, locale, params),
        "errors": [e.render(locale) for e in (errors or [])],
        "request_id": request_id,
    }


def attempt[R](call: Callable[[], R]) -> R | AppError:
    """`call`'s result, or the refusal it raised: one entry of a list a request names,
    judged on its own so every refused entry can be reported (`refused_together`)."""
    try:
        return call()
    except AppError as refused:
        return refused


def refused_together[R](outcomes: Sequence[tuple[str, R | AppError]], *, nest_fields: bool = True) -> list[R]:
    """The results of a request's list entries, each given with its path (`materials.2`),
    or ONE refusal when any entry was refused: all or nothing, so the client corrects every
    entry at once. The refusal has the first refused entry's status, code and params (what
    the one-entry form of the route answers); `errors` names every refused entry's problems
    under its path (`materials.2.size_bytes`; only the path when not `nest_fields`, as for a
    list of ids), an entry refused without field errors as one error at its path."""
    refusals = [(path, outcome) for path, outcome in outcomes if isinstance(outcome, AppError)]
    if not refusals:
        return [outcome for _, outcome in outcomes if not isinstance(outcome, AppError)]
    errors: list[FieldError] = []
    for path, refused in refusals:
        if not refused.errors:
            errors.append(FieldError(field=path, code=refused.code, params=refused.params))
        for error in refused.errors:
            field = f"{path}.{error.field}" if nest_fields and error.field else path
            errors.append(error._replace(field=field))
    first = refusals[0][1]
    raise type(first)(first.code, params=first.params, errors=errors, headers=first.headers)
