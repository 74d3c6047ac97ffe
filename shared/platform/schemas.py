"""The schema registry: a versioned JSON Schema for every domain event and every
partner message (issue 19, D-235).

One mechanism: each schema is generated from the pydantic model the code
already validates or produces with — `register_event_type` (domain events, in
each context's events.py) and `register_partner_message` (what a partner sends
us or we send it, registered beside the model). Nothing is written by hand, so
a schema cannot drift from the code.

Naming and versions: a schema is `(name, version)`; an event's name is its
type (`case.submitted`), a partner message's `<partner kind>.<message>`
(`department_system.decided`). A breaking change (a field removed, renamed,
retyped or newly required) registers the new model under the next version and
keeps the old one registered during the transition: producers write the highest
version (`current_version`), consumers accept every registered one, and the old
version is dropped only when no producer or partner still sends it. The
envelope's `version` (events) or the message's `schema_version` says which
schema an instance follows.

Served at `GET /v1/schemas` (list) and `GET /v1/schemas/{name}/{version}`
(the exchange context's routes) and written to docs/schemas.json by
`make openapi`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import BaseModel

from shared.platform.events import Envelope, registered_event_types, registered_event_versions

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_PATH = "/v1/schemas"

Kind = Literal["event", "partner_message"]

# (name, version) -> (model, meaning)
_PARTNER_MESSAGES: dict[tuple[str, int], tuple[type[BaseModel], str]] = {}


def register_partner_message(name: str, model: type[BaseModel], meaning: str, *, version: int = 1) -> None:
    """Declare a message a partner sends us or we send it, with its model (see the module docstring)."""
    known = _PARTNER_MESSAGES.get((name, version))
    if known is not None and known[0] is not model:
        raise ValueError(f"partner message {name} version {version} registered twice")
    _PARTNER_MESSAGES[(name, version)] = (model, meaning)


class SchemaEntry(NamedTuple):  # not a frozen dataclass: cheaper to create at cold start (D-337)
    name: str
    version: int
    kind: Kind
    meaning: str
    model: type[BaseModel]

    @property
    def path(self) -> str:
        return f"{BASE_PATH}/{self.name}/{self.version}"


def catalogue() -> dict[tuple[str, int], SchemaEntry]:
    """Every registered schema, by (name, version)."""
    meanings = {name: meaning for name, (_, meaning) in registered_event_types().items()}
    entries = {
        key: SchemaEntry(key[0], key[1], "event", meanings.get(key[0], ""), model)
        for key, model in registered_event_versions().items()
    }
    for key, (model, meaning) in _PARTNER_MESSAGES.items():
        if key in entries:
            raise ValueError(f"{key[0]} is both an event type and a partner message")
        entries[key] = SchemaEntry(key[0], key[1], "partner_message", meaning, model)
    return dict(sorted(entries.items()))


def versions_of(name: str) -> list[int]:
    return sorted(v for (n, v) in catalogue() if n == name)


def _hoisted(
    model: type[BaseModel], mode: Literal["validation", "serialization"]
) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = model.model_json_schema(mode=mode)
    definitions = schema.pop("$defs", {})
    return schema, definitions


def document(entry: SchemaEntry) -> dict[str, Any]:
    """The JSON Schema of one entry. An event's covers the whole envelope, with
    `type` and `version` fixed and `data` the model's schema (as produced:
    serialization mode); a partner message's is its model as we read it
    (validation mode)."""
    head = {
        "$schema": DIALECT,
        "$id": entry.path,
        "title": f"{entry.name} v{entry.version}",
        "description": entry.meaning,
        "x-jszw-kind": entry.kind,
    }
    if entry.kind == "partner_message":
        schema, definitions = _hoisted(entry.model, "validation")
        schema.pop("title", None)
        return {**head, **schema, **({"$defs": definitions} if definitions else {})}
    data, definitions = _hoisted(entry.model, "serialization")
    envelope, _ = _hoisted(Envelope, "serialization")
    properties = {
        **envelope["properties"],
        "type": {"const": entry.name},
        "version": {"const": entry.version},
        "data": data,
    }
    # the optional envelope fields: events written before `client` existed (D-273) stay valid
    required = [name for name in properties if name not in {"correlation_id", "client"}]
    return {
        **head,
        "type": "object",
        "properties": properties,
        "required": required,
        **({"$defs": definitions} if definitions else {}),
    }


@cache
def _validator(name: str, version: int) -> Draft202012Validator | None:
    # jsonschema (~50 ms) only when a message is validated: every events module imports this one
    from jsonschema import Draft202012Validator

    entry = catalogue().get((name, version))
    return Draft202012Validator(document(entry)) if entry is not None else None


def problems(name: str, version: int, instance: Any) -> list[str]:
    """Why `instance` does not follow schema (name, version); empty when it does."""
    validator = _validator(name, version)
    if validator is None:
        return [f"no schema {name} v{version} (registered: {versions_of(name) or 'none'})"]
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(instance)]


def envelope_problems(envelope: Mapping[str, Any]) -> list[str]:
    """Why a published event (the envelope as JSON) does not follow its type's schema."""
    return problems(str(envelope.get("type")), int(envelope.get("version") or 1), envelope)


def clear_cache() -> None:
    """Forget built validators (a test that registers a schema after one was built)."""
    _validator.cache_clear()
