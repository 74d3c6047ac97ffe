"""The route decorator: one declaration of who may call a route, seen in the
spec and enforced when the handler runs; the caller arrives as `principal`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.platform.clients import current_client
from shared.platform.errors import Forbidden
from shared.platform.http import make_resolver
from shared.platform.principal import ACCESS_EXTENSION, Access, Principal
from shared.platform.routing import route
from tests.support.apigw import FakeContext, as_role, rest_event

Colour = Annotated[str, Query(max_length=10)]


def _register(app: Any, seen: list[Any]) -> None:
    @route(app, "GET", "/v1/paint", access=Access.STAFF, scoped=True, summary="Paint")
    def paint(principal: Principal, colour: Colour = "red") -> dict[str, Any]:
        seen.append(principal)
        return {"by": principal.department_id, "colour": colour}

    @route(app, "GET", "/v1/open", access=Access.PUBLIC)
    def open_door(principal: Principal | None) -> dict[str, Any]:
        seen.append(principal)
        return {"signed_in": principal is not None}


def _call(app: Any, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = app.resolve(event, FakeContext())
    return response["statusCode"], json.loads(response["body"])


def test_the_spec_shows_the_declared_access_and_no_principal_parameter() -> None:
    app = make_resolver()
    _register(app, [])
    operation = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True)["paths"]["/v1/paint"]["get"]

    assert operation[ACCESS_EXTENSION] == {"roles": "staff", "record_scoped": True}
    assert [p["name"] for p in operation["parameters"]] == ["colour"]
    assert operation["operationId"].startswith("paint_")


def test_the_handler_gets_the_caller_and_its_query() -> None:
    app = make_resolver()
    seen: list[Any] = []
    _register(app, seen)
    staff = as_role("staff", department_id="320102-civil", region_code="320102")

    status, body = _call(app, rest_event("GET", "/v1/paint", query={"colour": "blue"}, authorizer=staff))

    assert (status, body) == (200, {"by": "320102-civil", "colour": "blue"})
    assert seen[0].department_id == "320102-civil"


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("citizen", 403), ("operator", 403)])
def test_other_callers_are_refused(role: str | None, status: int) -> None:
    app = make_resolver()
    seen: list[Any] = []
    _register(app, seen)
    event = rest_event("GET", "/v1/paint", authorizer=as_role(role) if role else None)

    assert _call(app, event)[0] == status
    assert seen == []


def test_the_decorator_checks_by_itself_on_any_resolver() -> None:
    # A plain resolver has no pre-routing refusal: the check inside the route must still hold.
    app = APIGatewayRestResolver(enable_validation=True)
    seen: list[Any] = []
    _register(app, seen)

    context: Any = FakeContext()
    with pytest.raises(Forbidden):
        app.resolve(rest_event("GET", "/v1/paint", authorizer=as_role("citizen")), context)
    assert seen == []


def test_a_public_route_gets_the_caller_when_there_is_one() -> None:
    app = make_resolver()
    _register(app, [])

    assert _call(app, rest_event("GET", "/v1/open")) == (200, {"signed_in": False})
    assert _call(app, rest_event("GET", "/v1/open", authorizer=as_role("citizen"))) == (200, {"signed_in": True})


def test_every_context_declares_access_only_through_the_decorator() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared"
    for routes in sorted(shared.glob("*/routes.py")):
        text = routes.read_text(encoding="utf-8")
        assert not re.search(r"openapi_extensions|require_access\(|@\w*router\.(get|post|put|patch|delete)\(", text), (
            f"{routes.relative_to(shared)} registers a route or checks access outside shared.platform.routing.route"
        )


def test_a_no_content_route_that_returns_nothing_answers_without_a_body() -> None:
    app = make_resolver()
    removed: list[str] = []

    @route(app, "DELETE", "/v1/paint/<colour>", access=Access.OPERATOR, status_code=204)
    def remove(colour: str) -> None:
        removed.append(colour)

    operator = as_role("operator")
    context: Any = FakeContext()
    response = app.resolve(rest_event("DELETE", "/v1/paint/red", authorizer=operator), context)

    # Powertools would serialise None as "null", which a client reads as the start of its next response
    assert (response["statusCode"], response["body"] or "") == (204, "")
    assert removed == ["red"]


def _recording_write(app: Any, seen: list[Any]) -> None:
    @route(app, "POST", "/v1/paint", access=Access.STAFF, summary="Paint")
    def paint() -> dict[str, Any]:
        seen.append(current_client())
        return {"ok": True}


def test_every_write_declares_the_client_header_and_no_read_does() -> None:
    app = make_resolver()
    _register(app, [])
    _recording_write(app, [])
    paths = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True)["paths"]["/v1/paint"]

    assert [p["name"] for p in paths["post"]["parameters"]] == ["x-client-id"]
    assert paths["post"]["parameters"][0]["in"].value == "header"
    assert [p["name"] for p in paths["get"]["parameters"]] == ["colour"]
    # the whole platform's spec: every write of every context, none of its reads
    spec = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text(encoding="utf-8"))
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert ("x-client-id" in names) is (method in {"post", "put", "patch", "delete"}), (method, path)


@pytest.mark.parametrize(("header", "recorded"), [({}, "web"), ({"X-Client-Id": "wechat"}, "wechat")])
def test_a_write_runs_as_its_client_and_only_while_it_runs(header: dict[str, str], recorded: str) -> None:
    app = make_resolver()
    seen: list[Any] = []
    _recording_write(app, seen)
    staff = as_role("staff", department_id="320102-civil", region_code="320102")

    status, _ = _call(app, rest_event("POST", "/v1/paint", body={}, headers=header, authorizer=staff))

    assert (status, seen) == (200, [recorded])
    assert current_client() is None


def test_an_unknown_client_is_refused_before_the_handler() -> None:
    app = make_resolver()
    seen: list[Any] = []
    _recording_write(app, seen)
    staff = as_role("staff", department_id="320102-civil", region_code="320102")
    event = rest_event("POST", "/v1/paint", body={}, headers={"X-Client-Id": "kiosk"}, authorizer=staff)

    status, body = _call(app, event)

    assert (status, body["code"], seen) == (400, "client_unknown", [])
    assert "X-Client-Id" in body["message"]


def test_only_a_public_read_may_be_cached_and_the_spec_says_which() -> None:
    # the stage cache answers without the authorizer per caller: a protected answer would leak (D-264)
    app = make_resolver()

    @route(app, "GET", "/v1/shelf", access=Access.PUBLIC, cached=True)
    def shelf() -> dict[str, Any]:
        return {}

    with pytest.raises(TypeError, match="public GETs only"):
        route(app, "GET", "/v1/other", access=Access.STAFF, cached=True)
    with pytest.raises(TypeError, match="public GETs only"):
        route(app, "POST", "/v1/other", access=Access.PUBLIC, cached=True)
    _register(app, [])
    paths = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True)["paths"]
    assert paths["/v1/shelf"]["get"]["x-jszw-cache"] is True
    assert "x-jszw-cache" not in paths["/v1/open"]["get"]
