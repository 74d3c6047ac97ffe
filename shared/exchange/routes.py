"""The schema registry over HTTP (public, cacheable): partners and department
systems read the JSON Schemas of what they receive and send (D-235)."""

from __future__ import annotations

import json
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.exchange.errors import SCHEMA_NOT_FOUND
from shared.exchange.models import SchemaList, SchemaSummary
from shared.exchange.published import published
from shared.platform.errors import NotFound
from shared.platform.principal import Access
from shared.platform.route_docs import ok, problem
from shared.platform.routing import route

router = APIGatewayRouter()

TAG = "Data exchange 数据交换"
MAX_AGE_S = 300
"""Schemas change only with a deployment; five minutes keeps a new version visible soon."""
_CACHED = {"Cache-Control": f"public, max-age={MAX_AGE_S}"}

SchemaName = Annotated[str, Path(pattern=r"^[a-z_]+\.[a-z_]+$", max_length=80)]
SchemaVersion = Annotated[int, Path(ge=1, le=999)]


def summaries() -> list[SchemaSummary]:
    schemas = published()
    latest: dict[str, int] = {}
    for name, version in schemas:
        latest[name] = max(version, latest.get(name, 0))
    return [
        SchemaSummary(
            name=name,
            version=version,
            kind=schema["x-jszw-kind"],
            meaning=schema.get("description", ""),
            current=latest[name] == version,
            path=schema["$id"],
        )
        for (name, version), schema in schemas.items()
    ]


@route(
    router,
    "GET",
    "/v1/schemas",
    summary="Published schemas (数据格式目录)",
    description="Every domain event and partner message with each version still accepted. Cacheable.",
    tags=[TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: ok("The schemas")},
)
def list_schemas() -> Response[SchemaList]:
    return Response(
        status_code=200, content_type="application/json", body=SchemaList(items=summaries()), headers=_CACHED
    )


@route(
    router,
    "GET",
    "/v1/schemas/<name>/<version>",
    summary="One schema version (JSON Schema 2020-12)",
    description="The JSON Schema of an event's envelope (with `type`, `version` and `data` fixed) or of a "
    "partner message. Cacheable.",
    tags=[TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: ok("The JSON Schema"), 404: problem("No such schema (exchange.schema_not_found)")},
)
def get_schema(name: SchemaName, version: SchemaVersion) -> Response[str]:
    schema = published().get((name, version))
    if schema is None:
        raise NotFound(SCHEMA_NOT_FOUND)
    # serialised here: the resolver encodes only application/json bodies itself
    body = json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    return Response(status_code=200, content_type="application/schema+json", body=body, headers=_CACHED)
