"""The local API Gateway: HTTP requests in, REST API proxy events (v1) to the functions.

Behaves as API Gateway does where the difference would matter to a client:
- routes come from the functions' `Api` events and the APIs' DefinitionBody
  (aws_proxy integrations; the platform's are generated, D-264); static segments beat
  `{param}`, which beats `{proxy+}`; the exact method beats `ANY`;
- an unknown path or method answers 403 `{"message":"Missing Authentication
  Token"}` (API Gateway's answer, not a 404);
- Lambda authorizers (TOKEN / REQUEST) run first: Allow puts their context
  into `requestContext.authorizer` (values as strings), no Allow or Deny
  answers 403, an `Unauthorized` error 401, any other failure 500; answers
  are cached for ReauthorizeEvery seconds per identity source, as on AWS;
- a function error, bad proxy response or timeout answers 502
  `{"message": "Internal server error"}`;
- the API's GatewayResponses (status, static headers, an application/json
  template with `$context.*` values) shape those error answers;
- CORS preflight (OPTIONS) is answered from the API's `Cors` settings, after
  the default authorizer unless AddDefaultAuthorizerToCorsPreflight is false.
Local differences: every API of the template is served on one host without
the stage prefix (`http://127.0.0.1:3000/v1/items`); API keys, usage plans,
resource policies, request validators and binary media types are not emulated
(a body that is not UTF-8 is passed base64-encoded). `/docs` (Swagger UI),
`/openapi.json`, the reference portal under `/portal/` (static files, the
same security headers as CloudFront's response headers policy) and the
operator endpoints under `/_local/` are extra.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from infra.local.intrinsics import Pseudo
from infra.local.model import ApiSpec, AuthorizerSpec, Model, RouteSpec
from infra.local.workers import Invocation

log = logging.getLogger("infra.local")
access_log = logging.getLogger("infra.local.access")

MAX_REQUEST_BYTES = 10 * 1024 * 1024
INTEGRATION_TIMEOUT_S = 29.0
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")

_ERRORS: dict[str, tuple[int, str | None, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource", "AccessDeniedException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException"),
    "INTEGRATION_FAILURE": (502, "Internal server error", "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
}


class Operator(Protocol):
    """What the `/_local/` endpoints need from the local cloud."""

    def status(self) -> dict[str, Any]: ...

    def fire_invocation(self, function_id: str, event_name: str | None = None) -> Invocation: ...

    def redrive(self, queue_id: str) -> int: ...

    def invoke_raw(self, function_id: str, event: Any, *, timeout_s: float | None = None) -> Invocation: ...

    def wait_idle(self, timeout: float = 10.0) -> None: ...


# ------------------------------------------------------------------------------ routing


@dataclass(frozen=True)
class _Compiled:
    route: RouteSpec
    segments: tuple[str, ...]


def _split(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _match(segments: tuple[str, ...], parts: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """(specificity score, path parameters) when the route's path matches."""
    score: list[int] = []
    params: dict[str, str] = {}
    for index, segment in enumerate(segments):
        if segment.startswith("{") and segment.endswith("+}"):
            if index >= len(parts):
                return None
            params[segment[1:-2]] = "/".join(parts[index:])
            score.append(0)
            return tuple(score), params
        if index >= len(parts):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            params[segment[1:-1]] = parts[index]
            score.append(1)
        elif segment == parts[index]:
            score.append(2)
        else:
            return None
    if len(segments) != len(parts):
        return None
    return tuple(score), params


