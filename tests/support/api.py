"""Call any route of the platform API the way API Gateway would.

One helper for every context's unit tests: `call(method, path, who, ...)`
finds the operation in the spec (docs/openapi.json) whose path template
matches the concrete `path` (literal segments win over parameters, as in API
Gateway), builds the REST proxy event (resource, path parameters, headers,
query, body, the authorizer's principal context), hands it to the function
that serves the route in template.yaml, and returns the reply decoded.

A path the spec does not declare fails the test at once: the per-context
copies this replaces guessed the path parameters from the path's shape and
quietly built events for routes that do not exist.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from infra.openapi import SPEC_PATH, http_functions
from shared.platform.principal import Principal
from tests.support.apigw import FakeContext, rest_event
from tests.support.handlers import load_function


@dataclass(frozen=True)
class Route:
    method: str
    resource: str  # the spec's path template, e.g. /v1/cases/{case_id}
    function: str  # the directory under functions/ whose handler serves it
    operation: dict[str, Any]

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.resource.strip("/").split("/"))


@cache
def routes() -> dict[tuple[str, int], tuple[Route, ...]]:
    """Every operation of the spec, grouped by (METHOD, number of segments)."""
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    served_by = {
        route: info["code_dir"].removeprefix("functions/")
        for info in http_functions().values()
        for route in info["routes"]
    }
    grouped: dict[tuple[str, int], list[Route]] = {}
    for resource, operations in spec["paths"].items():
        for method, operation in operations.items():
            route = Route(method.upper(), resource, served_by[(method.upper(), resource)], operation)
            grouped.setdefault((route.method, len(route.segments)), []).append(route)
    return {key: tuple(found) for key, found in grouped.items()}


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route API Gateway picks for `method path`, and its path parameters."""
    assert "?" not in path, "pass the query string as `query`"
    parts = path.strip("/").split("/")
    best: tuple[tuple[bool, ...], Route, dict[str, str]] | None = None
    for route in routes().get((method.upper(), len(parts)), ()):
        params: dict[str, str] = {}
        literal: list[bool] = []
        for template, actual in zip(route.segments, parts, strict=True):
            if template.startswith("{") and template.endswith("}"):
                params[template[1:-1]] = actual
                literal.append(False)
            elif template == actual:
                literal.append(True)
            else:
                break
        else:
            # A literal segment beats a parameter at the first place two routes differ.
            if best is None or tuple(literal) > best[0]:
                best = (tuple(literal), route, params)
    if best is None:
        raise AssertionError(f"{method.upper()} {path} is not a route of docs/openapi.json")
    return best[1], best[2]


@dataclass
class Reply:
    status: int
    body: Any  # decoded JSON; text or bytes when the route answers something else
    headers: dict[str, str]

    @property
    def code(self) -> str:
        """The problem+json `code` (empty for any other reply)."""
        return str(self.body.get("code", "")) if isinstance(self.body, dict) else ""


def reply_of(response: dict[str, Any]) -> Reply:
    """A Lambda proxy response as the client sees it (multi-value headers win, as in API Gateway)."""
    headers = {str(k): str(v) for k, v in (response.get("headers") or {}).items()}
    headers.update({k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items() if v})
    text = response.get("body") or ""
    body: Any
    if response.get("isBase64Encoded"):
        body = base64.b64decode(text)
    elif not text:
        body = None
    elif "json" in {k.lower(): v for k, v in headers.items()}.get("content-type", "application/json"):
        body = json.loads(text)
    else:
        body = text
    return Reply(int(response["statusCode"]), body, headers)


Who = dict[str, str] | Principal | None


def event_for(
    method: str,
    path: str,
    who: Who = None,
    *,
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str | None = None,
) -> dict[str, Any]:
    """The proxy event API Gateway passes for the request, after the authorizer let `who` in
    (an authorizer context such as `as_role(...)`, a Principal, or None for anonymous)."""
    route, params = match(method, path)
    context = who.to_context() if isinstance(who, Principal) else who
    event = rest_event(
        route.method,
        path,
        resource=route.resource,
        body=body,
        raw_body=raw_body,
        headers=headers,
        query=query,
        path_params=params or None,
        authorizer=context,
    )
    if source_ip is not None:
        event["requestContext"]["identity"]["sourceIp"] = source_ip
    return event


def invoke(event: dict[str, Any]) -> Reply:
    """Hand an already built proxy event to the function serving its route."""
    route, _ = match(event["httpMethod"], event["path"])
    return reply_of(load_function(route.function).handler(event, FakeContext()))


def call(
    method: str,
    path: str,
    who: Who = None,
    *,
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str | None = None,
) -> Reply:
    """Call the route as API Gateway would and return what the client receives."""
    event = event_for(
        method, path, who, body=body, raw_body=raw_body, query=query, headers=headers, source_ip=source_ip
    )
    return invoke(event)
