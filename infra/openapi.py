"""Generate the platform's OpenAPI 3.1 spec from the code.

Every HTTP function (Fn::ForEach::ApiFunctions in template.yaml) exposes a
Powertools resolver named `app`; their specs are merged into one document, the
common problem+json error shape is added to every operation, and the result is
`docs/openapi.json`. `python -m infra.openapi --write` regenerates it;
`--check` fails when the committed file differs (the contract test does the
same). Routes in the API's DefinitionBody (written from the code by
infra/gateway_routes.py, D-264) but missing from the code, or the reverse, are
an error, so the spec, the gateway and the code agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from infra.gateway_routes import FUNCTIONS_LOOP, declared_routes, function_specs
from infra.template import ROOT, sam_template

SPEC_PATH = ROOT / "docs" / "openapi.json"
TITLE = "江苏政务服务平台 API (Jiangsu Government Online Services)"
VERSION = "1.0.0"
DESCRIPTION = (
    "One province-wide API for portal, mobile, hall and partner clients: 网上批、快递送、不见面. "
    "Errors are problem+json with a stable `code` (see docs/errors.md); messages are Chinese by default, "
    "English with `Accept-Language: en`."
)
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "code", "message", "errors", "request_id"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable error code, listed in docs/errors.md"},
        "message": {"type": "string", "description": "Chinese by default; English with Accept-Language: en"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
        "request_id": {"type": "string"},
    },
}


SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Access token (ES256 JWT, 15 minutes) from `POST /v1/auth/sign-in` or a refresh; "
        "`x-jszw-access` on each operation says which roles it admits.",
    }
}
_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def http_functions() -> dict[str, dict[str, Any]]:
    """Logical id -> {code_dir, routes: {(METHOD, path)}} for the functions that serve
    the API, as the DefinitionBody in template.yaml routes to them (no import of code)."""
    template = sam_template()
    found: dict[str, dict[str, Any]] = {}
    for declared in declared_routes(template):
        code_dir = str(template["Resources"][declared.function_id]["Properties"]["CodeUri"]).strip("/")
        found.setdefault(declared.function_id, {"code_dir": code_dir, "routes": set()})["routes"].add(
            (declared.method, declared.path)
        )
    return found


def build_spec() -> dict[str, Any]:
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": "http://127.0.0.1:3000", "description": "local cloud (make run)"}],
        "paths": {},
        "components": {"schemas": {"Problem": PROBLEM_SCHEMA}, "securitySchemes": SECURITY_SCHEMES},
    }
    problems: list[str] = []
    declared_by = {logical_id: info["routes"] for logical_id, info in http_functions().items()}
    for logical_id, part in function_specs().items():
        spec["components"]["schemas"].update(part.get("components", {}).get("schemas", {}))
        served = set()
        for path, operations in part.get("paths", {}).items():
            for method, operation in operations.items():
                served.add((method.upper(), path))
                operation.setdefault("tags", [logical_id])
                _add_problem_responses(operation)
                _add_security(operation)
                spec["paths"].setdefault(path, {})[method] = operation
        declared = declared_by.pop(logical_id, set())
        for method, path in sorted(declared - served):
            problems.append(f"{logical_id}: {method} {path} is in template.yaml but no route serves it")
        for method, path in sorted(served - declared):
            problems.append(f"{logical_id}: {method} {path} is served but not in template.yaml (run `make openapi`)")
    for logical_id in sorted(declared_by):
        problems.append(f"{logical_id}: has routes in template.yaml but is not in {FUNCTIONS_LOOP}")
    if problems:
        raise SystemExit("\n".join(problems))
    for name in ("HTTPValidationError", "ValidationError"):
        spec["components"]["schemas"].pop(name, None)
    spec["paths"] = dict(sorted(spec["paths"].items()))
    return spec


def _add_security(operation: dict[str, Any]) -> None:
    """Bearer JWT on every operation but the public ones (`x-jszw-access`)."""
    from shared.platform.principal import ACCESS_EXTENSION, Access

    public = (operation.get(ACCESS_EXTENSION) or {}).get("roles") == Access.PUBLIC.value
    operation["security"] = [] if public else [{"bearerAuth": []}]


def _add_problem_responses(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    for status, response in responses.items():
        if status.startswith(("4", "5")):
            # every error is problem+json; Powertools gives a declared response without
            # content the route's return type (the calendar's 401 said CalendarYear)
            response["content"] = _PROBLEM_CONTENT
        elif status in {"204", "304"}:
            response.pop("content", None)  # no body, whatever the handler's annotation says
    problem = {"description": "Problem (see docs/errors.md)", "content": _PROBLEM_CONTENT}
    responses["4XX"] = problem
    if operation.get("requestBody") or any(p.get("in") in {"query", "path"} for p in operation.get("parameters", [])):
        responses["422"] = {**problem, "description": "Validation failed: `errors` names each field"}


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="write docs/openapi.json")
    parser.add_argument("--check", action="store_true", help="fail if docs/openapi.json is out of date")
    args = parser.parse_args(argv)
    text = render(build_spec())
    if args.write:
        SPEC_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {SPEC_PATH.relative_to(ROOT)}")
    if args.check:
        current = SPEC_PATH.read_text(encoding="utf-8") if SPEC_PATH.exists() else ""
        if current != text:
            print("docs/openapi.json is out of date: run `make openapi`", file=sys.stderr)
            return 1
    if not (args.write or args.check):
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
