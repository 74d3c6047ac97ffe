"""One decorator that registers a route and declares who may call it, once.

`@route(router, "POST", "/v1/cases", access=Access.APPLICANT, scoped=True, ...)`
puts the access level in the spec (`x-jszw-access`, which the role-matrix test
and the resolver's pre-validation refusal read) and enforces the same level
when the handler runs, so the declaration and the check cannot drift apart.
A handler that names a `principal` parameter receives the caller's
`Principal` (on a public route `Principal | None`); that parameter is hidden
from the spec and from request validation. Every other keyword goes to the
Powertools router unchanged (summary, description, tags, responses, ...).
`cached=True` (public GETs only) puts the route in the API stage's cache, keyed by
every path and query parameter and Accept-Language: `x-jszw-cache` in the spec, from
which infra/gateway_routes.py writes the gateway's cache keys (D-264); the stage's
MethodSettings in template.yaml give its TTL.
Every write (POST, PUT, PATCH, DELETE) also declares the `X-Client-Id` header
(一端, shared.platform.clients): the spec shows it once per write without any
route naming it; the handler never sees it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Literal, TypeVar, get_type_hints

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from shared.platform.clients import WRITE_METHODS, client_parameter
from shared.platform.principal import Access, access_extension, optional_principal, require_access

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Handler = TypeVar("Handler", bound=Callable[..., Any])

CACHE_EXTENSION = "x-jszw-cache"
PRINCIPAL_PARAMETER = "principal"
CLIENT_PARAMETER = "jszw_client_id"


def route(
    router: BaseRouter,
    method: Method,
    path: str,
    *,
    access: Access,
    scoped: bool = False,
    cached: bool = False,
    **options: Any,
) -> Callable[[Handler], Handler]:
    """Register `handler` for `method path` on `router`, admitting only callers
    `access` allows; `scoped=True` says the handler further checks ownership or
    region scope per record (documented in the extension); `cached=True` lets the
    API stage cache its answers."""
    if "openapi_extensions" in options:
        raise TypeError("route() declares the access extension itself; pass access= and scoped=")
    if cached and (method != "GET" or access is not Access.PUBLIC):
        # the stage cache answers without calling the authorizer's check per caller: only public reads
        raise TypeError("route(cached=True) is for public GETs only")
    extensions = access_extension(access, scoped=scoped) | ({CACHE_EXTENSION: True} if cached else {})

    def register(handler: Handler) -> Handler:
        signature = inspect.signature(handler)
        wants_principal = PRINCIPAL_PARAMETER in signature.parameters
        declares_client = method in WRITE_METHODS

        @functools.cache
        def visible() -> inspect.Signature:
            """The signature Powertools validates and documents. Built when Powertools first asks
            (the route's first request, or the spec), not at import: resolving the annotations
            costs ~0.3 ms a route, and a route module may name a model through another context's
            lazy api module (`catalog.NewItem`), which then loads with the route's first request
            (D-315). Powertools resolves string annotations against the callable's module globals;
            the wrapper lives here, so it gets the handler's annotations already resolved."""
            hints = get_type_hints(handler, include_extras=True)
            parameters = [
                parameter.replace(annotation=hints.get(name, parameter.annotation))
                for name, parameter in signature.parameters.items()
                if name != PRINCIPAL_PARAMETER
            ]
            if declares_client:
                # validated and recorded by the resolver (shared.platform.http); here only for the spec
                parameters.append(
                    inspect.Parameter(
                        CLIENT_PARAMETER, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=client_parameter()
                    )
                )
            return signature.replace(
                parameters=parameters, return_annotation=hints.get("return", signature.return_annotation)
            )

        no_content = options.get("status_code") == 204

        @functools.wraps(handler)
        def checked(**arguments: Any) -> Any:
            if declares_client:
                arguments.pop(CLIENT_PARAMETER, None)
            if access is Access.PUBLIC:
                if wants_principal:
                    arguments[PRINCIPAL_PARAMETER] = optional_principal(router)
            else:
                principal = require_access(router, access)
                if wants_principal:
                    arguments[PRINCIPAL_PARAMETER] = principal
            result = handler(**arguments)
            if result is None and no_content:
                # a handler that returns nothing answers 204 without a body (Powertools would send "null")
                return Response(status_code=204, body=None)
            return result

        # inspect.signature() calls a callable `__signature__` (Python 3.13) and gets the Signature
        checked.__signature__ = visible  # type: ignore[attr-defined]
        router.route(path, method, openapi_extensions=extensions, **options)(checked)
        return handler

    return register
