"""The one HTTP resolver set-up every API function uses.

`make_resolver()` returns a Powertools REST resolver with request validation
(the OpenAPI spec is generated from the same models), CORS, and every error
mapped once to the problem+json body of `shared.platform.errors`. It also
enforces the body size limit and JSON content type, stamps `X-Request-Id` on
every response and puts that id on every log line as the correlation id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.shared.json_encoder import Encoder

from shared.platform import strict_json
from shared.platform.clients import CLIENT_HEADER, WRITE_METHODS, acting_client, client_from_header
from shared.platform.config import http_settings
from shared.platform.errors import (
    AppError,
    BadRequest,
    Conflict,
    FieldError,
    Locale,
    ValidationFailed,
    problem_body,
)
from shared.platform.idempotency import register_lambda_context
from shared.platform.observability import logger
from shared.platform.principal import ACCESS_EXTENSION, ROLES_ALLOWED, Access, Principal

PROBLEM_JSON = "application/problem+json"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_UNSUPPORTED_MEDIA_TYPE = 415
FORM_URLENCODED = "application/x-www-form-urlencoded"


def _header(headers: dict[str, str] | None, name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value or ""
    return ""


def _request_id_of(event: Mapping[str, Any]) -> str:
    given = _header(event.get("headers"), "x-request-id")
    if _SAFE_REQUEST_ID.match(given):
        return given
    return str((event.get("requestContext") or {}).get("requestId") or "local")


def request_id(app: APIGatewayRestResolver) -> str:
    """The caller's `X-Request-Id` when it is safe to echo, else API Gateway's id."""
    return _request_id_of(app.current_event.raw_event)


def locale(app: APIGatewayRestResolver) -> Locale:
    """Chinese unless `Accept-Language` prefers English (q-values honoured)."""
    return preferred_locale(_header(app.current_event.headers, "accept-language"))


def preferred_locale(header: str | None) -> Locale:
    best: tuple[float, Locale] = (0.0, "zh")
    for index, part in enumerate((header or "").split(",")):
        lang, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        lang = lang.strip().lower()
        # earlier entries win ties, as the header lists preferences in order
        score = quality - index * 1e-6
        if lang.startswith(("en", "zh")) and score > best[0]:
            best = (score, "en" if lang.startswith("en") else "zh")
    return best[1]


def problem_response(
    app: APIGatewayRestResolver,
    status: int,
    code: str,
    *,
    params: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    rid = request_id(app)
    body = problem_body(status, code, locale(app), rid, params, errors)
    return Response(
        status_code=status,
        content_type=PROBLEM_JSON,
        body=json.dumps(body, ensure_ascii=False),
        headers={"X-Request-Id": rid, **(headers or {})},
    )


def _validation_errors(exc: RequestValidationError) -> tuple[int, str, list[FieldError]]:
    field_errors: list[FieldError] = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return 400, "malformed_json", []
        loc = [str(p) for p in err.get("loc", ())]
        # drop the leading "body"/"query"/"path" marker and the model name
        where = loc[0] if loc else ""
        path = [p for p in loc[1:] if p]
        name = ".".join(path) if path else where
        kind = "field.required" if err.get("type") == "missing" else "field.invalid"
        field_errors.append(FieldError(field=name, code=kind))
    return 422, "validation_failed", field_errors


def _refusal(
    event: Mapping[str, Any],
    status: int,
    code: str,
    params: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    """A problem response for a request refused before routing."""
    rid = _request_id_of(event)
    language = preferred_locale(_header(event.get("headers"), "accept-language"))
    body = problem_body(status, code, language, rid, params, errors)
    logger().info("request refused", extra={"code": code, "status": status})
    return {
        "statusCode": status,
        "headers": {"Content-Type": PROBLEM_JSON, "X-Request-Id": rid},
        "body": json.dumps(body, ensure_ascii=False),
        "isBase64Encoded": False,
    }


class PlatformResolver(APIGatewayRestResolver):
    """Refuses oversized and non-JSON bodies before anything parses them, and
    callers the route's declared access (`x-jszw-access`) does not admit before
    their input is validated: a citizen probing an operator route learns 403,
    not which fields the route expects. A body that passes is parsed once,
    strictly (shared.platform.strict_json), and that value is what the
    validation middleware and `json_body` see."""

    def __init__(self, *, form_prefixes: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(json_body_deserializer=self._parsed_body, **kwargs)
        self._checked: tuple[str, Any] | None = None
        self._form_prefixes = tuple(form_prefixes)

    def _form_as_json(self, event: Mapping[str, Any]) -> Mapping[str, Any]:
        """A form-encoded body on a path that takes forms (Open311 clients post forms) becomes
        the JSON object of its fields (the last value of a repeated field), so it is validated
        like every other body; anywhere else a form is refused as unsupported."""
        path = str(event.get("path", ""))
        content_type = _header(event.get("headers"), "content-type").lower()
        if not (
            self._form_prefixes and path.startswith(self._form_prefixes) and content_type.startswith(FORM_URLENCODED)
        ):
            return event
        body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            import base64

            body = base64.b64decode(body).decode("utf-8", errors="replace")
        fields = dict(parse_qsl(str(body), keep_blank_values=True))
        headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
        return {
            **event,
            "body": json.dumps(fields, ensure_ascii=False),
            "isBase64Encoded": False,
            "headers": headers | {"Content-Type": "application/json"},
        }

    def _parsed_body(self, text: str) -> Any:
        if self._checked is not None and self._checked[0] is text:
            return self._checked[1]
        return strict_json.loads(text)

    def _body_refusal(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """Decode and parse a JSON body up front; the event then carries the decoded text."""
        body = event.get("body")
        self._checked = None
        if not body or not isinstance(body, str):
            return None
        try:
            text, value = strict_json.parse_body(body, base64_encoded=bool(event.get("isBase64Encoded")))
        except AppError as exc:
            return _refusal(event, exc.status, exc.code, exc.params, exc.errors)
        event["body"], event["isBase64Encoded"] = text, False
        self._checked = (text, value)
        return None

    def _declared_access(self, method: str, path: str) -> Access | None:
        for route in (*self._static_routes, *self._dynamic_routes):
            if route.method == method and route.rule.match(path):
                declared = (route.openapi_extensions or {}).get(ACCESS_EXTENSION) or {}
                return Access(declared["roles"]) if "roles" in declared else None
        return None

    def _access_refusal(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        access = self._declared_access(str(event.get("httpMethod", "")).upper(), str(event.get("path", "")))
        if access is None or access is Access.PUBLIC:
            return None
        context = (event.get("requestContext") or {}).get("authorizer") or {}
        try:
            principal = Principal.from_context(context)
        except AppError as exc:
            return _refusal(event, exc.status, exc.code)
        if principal.role not in ROLES_ALLOWED[access]:
            return _refusal(event, 403, "forbidden")
        return None

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        cfg = http_settings()
        event = self._form_as_json(event)
        body = event.get("body") or ""
        size = len(body.encode("utf-8")) if isinstance(body, str) else len(body)
        if size > cfg.max_body_bytes:
            return _refusal(event, 413, "payload_too_large", {"limit": cfg.max_body_bytes})
        if body and str(event.get("httpMethod", "")).upper() in {"POST", "PUT", "PATCH"}:
            content_type = _header(event.get("headers"), "content-type").lower()
            if content_type and "json" not in content_type:
                return _refusal(event, _UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        refused = self._access_refusal(event)
        if refused is not None:
            return refused
        method = str(event.get("httpMethod", "")).upper()
        client = None
        if method in WRITE_METHODS:
            try:
                client = client_from_header(_header(event.get("headers"), CLIENT_HEADER.lower()))
            except AppError as exc:
                return _refusal(event, exc.status, exc.code)
        if method in {"POST", "PUT", "PATCH"}:
            event = dict(event)
            refused = self._body_refusal(event)
            if refused is not None:
                return refused
        register_lambda_context(context)
        with acting_client(client):
            return super().resolve(event, context)


def _idempotency_conflict(exc: Exception) -> Conflict | None:
    """The 409 for Powertools' idempotency errors. They are matched under the
    catch-all handler rather than registered by class, so that the idempotency
    utility is imported by the requests that use it (shared.platform.idempotency),
    not in every cold start."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if isinstance(exc, IdempotencyValidationError):
        return Conflict("idempotency_key_reused")
    if isinstance(exc, IdempotencyAlreadyInProgressError):
        return Conflict("idempotency_in_progress", headers={"Retry-After": "1"})
    return None