class Router:
    """Finds the route for a method and path as API Gateway's resource tree would."""

    def __init__(self, routes: list[RouteSpec]) -> None:
        self._routes = [_Compiled(r, tuple(_split(r.path))) for r in routes]

    def resource(self, path: str) -> tuple[str, dict[str, str], list[RouteSpec]] | None:
        """The most specific resource path matching `path`, its parameters and routes."""
        parts = [unquote(p) for p in _split(path)]
        best: tuple[tuple[int, ...], str, dict[str, str]] | None = None
        for compiled in self._routes:
            found = _match(compiled.segments, parts)
            if found and (best is None or found[0] > best[0]):
                best = (found[0], compiled.route.path, found[1])
        if best is None:
            return None
        routes = [c.route for c in self._routes if c.route.path == best[1]]
        return best[1], best[2], routes

    def match(self, method: str, path: str) -> tuple[RouteSpec, dict[str, str]] | None:
        parts = [unquote(p) for p in _split(path)]
        best: tuple[tuple[tuple[int, ...], int], RouteSpec, dict[str, str]] | None = None
        for compiled in self._routes:
            if compiled.route.method not in (method, "ANY"):
                continue
            found = _match(compiled.segments, parts)
            if found is None:
                continue
            rank = (found[0], 1 if compiled.route.method == method else 0)
            if best is None or rank > best[0]:
                best = (rank, compiled.route, found[1])
        return None if best is None else (best[1], best[2])


