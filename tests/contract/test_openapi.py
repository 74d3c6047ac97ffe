"""The committed OpenAPI spec is the contract with portal, app, hall and
partner developers: it must match the code and the template exactly."""

from __future__ import annotations

from infra.openapi import SPEC_PATH, build_spec, render


def test_committed_spec_matches_the_code() -> None:
    generated = render(build_spec())
    committed = SPEC_PATH.read_text(encoding="utf-8")
    assert committed == generated, "docs/openapi.json is out of date: run `make openapi` and commit it"


def test_every_operation_documents_the_problem_shape() -> None:
    spec = build_spec()
    assert spec["paths"], "no routes found"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            ref = operation["responses"]["4XX"]["content"]["application/problem+json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Problem", f"{method} {path}"
            assert operation.get("summary"), f"{method} {path} has no summary"


def test_committed_error_catalogue_matches_the_code() -> None:
    from infra.errors_doc import DOC_PATH, render

    assert DOC_PATH.read_text(encoding="utf-8") == render(), "docs/errors.md is stale: run `make openapi`"


def test_committed_event_catalogue_matches_the_code() -> None:
    from infra.events_doc import DOC_PATH, render

    assert DOC_PATH.read_text(encoding="utf-8") == render(), "docs/events.md is stale: run `make openapi`"


def test_every_operation_declares_who_may_call_it() -> None:
    """The role-matrix test and the resolver's access pre-check read this declaration."""
    from shared.platform.principal import ACCESS_EXTENSION, Access

    for path, operations in build_spec()["paths"].items():
        for method, operation in operations.items():
            declared = operation.get(ACCESS_EXTENSION)
            assert declared, f"{method.upper()} {path} does not declare {ACCESS_EXTENSION}"
            Access(declared["roles"])


def _unbounded_numbers(node: object, where: str, schemas: dict[str, object], seen: frozenset[str]) -> list[str]:
    """Integer/number schemas reachable from `node` without a lower and an upper bound
    within a signed 64-bit integer."""
    found: list[str] = []
    if isinstance(node, list):
        for value in node:
            found += _unbounded_numbers(value, where, schemas, seen)
    if not isinstance(node, dict):
        return found
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        return [] if name in seen else _unbounded_numbers(schemas[name], f"{where}→{name}", schemas, seen | {name})
    kinds = node.get("type")
    # a `properties` map may hold a field named `type` (a schema, not a type name)
    names = kinds if isinstance(kinds, list) else [kinds] if isinstance(kinds, str) else []
    if {"integer", "number"} & set(names):
        low = node.get("minimum", node.get("exclusiveMinimum"))
        high = node.get("maximum", node.get("exclusiveMaximum"))
        if low is None or high is None or not -(2**63) <= low <= high <= 2**63 - 1:
            found.append(where)
    for key, value in node.items():
        if key not in {"enum", "examples", "default", "const"}:
            inner = where if key in {"properties", "items", "anyOf", "allOf", "oneOf"} else f"{where}.{key}"
            found += _unbounded_numbers(value, inner, schemas, seen)
    return found


def test_every_number_a_caller_sends_has_a_documented_range_within_int64() -> None:
    # monthly_income_fen took 10^18 and 39 digits gave a 500 (issue 22): every integer
    # or number in a parameter or request body states its range in the spec
    spec = build_spec()
    schemas = spec["components"]["schemas"]
    unbounded: list[str] = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method} {path} {parameter['name']}"
                unbounded += _unbounded_numbers(parameter.get("schema", {}), where, schemas, frozenset())
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                unbounded += _unbounded_numbers(content["schema"], f"{method} {path} body", schemas, frozenset())
    assert unbounded == []


def test_the_spec_tells_the_truth_about_responses() -> None:
    """What schemathesis found (issue 22): errors documented with the route's return
    type, successes not documented at all, a 204 that declares a body."""
    spec = build_spec()
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            successes = [status for status in responses if status.startswith("2")]
            assert successes, f"{where} documents no success response"
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert response.get("content") == problem, f"{where} {status} is not problem+json"
                elif status == "204":
                    assert "content" not in response, f"{where} 204 declares a body"
                elif status.startswith("2"):
                    assert response.get("content"), f"{where} {status} declares no body"


def test_bearer_tokens_are_a_security_scheme_on_every_protected_operation() -> None:
    from shared.platform.principal import ACCESS_EXTENSION, Access

    spec = build_spec()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        **spec["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            public = operation[ACCESS_EXTENSION]["roles"] == Access.PUBLIC.value
            assert operation["security"] == ([] if public else [{"bearerAuth": []}]), f"{method} {path}"


def test_formats_the_server_enforces_are_documented() -> None:
    spec = build_spec()
    schemas = spec["components"]["schemas"]
    assert schemas["OtpRequest"]["properties"]["phone"]["pattern"] == r"^1[3-9][0-9]{9}$"
    assert schemas["Registration"]["properties"]["id_number"]["pattern"] == r"^[0-9]{17}[0-9X]$"
    cursors = [
        parameter["schema"]
        for operations in spec["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "cursor"
    ]
    assert cursors
    for schema in cursors:
        assert schema["anyOf"][0]["pattern"] == r"^[A-Za-z0-9_-]+={0,2}$"
