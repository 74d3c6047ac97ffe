"""Form fields bound to the verified identity (C15, `x-identity`, D-105).

The catalogue marks a form field with `x-identity` (shared.catalog.form_identity);
here the cases context honours it:

- the applicant's own part of the form is everything else: what is stored in
  `Case.form` and checked against the schema without the bound fields;
- the bound fields are shown prefilled from the case's `IdentitySnapshot`
  (ID number masked) and served `readOnly` in the case's `form_schema`;
- a bound field sent in a form update must be the verified value (or the
  masked value the API showed): anything else is refused naming the field,
  and nothing is written. The ID number is compared by the identity
  context's keyed hash, never unsealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.cases import ports
from shared.cases.errors import FIELD_IDENTITY_MISMATCH
from shared.cases.models import IdentitySnapshot
from shared.catalog import api as catalog  # the keyword's vocabulary is the catalogue's (lazy: no cold-start cost)
from shared.platform.errors import FieldError

SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "person.name": ("姓名", "name"),
    "person.id_number": ("公民身份号码", "ID number"),
    "enterprise.uscc": ("统一社会信用代码", "unified social credit code"),
    "enterprise.name": ("企业名称", "enterprise name"),
    "enterprise.legal_representative": ("法定代表人", "legal representative"),
}
# constraints that describe what a person types; a bound field is not typed
_TYPED_CONSTRAINTS = ("pattern", "minLength", "maxLength", "format", "enum", "const", "default", "examples")


def bound_fields(schema: Mapping[str, Any]) -> dict[str, str]:
    """field → binding (`person.name`, ...) of the form's identity-bound fields."""
    return catalog.identity_bindings(schema)


def verified_value(binding: str, identity: IdentitySnapshot | None) -> str | None:
    """What the field shows: the verified value (the ID number masked), or None when unknown."""
    if identity is None:
        return None
    return {
        "person.name": identity.person_name,
        "person.id_number": identity.id_number_masked,
        "enterprise.uscc": identity.uscc,
        "enterprise.name": identity.enterprise_name,
        "enterprise.legal_representative": identity.legal_representative,
    }.get(binding)


def known_bound(schema: Mapping[str, Any], identity: IdentitySnapshot | None) -> dict[str, str]:
    """The bound fields the verified identity can fill. A bound field it cannot fill (an
    enterprise field on a case filed by a person for no enterprise, e.g. a 个体户) stays an
    ordinary typed field, checked by the schema: what cannot be verified is asked."""
    return {name: b for name, b in bound_fields(schema).items() if verified_value(b, identity) is not None}


def applicant_schema(schema: Mapping[str, Any], identity: IdentitySnapshot | None) -> dict[str, Any]:
    """The schema of what the applicant types: the fields the identity fills left out."""
    bound = known_bound(schema, identity)
    if not bound:
        return dict(schema)
    properties = {k: v for k, v in (schema.get("properties") or {}).items() if k not in bound}
    required = [name for name in schema.get("required") or [] if name not in bound]
    return {**schema, "properties": properties, "required": required}


def applicant_part(
    schema: Mapping[str, Any], form: Mapping[str, Any], identity: IdentitySnapshot | None
) -> dict[str, Any]:
    """The form without the fields the identity fills (what is stored)."""
    bound = known_bound(schema, identity)
    return {name: value for name, value in form.items() if name not in bound}


def prefilled(schema: Mapping[str, Any], form: Mapping[str, Any], identity: IdentitySnapshot | None) -> dict[str, Any]:
    """The form as shown: the applicant's part and the bound fields from the identity."""
    shown = applicant_part(schema, form, identity)
    for name, binding in known_bound(schema, identity).items():
        shown[name] = verified_value(binding, identity)
    return shown


def served_schema(schema: Mapping[str, Any], identity: IdentitySnapshot | None) -> dict[str, Any]:
    """The schema served with a case: the fields the identity fills `readOnly`, without typing
    constraints (the masked ID number would not match a pattern meant for typing)."""
    bound = known_bound(schema, identity)
    if not bound:
        return dict(schema)
    properties = dict(schema.get("properties") or {})
    for name in bound:
        sub = {k: v for k, v in properties[name].items() if k not in _TYPED_CONSTRAINTS}
        properties[name] = {**sub, "readOnly": True}
    return {**schema, "properties": properties}


def _params(binding: str) -> dict[str, str]:
    zh, en = SOURCE_NAMES.get(binding, (binding, binding))
    return {"source": zh, "source_en": en}


def mismatches(
    schema: Mapping[str, Any], form: Mapping[str, Any], identity: IdentitySnapshot | None, subject_id: str
) -> list[FieldError]:
    """Bound fields sent with a value other than the verified one (the shown value is accepted)."""
    problems: list[FieldError] = []
    for name, binding in known_bound(schema, identity).items():
        if name not in form:
            continue
        sent = form[name]
        shown = verified_value(binding, identity) or ""
        if isinstance(sent, str) and _same(binding, shown, sent, subject_id):
            continue
        problems.append(FieldError(field=f"form.{name}", code=FIELD_IDENTITY_MISMATCH, params=_params(binding)))
    return problems


def _same(binding: str, shown: str, sent: str, subject_id: str) -> bool:
    if sent.strip() == shown:
        return True
    match binding:
        case "person.id_number":
            return ports.identity()().id_number_matches(subject_id, sent)
        case "person.name" | "enterprise.name" | "enterprise.legal_representative":
            return ports.identity()().same_name(shown, sent)
        case "enterprise.uscc":
            return sent.strip().upper() == shown
    return False


def snapshot(schema: Mapping[str, Any], subject_id: str, uscc: str | None) -> IdentitySnapshot | None:
    """The verified identity the form needs, asked of the identity context only when the
    form binds a field (None when it binds none)."""
    if not bound_fields(schema):
        return None
    verified = ports.identity()().identity(subject_id, uscc)
    if verified is None:
        return None
    return IdentitySnapshot(
        person_name=verified.person_name,
        id_number_masked=verified.id_number_masked,
        uscc=verified.uscc,
        enterprise_name=verified.enterprise_name,
        legal_representative=verified.legal_representative,
    )