def make_resolver(
    *, strip_prefixes: list[str] | None = None, form_prefixes: Sequence[str] = ()
) -> APIGatewayRestResolver:
    """`form_prefixes`: paths under which `application/x-www-form-urlencoded` bodies are
    accepted (read as the JSON object of their fields)."""
    cfg = http_settings()
    app = PlatformResolver(
        form_prefixes=form_prefixes,
        enable_validation=True,
        # Chinese as UTF-8, not \uXXXX escapes: smaller bodies, readable in curl and logs
        serializer=partial(json.dumps, separators=(",", ":"), cls=Encoder, ensure_ascii=False),
        cors=CORSConfig(
            allow_origin=cfg.cors_allow_origin,
            allow_headers=[
                "Authorization",
                "Idempotency-Key",
                "X-Request-Id",
                "Accept-Language",
                CLIENT_HEADER,
            ],
            expose_headers=["X-Request-Id"],
            max_age=600,
        ),
        strip_prefixes=list(strip_prefixes or []),
    )

    def stamp_request_id(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
        rid = request_id(app)
        logger().set_correlation_id(rid)
        response = next_middleware(app)
        response.headers["X-Request-Id"] = rid
        return response

    app.use(middlewares=[stamp_request_id])

    @app.exception_handler(AppError)
    def _app_error(exc: AppError) -> Response[str]:
        if exc.status >= 500:
            logger().exception("application error", extra={"code": exc.code})
        else:
            logger().info("request refused", extra={"code": exc.code, "status": exc.status})
        return problem_response(app, exc.status, exc.code, params=exc.params, errors=exc.errors, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[str]:
        status, code, errors = _validation_errors(exc)
        logger().info("request refused", extra={"code": code, "status": status})
        return problem_response(app, status, code, errors=errors)

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(exc: RequestUnsupportedContentType) -> Response[str]:
        return problem_response(app, _UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")

    @app.not_found
    def _route_not_found(exc: NotFoundError) -> Response[str]:
        return problem_response(app, 404, "route_not_found")

    @app.exception_handler(ServiceError)
    def _service_error(exc: ServiceError) -> Response[str]:
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 405: "method_not_allowed"}
        return problem_response(app, exc.status_code, code.get(exc.status_code, "bad_request"))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[str]:
        conflict = _idempotency_conflict(exc)
        if conflict is not None:
            return _app_error(conflict)
        logger().exception("unexpected error")
        return problem_response(app, 500, "internal_error")

    return app


def json_body(app: APIGatewayRestResolver) -> Any:
    """The parsed JSON body, or a 400 `malformed_json` problem."""
    try:
        return app.current_event.json_body
    except (ValueError, TypeError, RecursionError) as exc:
        raise BadRequest("malformed_json") from exc


__all__ = [
    "PROBLEM_JSON",
    "ValidationFailed",
    "json_body",
    "locale",
    "make_resolver",
    "problem_response",
    "request_id",
]
