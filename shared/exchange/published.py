"""What the schema registry serves: the generated registry file shipped with the
code (`shared/exchange/schemas.json`, written by `make openapi` beside
docs/schemas.json; a contract test fails when it is stale).

Serving the file instead of building the schemas from the models keeps every
context's events module out of the exchange function's cold start (D-261): the
models would have to be imported to be registered, and each schema built on a
request anyway."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("schemas.json")


@cache
def published() -> dict[tuple[str, int], dict[str, Any]]:
    """Every published JSON Schema by (name, version), read once per container."""
    registry = json.loads(PATH.read_text(encoding="utf-8"))
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for key, schema in registry["schemas"].items():
        name, _, version = key.rpartition("/")
        found[(name, int(version))] = schema
    return found
