"""Form fields bound to the verified identity (C15: never ask for what can be verified).

An item's form schema marks a top-level string field with the keyword
`x-identity` to say its value is the signed-in person's, or the enterprise's
they act for, as the identity context verified it:

    "id_number": {"type": "string", "title": "公民身份号码", "x-identity": "person.id_number"}

- `person.name`: the person's real name (实名, checked against the population registry);
- `person.id_number`: their resident ID number (shown masked, never raw);
- `enterprise.uscc`, `enterprise.name`, `enterprise.legal_representative`: the
  enterprise registry's record of the enterprise an agent acts for.

The cases context prefills such fields, serves them read-only and refuses a
submitted value that differs. The catalogue refuses an unknown binding, or
one on anything but a top-level string field, when a draft is saved and when
it is published. JSON Schema validators ignore the keyword (an `x-`
annotation), so the schema stays a valid JSON Schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

IDENTITY_KEYWORD = "x-identity"
IDENTITY_BINDINGS: frozenset[str] = frozenset(
    {
        "person.name",
        "person.id_number",
        "enterprise.uscc",
        "enterprise.name",
        "enterprise.legal_representative",
    }
)


def identity_bindings(schema: Mapping[str, Any]) -> dict[str, str]:
    """field name → binding, for the top-level fields a form binds to the verified identity."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    return {
        name: str(sub[IDENTITY_KEYWORD])
        for name, sub in properties.items()
        if isinstance(sub, Mapping) and IDENTITY_KEYWORD in sub
    }


def identity_binding_problems(schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(where, why) for every misuse of `x-identity`: an unknown binding, one on a
    nested or non-string field, or two fields bound to the same fact."""
    problems: list[tuple[str, str]] = []
    properties = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    seen: dict[str, str] = {}
    for name, sub in (properties or {}).items():
        if not isinstance(sub, Mapping) or IDENTITY_KEYWORD not in sub:
            continue
        binding = sub[IDENTITY_KEYWORD]
        where = f"form_schema.properties.{name}"
        if binding not in IDENTITY_BINDINGS:
            problems.append((where, f"unknown binding {binding!r}"))
        elif sub.get("type") != "string":
            problems.append((where, "a bound field must be of type string"))
        elif binding in seen:
            problems.append((where, f"{binding} is already bound to {seen[binding]}"))
        else:
            seen[str(binding)] = str(name)
    # anywhere below the top level the keyword would be silently ignored by the cases context
    for key, value in schema.items():
        if key != "properties":
            problems.extend(_nested(value, f"form_schema.{key}"))
    for name, sub in (properties or {}).items():
        if isinstance(sub, Mapping):
            for key, value in sub.items():
                problems.extend(_nested(value, f"form_schema.properties.{name}.{key}"))
    return problems


def _nested(node: Any, where: str) -> list[tuple[str, str]]:
    if isinstance(node, Mapping):
        if IDENTITY_KEYWORD in node:
            return [(where, "x-identity is allowed on top-level fields only")]
        return [found for key, value in node.items() for found in _nested(value, f"{where}.{key}")]
    if isinstance(node, list):
        return [found for index, value in enumerate(node) for found in _nested(value, f"{where}.{index}")]
    return []
