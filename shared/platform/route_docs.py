"""What every router declares the same way in the OpenAPI spec: success and
problem+json responses, the 401/403 pair, the paging and Idempotency-Key
parameters (api-conventions.md). One definition, so the spec cannot drift
between contexts."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from shared.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT

PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"
"""The platform's error body (problem+json), added to the spec by infra.openapi."""


def ok(description: str) -> OpenAPIResponse:
    """A success response; its schema is the route's return type."""
    return {"description": description}


def problem(description: str) -> OpenAPIResponse:
    """An error response with the problem+json body, naming the codes it may carry."""
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
    }


SIGNED_IN = {401: problem("No or invalid access token (unauthorized)")}
ROLE = {**SIGNED_IN, 403: problem("The caller's role may not do this (forbidden)")}

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT}, max {MAX_LIMIT}).")]
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+={0,2}$"
"""What `encode_cursor` produces (base64url); anything else could never be a cursor."""
Cursor = Annotated[
    str | None,
    Query(
        max_length=2048,
        pattern=CURSOR_PATTERN,
        description="Opaque `next_cursor` from the previous page of the same query.",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="Retries with the same key and body return the first result.",
    ),
]