# ------------------------------------------------------------------------- responses


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def _json_reply(status: int, document: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
    body = json.dumps(document, ensure_ascii=False, indent=None).encode()
    return Reply(status, [("Content-Type", "application/json"), *(headers or [])], body)


_CTX_BRACED = re.compile(r"\$!?\{context\.([\w.]+)\}")
_CTX_PLAIN = re.compile(r"\$!?context\.([\w]+(?:\.[\w]+)*)")


def _render_template(text: str, values: dict[str, str]) -> str:
    """The `$context.*` subset of VTL gateway response templates use."""
    text = _CTX_BRACED.sub(lambda m: values.get(m.group(1), ""), text)
    return _CTX_PLAIN.sub(lambda m: values.get(m.group(1), ""), text)


@dataclass
class _Request:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == wanted:
                found = value
        return found


# ------------------------------------------------------------------------- the gateway


class Gateway:
    """The HTTP server; one thread per connection, invocations block that thread only."""

    def __init__(
        self,
        *,
        model: Model,
        pseudo: Pseudo,
        invoke: Callable[[str, Any, float | None], Invocation],
        timeout_of: Callable[[str], float],
        operator: Operator,
        host: str = "127.0.0.1",
        port: int = 3000,
        openapi_path: Path | None = None,
    ) -> None:
        self.model = model
        self.pseudo = pseudo
        self._invoke = invoke
        self._timeout_of = timeout_of
        self.operator = operator
        self.openapi_path = openapi_path
        self.router = Router(model.routes)
        self._auth_cache: dict[tuple[str, tuple[str, ...]], tuple[float, dict[str, Any]]] = {}
        self._auth_lock = threading.Lock()
        self._host = host
        self._server = _Server((host, port), _handler_class(self))
        self._thread: threading.Thread | None = None
        # Until the cloud is ready (resources, seed, partners), API routes answer 503 platform.starting:
        # a newcomer's early request would otherwise meet a half-seeded platform.
        self._ready = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-gateway", daemon=True)
        self._thread.start()

    def open(self) -> None:
        """Start routing API requests (before this they get 503 `platform.starting`)."""
        self._ready.set()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    # --- dispatch --------------------------------------------------------------------------

    def handle(self, request: _Request) -> tuple[Reply, str]:
        """The reply and a short note for the access log (the function that ran)."""
        if request.path.startswith("/_local/") or request.path == "/_local":
            return self._operator(request), "operator"
        if not self._ready.is_set():
            return _starting(request), "starting"
        if len(request.body) > MAX_REQUEST_BYTES:
            return self._error(self._fallback_api(), "REQUEST_TOO_LARGE", request), "-"
        if request.method not in ALL_METHODS:
            # TRACE, CONNECT and made-up methods: API Gateway has no resource for them
            return self._error(self._fallback_api(), "MISSING_AUTHENTICATION_TOKEN", request), "-"
        matched = self.router.match(request.method, request.path)
        if request.method == "OPTIONS" and (matched is None or matched[0].method == "ANY"):
            preflight = self._preflight(request)
            if preflight is not None:
                return preflight, "cors"
        if matched is None:
            if request.method in ("GET", "HEAD") and request.path in ("/docs", "/docs/", "/openapi.json"):
                return self._docs(request), "docs"
            if request.method == "GET" and request.path.startswith("/docs/"):
                return self._asset(request.path.removeprefix("/docs/")), "docs"
            if request.method in ("GET", "HEAD") and (request.path == "/portal" or request.path.startswith("/portal/")):
                return portal_file(request.path), "portal"
            return self._error(self._fallback_api(), "MISSING_AUTHENTICATION_TOKEN", request), "-"
        route, params = matched
        api = self.model.apis[route.api_id]
        authorizer_context: dict[str, Any] | None = None
        if route.authorizer:
            outcome = self._authorize(api, api.authorizers[route.authorizer], request, route.path, params)
            if isinstance(outcome, Reply):
                return outcome, route.function_id
            authorizer_context = outcome
        event = self.proxy_event(api, route.path, request, params, authorizer_context)
        timeout = min(self._timeout_of(route.function_id), INTEGRATION_TIMEOUT_S)
        invocation = self._invoke(route.function_id, event, timeout)
        return self._proxy_reply(api, invocation, request, timeout), route.function_id

    def _fallback_api(self) -> ApiSpec | None:
        return next(iter(self.model.apis.values()), None)

    # --- proxy event and reply -------------------------------------------------------------

    def proxy_event(
        self,
        api: ApiSpec,
        resource: str,
        request: _Request,
        path_params: dict[str, str],
        authorizer: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """The API Gateway REST API (v1) proxy event for `request`."""
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for key, value in self._forwarded(request):
            headers[key] = value
            multi_headers.setdefault(key, []).append(value)
        query = parse_qs(request.query, keep_blank_values=True)
        body: str | None = None
        is_base64 = False
        if request.body:
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                body = base64.b64encode(request.body).decode()
                is_base64 = True
        now = datetime.fromtimestamp(request.started, UTC)
        context: dict[str, Any] = {
            "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, resource).hex[:6],
            "resourcePath": resource,
            "httpMethod": request.method,
            "extendedRequestId": request.request_id.replace("-", "")[:16] + "=",
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/{api.stage}{request.path}",
            "accountId": self.pseudo.account_id,
            "protocol": "HTTP/1.1",
            "stage": api.stage,
            "domainPrefix": api.api_id,
            "requestTimeEpoch": int(request.started * 1000),
            "requestId": request.request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": request.header("User-Agent"),
                "user": None,
            },
            "domainName": request.header("Host") or "127.0.0.1",
            "apiId": api.api_id,
        }
        if authorizer is not None:
            context["authorizer"] = authorizer
        return {
            "resource": resource,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "pathParameters": path_params or None,
            "stageVariables": None,
            "requestContext": context,
            "body": body,
            "isBase64Encoded": is_base64,
        }

    def _forwarded(self, request: _Request) -> list[tuple[str, str]]:
        headers = list(request.headers)
        names = {k.lower() for k, _ in headers}
        if "x-forwarded-for" not in names:
            headers.append(("X-Forwarded-For", request.source_ip))
        if "x-forwarded-proto" not in names:
            headers.append(("X-Forwarded-Proto", "http"))
        if "x-forwarded-port" not in names:
            headers.append(("X-Forwarded-Port", str(self.port)))
        return headers

    def _proxy_reply(self, api: ApiSpec, invocation: Invocation, request: _Request, timeout: float) -> Reply:
        if invocation.timed_out and timeout < self._timeout_of(invocation.function_id):
            return self._error(api, "INTEGRATION_TIMEOUT", request)
        result = invocation.result
        if not invocation.ok or not isinstance(result, dict):
            return self._error(api, "INTEGRATION_FAILURE", request)
        try:
            status = int(result.get("statusCode", 200))
            body_value = result.get("body")
            if body_value is None:
                body = b""
            elif result.get("isBase64Encoded"):
                body = base64.b64decode(str(body_value))
            else:
                body = str(body_value).encode()
            headers: list[tuple[str, str]] = []
            single = result.get("headers") or {}
            multi = result.get("multiValueHeaders") or {}
            for key, values in multi.items():
                headers.extend((str(key), str(v)) for v in values)
            for key, value in single.items():
                if str(key).lower() not in {k.lower() for k in multi}:
                    headers.append((str(key), str(value)))
        except (TypeError, ValueError, AttributeError):
            return self._error(api, "INTEGRATION_FAILURE", request)
        if not 100 <= status <= 599:
            return self._error(api, "INTEGRATION_FAILURE", request)
        hop = {"content-length", "connection", "transfer-encoding"}
        headers = [(k, v) for k, v in headers if k.lower() not in hop]
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/json"))
        headers.append(("x-amzn-RequestId", request.request_id))
        return Reply(status, headers, body)

    def _error(self, api: ApiSpec | None, kind: str, request: _Request, message: str | None = "") -> Reply:
        """An API Gateway error answer, shaped by the API's GatewayResponses."""
        status, default_message, error_type = _ERRORS[kind]
        text = default_message if message == "" else message
        family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        spec = None
        if api is not None:
            spec = api.gateway_responses.get(kind) or api.gateway_responses.get(family)
        headers = [("x-amzn-RequestId", request.request_id), ("x-amzn-ErrorType", error_type)]
        if spec is None:
            return _json_reply(status, {"message": text}, headers)
        for name, value in spec.headers.items():
            if value.startswith("'") and value.endswith("'"):
                headers.append((name, value[1:-1]))
            elif value.startswith("method.request.header."):
                found = request.header(value.removeprefix("method.request.header."))
                if found is not None:
                    headers.append((name, found))
        template = spec.templates.get("application/json")
        if template is None:
            body = json.dumps({"message": text}).encode()
        else:
            values = {
                "requestId": request.request_id,
                "extendedRequestId": request.request_id,
                "error.message": text or "",
                "error.messageString": json.dumps(text),
                "error.responseType": kind if kind in _ERRORS else family,
                "error.validationErrorString": "",
                "httpMethod": request.method,
                "path": request.path,
                "stage": api.stage if api else "",
                "identity.sourceIp": request.source_ip,
                "domainName": request.header("Host") or "",
            }
            body = _render_template(template, values).encode()
        # a Content-Type among the response's headers replaces the default (problem+json in the template)
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.insert(0, ("Content-Type", "application/json"))
        return Reply(spec.status or status, headers, body)

    # --- CORS ------------------------------------------------------------------------------

    def _preflight(self, request: _Request) -> Reply | None:
        found = self.router.resource(request.path)
        if found is None:
            return None
        resource, params, routes = found
        api = self.model.apis[routes[0].api_id]
        if api.cors is None:
            return None
        if api.authorize_preflight and api.default_authorizer:
            outcome = self._authorize(api, api.authorizers[api.default_authorizer], request, resource, params)
            if isinstance(outcome, Reply):
                return outcome
        cors = api.cors
        methods = cors.allow_methods
        if methods is None:
            present = {r.method for r in routes}
            expanded = set(ALL_METHODS) if "ANY" in present else present | {"OPTIONS"}
            methods = ",".join(sorted(expanded))
        headers = [("Access-Control-Allow-Origin", cors.allow_origin), ("Access-Control-Allow-Methods", methods)]
        if cors.allow_headers is not None:
            headers.append(("Access-Control-Allow-Headers", cors.allow_headers))
        if cors.max_age is not None:
            headers.append(("Access-Control-Max-Age", cors.max_age))
        if cors.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        headers.append(("Content-Type", "application/json"))
        headers.append(("x-amzn-RequestId", request.request_id))
        return Reply(200, headers, b"")

    # --- authorizers -----------------------------------------------------------------------

    def method_arn(self, api: ApiSpec, method: str, path: str) -> str:
        return (
            f"arn:{self.pseudo.partition}:execute-api:{self.pseudo.region}:{self.pseudo.account_id}:"
            f"{api.api_id}/{api.stage}/{method}/{path.lstrip('/')}"
        )

    def _identity(self, spec: AuthorizerSpec, request: _Request, api: ApiSpec) -> tuple[str, ...] | None:
        """The identity source values, or None when one is missing (401 without a call)."""
        if spec.payload_type == "TOKEN":
            token = request.header(spec.header)
            if not token:
                return None
            if spec.validation_expression and not re.fullmatch(spec.validation_expression, token):
                return None
            return (token,)
        query = parse_qs(request.query, keep_blank_values=True)
        values: list[str] = []
        for name in spec.headers:
            value = request.header(name)
            if not value:
                return None
            values.append(value)
        for name in spec.query_strings:
            if not query.get(name):
                return None
            values.append(query[name][-1])
        if spec.stage_variables:
            return None  # no stage variables locally
        for name in spec.context:
            values.append({"stage": api.stage, "httpMethod": request.method}.get(name.removeprefix("$context."), ""))
        return tuple(values)

    def _authorize(
        self, api: ApiSpec, spec: AuthorizerSpec, request: _Request, resource: str, params: dict[str, str]
    ) -> dict[str, Any] | Reply:
        """The authorizer context to pass on, or the error reply."""
        identity = self._identity(spec, request, api)
        if identity is None:
            return self._error(api, "UNAUTHORIZED", request)
        method_arn = self.method_arn(api, request.method, request.path)
        has_sources = spec.payload_type == "TOKEN" or bool(identity)
        key = (spec.name, identity)
        output: dict[str, Any] | None = None
        started = time.perf_counter()
        if spec.reauthorize_every_s > 0 and has_sources:
            with self._auth_lock:
                cached = self._auth_cache.get(key)
            if cached and cached[0] > time.monotonic():
                output = cached[1]
        if output is None:
            if spec.payload_type == "TOKEN":
                event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": identity[0], "methodArn": method_arn}
            else:
                event = self.proxy_event(api, resource, request, params, None)
                event = {"type": "REQUEST", "methodArn": method_arn, **event}
                event.pop("body", None)
                event.pop("isBase64Encoded", None)
            timeout = min(self._timeout_of(spec.function_id), INTEGRATION_TIMEOUT_S)
            invocation = self._invoke(spec.function_id, event, timeout)
            if not invocation.ok:
                if (invocation.error or {}).get("errorMessage") == "Unauthorized":
                    return self._error(api, "UNAUTHORIZED", request)
                return self._error(api, "AUTHORIZER_CONFIGURATION_ERROR", request)
            if not isinstance(invocation.result, dict) or "policyDocument" not in invocation.result:
                return self._error(api, "AUTHORIZER_CONFIGURATION_ERROR", request)
            output = invocation.result
            if spec.reauthorize_every_s > 0 and has_sources:
                with self._auth_lock:
                    self._auth_cache[key] = (time.monotonic() + spec.reauthorize_every_s, output)
        effect = _policy_effect(output.get("policyDocument"), method_arn)
        if effect == "Deny":
            denied = "User is not authorized to access this resource with an explicit deny"
            return self._error(api, "ACCESS_DENIED", request, denied)
        if effect != "Allow":
            return self._error(api, "ACCESS_DENIED", request)
        context = output.get("context") or {}
        if not isinstance(context, dict) or any(isinstance(v, dict | list) for v in context.values()):
            return self._error(api, "AUTHORIZER_CONFIGURATION_ERROR", request)
        passed: dict[str, Any] = {k: _context_text(v) for k, v in context.items()}
        passed["principalId"] = str(output.get("principalId", ""))
        passed["integrationLatency"] = int((time.perf_counter() - started) * 1000)
        return passed

    # --- docs ------------------------------------------------------------------------------

    def _docs(self, request: _Request) -> Reply:
        if request.path == "/openapi.json":
            if self.openapi_path is None or not self.openapi_path.is_file():
                return _json_reply(404, {"message": "docs/openapi.json has not been generated yet"})
            spec = json.loads(self.openapi_path.read_text(encoding="utf-8"))
            host = request.header("Host") or f"127.0.0.1:{self.port}"
            spec["servers"] = [{"url": f"http://{host}", "description": "local cloud"}]
            return _json_reply(200, spec)
        return Reply(200, [("Content-Type", "text/html; charset=utf-8")], _SWAGGER_PAGE.encode())

    def _asset(self, name: str) -> Reply:
        if name not in ("swagger-ui.min.css", "swagger-ui-bundle.min.js"):
            return _json_reply(404, {"message": "not found"})
        from aws_lambda_powertools.event_handler.openapi import swagger_ui

        data = (Path(swagger_ui.__file__).parent / name).read_bytes()
        kind = "text/css" if name.endswith(".css") else "application/javascript"
        return Reply(200, [("Content-Type", kind), ("Cache-Control", "max-age=3600")], data)

    # --- operator endpoints ----------------------------------------------------------------

    def _operator(self, request: _Request) -> Reply:
        parts = _split(request.path)[1:]
        query = {k: v[-1] for k, v in parse_qs(request.query).items()}
        try:
            if request.method == "GET" and parts == ["status"]:
                return _json_reply(200, {"ready": self.ready, **self.operator.status()})
            if request.method == "POST" and len(parts) == 3 and parts[0] == "schedules" and parts[2] == "fire":
                return _invocation_reply(self.operator.fire_invocation(parts[1], query.get("event")))
            if request.method == "POST" and len(parts) == 3 and parts[0] == "queues" and parts[2] == "redrive":
                return _json_reply(200, {"queue": parts[1], "moved": self.operator.redrive(parts[1])})
            if request.method == "POST" and len(parts) == 3 and parts[0] == "functions" and parts[2] == "invoke":
                event = json.loads(request.body or b"{}")
                return _invocation_reply(self.operator.invoke_raw(parts[1], event))
            if request.method == "POST" and parts == ["idle"]:
                try:
                    self.operator.wait_idle(float(query.get("timeout", "10")))
                except TimeoutError as exc:
                    return _json_reply(504, {"idle": False, "message": str(exc)})
                return _json_reply(200, {"idle": True})
        except KeyError as exc:
            return _json_reply(404, {"message": f"unknown name {exc}"})
        except ValueError as exc:
            return _json_reply(400, {"message": str(exc)})
        return _json_reply(404, {"message": "unknown operator endpoint", "see": "GET /_local/status"})


STARTING_RETRY_AFTER_S = 5


def _starting(request: _Request) -> Reply:
    """503 problem+json while the cloud is still starting, in the caller's language."""
    from shared.platform.errors import problem_body
    from shared.platform.http import PROBLEM_JSON, preferred_locale

    locale = preferred_locale(request.header("Accept-Language"))
    body = problem_body(503, "platform.starting", locale, request.request_id, {"retry_after": STARTING_RETRY_AFTER_S})
    headers = [("Retry-After", str(STARTING_RETRY_AFTER_S)), ("x-amzn-RequestId", request.request_id)]
    reply = _json_reply(503, body, headers)
    reply.headers[0] = ("Content-Type", PROBLEM_JSON)
    return reply


def _invocation_reply(invocation: Invocation) -> Reply:
    document: dict[str, Any] = {
        "function": invocation.function_id,
        "requestId": invocation.request_id,
        "ok": invocation.ok,
        "durationMs": round(invocation.duration_ms, 1),
    }
    if invocation.ok:
        document["result"] = invocation.result
    else:
        document["error"] = invocation.error
    return _json_reply(200, document)


def _context_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _policy_effect(policy: Any, method_arn: str) -> str | None:
    """'Deny' if any matching statement denies, 'Allow' if one allows, else None."""
    if not isinstance(policy, dict):
        return None
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    effect = None
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        actions = statement.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", str(a)) for a in actions):
            continue
        resources = statement.get("Resource") or []
        resources = [resources] if isinstance(resources, str) else resources
        if not any(fnmatch.fnmatchcase(method_arn, str(r)) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return "Deny"
        if statement.get("Effect") == "Allow":
            effect = "Allow"
    return effect


# ---------------------------------------------------------------------------- HTTP server


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _handler_class(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "jszw-local-gateway"

        def _serve(self) -> None:
            began = time.perf_counter()
            parts = urlsplit(self.path)
            body = self._read_body()
            request = _Request(
                method=self.command.upper(),
                path=parts.path or "/",
                query=parts.query,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
            try:
                reply, note = gateway.handle(request)
            except Exception:
                log.exception("gateway failed on %s %s", request.method, request.path)
                reply, note = _json_reply(500, {"message": "local gateway error"}), "error"
            try:
                self.send_response(reply.status)
                for key, value in reply.headers:
                    self.send_header(key, value)
                # 204 and 304 carry no body (RFC 9110): a stray one would be read as the start of the
                # next response on the kept-alive connection
                bodiless = reply.status in (204, 304)
                if not bodiless:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if request.method != "HEAD" and not bodiless:
                    self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                # the client hung up (Ctrl-C on curl, a timeout): nothing to tell it, no traceback
                self.close_connection = True
                access_log.info("%s %s %d client disconnected", request.method, self.path, reply.status)
                return
            took_ms = (time.perf_counter() - began) * 1000
            access_log.info("%s %s %d %.0fms %s", request.method, self.path, reply.status, took_ms, note)

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        # http.server dispatches on these names; TRACE and CONNECT reach the gateway's own refusal
        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve  # noqa: N815
        do_TRACE = do_CONNECT = _serve  # noqa: N815

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """http.server's own refusals (bad request line, unknown method) in the problem shape, not HTML."""
            status = code if 400 <= code < 500 else 400
            body = json.dumps(
                {
                    "type": "https://errors.jszwfw.gov.cn/bad_request",
                    "title": "Bad Request",
                    "status": status,
                    "code": "bad_request",
                    "message": "请求格式有误",
                    "errors": [],
                    "request_id": str(uuid.uuid4()),
                },
                ensure_ascii=False,
            ).encode()
            self.close_connection = True
            self.send_response(status)
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

        def handle(self) -> None:
            # a client that disconnects while its request is read is not an error of the gateway
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

    return Handler


_SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>jszw API (local)</title>
  <link rel="stylesheet" href="/docs/swagger-ui.min.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.min.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
      presets: [SwaggerUIBundle.presets.apis],
    });
  </script>
</body>
</html>
"""


# --- the reference portal (static files; CloudFront serves the same folder in the cloud, D-152) ------------------

PORTAL_ROOT = Path(__file__).resolve().parents[2] / "portal"
PORTAL_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}
# Kept equal to the PortalResponseHeaders policy in portal-stack.yaml but for connect-src (test_portal_files).
# Uploads go straight to storage, which listens on another local port: connect-src allows the loopback address.
PORTAL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self' http://127.0.0.1:* http://localhost:*; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
PORTAL_HEADERS = [
    ("Content-Security-Policy", PORTAL_CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]


def portal_file(path: str) -> Reply:
    """A file of `portal/`; `/portal` and folders answer with their index.html, nothing outside the folder."""
    if path == "/portal":
        # relative asset links only resolve under the folder's own URL
        return Reply(301, [("Location", "/portal/"), *PORTAL_HEADERS])
    relative = path.removeprefix("/portal").lstrip("/") or "index.html"
    target = (PORTAL_ROOT / unquote(relative)).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(PORTAL_ROOT) or not target.is_file() or target.suffix not in PORTAL_TYPES:
        return Reply(404, [("Content-Type", "text/plain; charset=utf-8"), *PORTAL_HEADERS], b"not found")
    headers = [("Content-Type", PORTAL_TYPES[target.suffix]), ("Cache-Control", "no-cache"), *PORTAL_HEADERS]
    return Reply(200, headers, target.read_bytes())
