"""The API's routes in template.yaml, generated from the code (D-264).

The routes are declared once, by the route decorators (shared.platform.routing)
of each HTTP function's Powertools resolver `app`. The HTTP functions are the
list of `Fn::ForEach::ApiFunctions` in template.yaml (each gets ONE Lambda
permission for the whole API there). This module writes the paths of
`PlatformApi`'s `DefinitionBody` between two marker comments: per operation the
`aws_proxy` integration to its function, `security: [{NONE: []}]` on public
routes (every other one takes the API's DefaultAuthorizer, as SAM applies it),
and for `cached=True` routes the cache keys: every path and query parameter
and Accept-Language. `python -m infra.gateway_routes --write` rewrites the
block (`make openapi` runs it first); `--check` fails when template.yaml
differs from the code. The local cloud (infra/local/model.py) and the spec
generator (infra/openapi.py) read the routes back with `declared_routes`.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from infra.template import TEMPLATE, import_function

API = "PlatformApi"
FUNCTIONS_LOOP = "Fn::ForEach::ApiFunctions"
BEGIN = "# BEGIN generated routes"
END = "# END generated routes"
INTEGRATION = "x-amazon-apigateway-integration"
INVOCATION_URI = (
    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${%s.Arn}/invocations"
)
_FUNCTION_IN_URI = re.compile(r"\$\{(\w+)\.Arn\}")
_METHOD_ORDER = ("get", "post", "put", "patch", "delete")
_PARAMETER_SOURCES = {"path": "path", "query": "querystring", "header": "header"}
CACHE_HEADER = "Accept-Language"  # the answers are localised (zh by default, en on request)


@dataclass(frozen=True)
class DeclaredRoute:
    """One operation of the API as the gateway serves it."""

    method: str  # upper case
    path: str  # API Gateway's spelling: /v1/items/{item_code}
    function_id: str
    public: bool
    cache_keys: tuple[str, ...]


class _Sub(str):
    """A string rendered as `!Sub "..."`."""


def http_functions(path: Path = TEMPLATE) -> list[str]:
    """The functions that serve the API: the collection of Fn::ForEach::ApiFunctions."""
    return list(_raw(path)["Resources"][FUNCTIONS_LOOP][1])


@cache
def _raw(path: Path) -> dict[str, Any]:
    parsed: dict[str, Any] = yaml_parse(path.read_text(encoding="utf-8"))
    return parsed


def function_specs() -> dict[str, dict[str, Any]]:
    """Each HTTP function's own OpenAPI document, from its resolver (imports the function).
    A fresh copy: callers may change it."""
    return copy.deepcopy(_function_specs())


@cache
def _function_specs() -> dict[str, dict[str, Any]]:
    from infra.openapi import TITLE, VERSION

    return {
        logical_id: json.loads(import_function(logical_id).app.get_openapi_json_schema(title=TITLE, version=VERSION))
        for logical_id in sorted(http_functions())
    }


def code_routes() -> list[DeclaredRoute]:
    """Every route the functions' code registers, as the gateway must serve it."""
    from shared.platform.principal import ACCESS_EXTENSION, Access
    from shared.platform.routing import CACHE_EXTENSION

    routes = []
    for logical_id, spec in function_specs().items():
        for path, operations in spec.get("paths", {}).items():
            for method, operation in operations.items():
                public = (operation.get(ACCESS_EXTENSION) or {}).get("roles") == Access.PUBLIC.value
                keys: tuple[str, ...] = ()
                if operation.get(CACHE_EXTENSION):
                    read = [p for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
                    keys = (
                        *(f"method.request.{_PARAMETER_SOURCES[p['in']]}.{p['name']}" for p in read),
                        f"method.request.header.{CACHE_HEADER}",
                    )
                routes.append(DeclaredRoute(method.upper(), path, logical_id, public, keys))
    seen: dict[tuple[str, str], str] = {}
    for r in routes:
        if (r.method, r.path) in seen:
            raise SystemExit(f"{r.method} {r.path} is served by both {seen[(r.method, r.path)]} and {r.function_id}")
        seen[(r.method, r.path)] = r.function_id
    return sorted(routes, key=lambda r: (r.path, _METHOD_ORDER.index(r.method.lower())))


def declared_routes(template: dict[str, Any]) -> list[DeclaredRoute]:
    """The routes of `PlatformApi`'s DefinitionBody in a parsed template (intrinsics as data)."""
    body = template["Resources"][API]["Properties"].get("DefinitionBody") or {}
    routes = []
    for path, operations in (body.get("paths") or {}).items():
        for method, operation in operations.items():
            integration = operation.get(INTEGRATION) or {}
            uri = integration.get("uri")
            text = uri.get("Fn::Sub") if isinstance(uri, dict) else None
            found = _FUNCTION_IN_URI.search(text) if isinstance(text, str) else None
            if integration.get("type") != "aws_proxy" or found is None:
                raise ValueError(f"{method.upper()} {path}: not an aws_proxy integration to a function of the template")
            public = any("NONE" in entry for entry in operation.get("security") or [])
            keys = tuple(integration.get("cacheKeyParameters") or ())
            routes.append(DeclaredRoute(method.upper(), path, found.group(1), public, keys))
    return routes


def _operation(route: DeclaredRoute) -> dict[str, Any]:
    integration: dict[str, Any] = {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": _Sub(INVOCATION_URI % route.function_id),
    }
    operation: dict[str, Any] = {}
    if route.public:
        operation["security"] = [{"NONE": []}]  # SAM leaves the DefaultAuthorizer off these
    if route.cache_keys:
        integration["cacheKeyParameters"] = list(route.cache_keys)
        operation["parameters"] = [
            {
                "name": key.rsplit(".", 1)[1],
                "in": _IN[key.split(".")[2]],
                "required": key.split(".")[2] == "path",
                "type": "string",
            }
            for key in route.cache_keys
        ]
    operation[INTEGRATION] = integration
    operation["responses"] = {}
    return operation


_IN = {source: name for name, source in _PARAMETER_SOURCES.items()}


def _flow(value: Any) -> str:
    """Compact YAML flow style, one operation per line."""
    if isinstance(value, _Sub):
        return "!Sub " + json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return (
            value
            if re.fullmatch(r"[A-Za-z][\w.-]*", value) and value not in ("true", "false", "null")
            else json.dumps(value, ensure_ascii=False)
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return json.dumps(value)


def render_block(routes: list[DeclaredRoute], indent: str) -> str:
    lines = [
        f"{indent}{BEGIN} by `make openapi` (python -m infra.gateway_routes --write) from the route",
        f"{indent}# decorators of the functions in {FUNCTIONS_LOOP} (D-264). Do not edit: change the code.",
        f'{indent}openapi: "3.0.1"',
        f'{indent}info: {{title: !Ref AWS::StackName, version: "1.0"}}',
        f"{indent}paths:",
    ]
    current = None
    for route in routes:
        if route.path != current:
            lines.append(f"{indent}  {json.dumps(route.path)}:")
            current = route.path
        lines.append(f"{indent}    {route.method.lower()}: {_flow(_operation(route))}")
    lines.append(f"{indent}{END}")
    return "\n".join(lines) + "\n"


def rewrite(text: str, routes: list[DeclaredRoute]) -> str:
    """template.yaml's text with the generated block replaced."""
    match = re.search(rf"^( *){re.escape(BEGIN)}.*?^ *{re.escape(END)}\n", text, re.S | re.M)
    if match is None:
        raise SystemExit(f"template.yaml has no '{BEGIN}' ... '{END}' block under {API}'s DefinitionBody")
    return text[: match.start()] + render_block(routes, match.group(1)) + text[match.end() :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="rewrite the generated routes in template.yaml")
    parser.add_argument("--check", action="store_true", help="fail if template.yaml's routes differ from the code")
    args = parser.parse_args(argv)
    current = TEMPLATE.read_text(encoding="utf-8")
    text = rewrite(current, code_routes())
    if args.write and text != current:
        TEMPLATE.write_text(text, encoding="utf-8")
        print("wrote the routes of template.yaml")
    if args.check and text != current:
        print("template.yaml's routes differ from the code: run `make openapi`", file=sys.stderr)
        return 1
    if not (args.write or args.check):
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
