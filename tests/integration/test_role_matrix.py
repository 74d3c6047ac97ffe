"""Every endpoint of the OpenAPI spec × every kind of caller (C9, issue 3).

The matrix grows by itself: it reads docs/openapi.json (kept equal to the
code by the contract tests) and each operation's declared access
(`x-jszw-access`). Two layers are checked:

- the gateway: with no token, every non-public route is refused by the
  authorizer (401) and every public route is reachable;
- the function: invoked with each role's principal (as the authorizer passes
  it), a role the route does not admit gets 401/403 and nothing else; a role
  it admits is never refused for its role (it may still get 404/422 for the
  placeholder input). On record-scoped routes that name a record in the path
  the placeholder record does not exist, so every admitted caller gets 404
  (or 422 for the input), never 403:
  whoever may not see a record is answered as if it were missing (D-067), and
  a 403 here would tell a caller outside scope that the record exists. Record
  scope on real records is tested per context. Record-scoped lists (`/v1/cases`
  for an agent whose authorisation does not cover it) may still answer 403:
  that refusal does not depend on any record.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from infra.local import LocalCloud
from infra.openapi import http_functions
from shared.platform.principal import ACCESS_EXTENSION, ROLES_ALLOWED, Access, Role
from tests.support.apigw import as_role, rest_event

pytestmark = pytest.mark.integration

SPEC = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text(encoding="utf-8"))

CALLERS: dict[str, dict[str, str] | None] = {
    "anonymous": None,
    "citizen_a": as_role("citizen", sub="01JDQ90F3W7C8M2T6R4K9N5CA1", region_code="320102"),
    "citizen_b": as_role("citizen", sub="01JDQ90F3W7C8M2T6R4K9N5CB2", region_code="320105"),
    "agent": as_role("agent", sub="01JDQ90F3W7C8M2T6R4K9N5AG3", acting_for="91320102MA1XYZ1234"),
    "staff_in_scope": as_role(
        "staff", sub="01JDQ90F3W7C8M2T6R4K9N5ST4", department_id="320102-market", region_code="320102"
    ),
    "staff_out_of_scope": as_role(
        "staff", sub="01JDQ90F3W7C8M2T6R4K9N5ST5", department_id="320500-market", region_code="320500"
    ),
    "supervisor": as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5SU6", region_code="320100"),
    "operator": as_role("operator", sub="01JDQ90F3W7C8M2T6R4K9N5OP7"),
    "hotline_agent": as_role("hotline_agent", sub="01JDQ90F3W7C8M2T6R4K9N5HA8", region_code="320100"),
}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in SPEC["paths"].items()
        for method, operation in operations.items()
    ]


@cache
def _route_functions() -> dict[tuple[str, str], str]:
    # read once: the template's parse and copy cost ~9 ms, and the matrix has ~2,000 cases
    return {route: logical_id for logical_id, info in http_functions().items() for route in info["routes"]}


def _function_for(method: str, path: str) -> str:
    if (method, path) not in _route_functions():
        raise AssertionError(f"no function serves {method} {path}")
    return _route_functions()[(method, path)]


def _placeholder_path(path: str) -> tuple[str, dict[str, str]]:
    params = {name: "PLACEHOLDER" for name in re.findall(r"{(\w+)}", path)}
    return re.sub(r"{(\w+)}", "PLACEHOLDER", path), params


def _declared(operation: dict[str, Any]) -> tuple[Access, bool]:
    declared = operation[ACCESS_EXTENSION]
    return Access(declared["roles"]), bool(declared.get("record_scoped"))


@pytest.mark.parametrize(("method", "path", "operation"), _operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_gateway_refuses_anonymous_callers_on_every_protected_route(
    api: Any, method: str, path: str, operation: dict[str, Any]
) -> None:
    access, _ = _declared(operation)
    concrete, _ = _placeholder_path(path)
    response = api.request(method, concrete, json={} if method in {"POST", "PUT"} else None)
    if access is Access.PUBLIC:
        assert response.status_code not in {401, 403}, response.text
    else:
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize(("method", "path", "operation"), _operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_role_gets_exactly_what_the_route_declares(
    local_cloud: LocalCloud, method: str, path: str, operation: dict[str, Any], caller: str
) -> None:
    access, record_scoped = _declared(operation)
    concrete, params = _placeholder_path(path)
    principal = CALLERS[caller]
    event = rest_event(
        method,
        concrete,
        resource=path,
        path_params=params or None,
        body={} if method in {"POST", "PUT"} else None,
        authorizer=principal,
    )
    status = local_cloud.invoke(_function_for(method, path), event)["statusCode"]
    assert status < 500, f"{caller} {method} {path} -> {status}"
    if access is Access.PUBLIC:
        assert status not in {401, 403}
        return
    if principal is None:
        assert status == 401
        return
    admitted = Role(principal["role"]) in ROLES_ALLOWED[access]
    if not admitted:
        assert status == 403, f"{caller} must be refused by {method} {path} ({access}), got {status}"
    elif record_scoped and not params:
        assert status != 401, f"{caller} {method} {path} -> {status}"
    elif record_scoped:
        assert status not in {401, 403}, (
            f"{caller} {method} {path}: 404, never 403, outside scope (D-067); got {status}"
        )
    else:
        assert status not in {401, 403}, f"{caller} admitted by {access} but refused: {status}"
