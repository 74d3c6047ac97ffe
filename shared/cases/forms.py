"""Application form checks against the item's JSON Schema (申请表校验).

fastjsonschema stops at the first problem, but an applicant needs every
problem at once, one per field. So each top-level field is checked against
its own sub-schema (with the root's `$defs` in reach), unknown fields are
refused when the form forbids them, and required fields are checked by name;
only when all that passes is the whole document checked, which catches the
cross-field rules (`if`/`then`, `dependentRequired`, ...). ID numbers and USCCs
are checked with the national validators through the formats `cn-resident-id`
and `cn-uscc` (`shared.codes.national.FORM_FORMATS`), not by pattern.

`partial=True` is for saving a draft: fields may still be missing, but every
field given must be valid. Pre-review checks the complete form.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from shared.cases.errors import FIELD_FORM_VALUE, FIELD_UNKNOWN_FORM_FIELD
from shared.codes.national import FORM_FORMATS
from shared.platform.errors import FieldError

if TYPE_CHECKING:  # imported where forms are checked: kept out of the cold start
    import fastjsonschema

_Validator = Callable[[Any], Any]
_REFERENCE_KEYS = ("$defs", "definitions")


def _refuse_remote(uri: str) -> Any:
    raise ValueError(f"remote reference not allowed: {uri}")


_NO_REMOTE = {scheme: _refuse_remote for scheme in ("http", "https", "file", "ftp", "data", "urn")}


@lru_cache(maxsize=256)
def _compiled(schema_json: str) -> _Validator:
    # the catalogue only publishes schemas without remote references (form_schema_problem)
    import fastjsonschema

    return fastjsonschema.compile(
        json.loads(schema_json), handlers=_NO_REMOTE, formats=dict(FORM_FORMATS), use_default=False
    )


def _validator(schema: Mapping[str, Any]) -> _Validator:
    return _compiled(json.dumps(schema, sort_keys=True, ensure_ascii=False))


def _field_schema(root: Mapping[str, Any], sub: Any) -> dict[str, Any]:
    schema: dict[str, Any] = dict(sub) if isinstance(sub, Mapping) else {}
    for key in (*_REFERENCE_KEYS, "$schema"):
        if key in root:
            schema.setdefault(key, root[key])
    return schema


def _reason(exc: fastjsonschema.JsonSchemaValueException) -> str:
    # "data.x must be ..." -> "must be ..."; the field is named separately
    text = str(exc.message or "invalid")
    return text.split(" ", 1)[1] if text.startswith("data") and " " in text else text


def _path(exc: fastjsonschema.JsonSchemaValueException, prefix: str) -> str:
    name = str(exc.name or "data")
    inner = name[len("data") :].lstrip(".") if name.startswith("data") else name
    inner = inner.replace("[", ".").replace("]", "")
    return f"{prefix}.{inner}" if inner else prefix


def form_errors(schema: Mapping[str, Any], form: Mapping[str, Any], *, partial: bool) -> list[FieldError]:
    """Every problem of `form`, one `FieldError` per field (`form.<name>`)."""
    import fastjsonschema

    errors: list[FieldError] = []
    properties: Mapping[str, Any] = schema.get("properties") or {}
    closed = schema.get("additionalProperties") is False
    for name, value in form.items():
        where = f"form.{name}"
        if name not in properties:
            if closed:
                errors.append(FieldError(field=where, code=FIELD_UNKNOWN_FORM_FIELD))
            continue
        try:
            _validator(_field_schema(schema, properties[name]))(value)
        except fastjsonschema.JsonSchemaValueException as exc:
            errors.append(FieldError(field=_path(exc, where), code=FIELD_FORM_VALUE, params={"reason": _reason(exc)}))
    if partial or errors:
        return errors
    for name in schema.get("required") or []:
        if name not in form:
            errors.append(FieldError(field=f"form.{name}", code="field.required"))
    if errors:
        return errors
    try:
        _validator(schema)(dict(form))
    except fastjsonschema.JsonSchemaValueException as exc:
        errors.append(FieldError(field=_path(exc, "form"), code=FIELD_FORM_VALUE, params={"reason": _reason(exc)}))
    return errors


def field_title(schema: Mapping[str, Any], field_path: str) -> str:
    """The human title of a form field (`form.applicant_name` -> 申请人姓名), for notices."""
    name = field_path.removeprefix("form.").split(".", 1)[0]
    sub = (schema.get("properties") or {}).get(name)
    title = sub.get("title") if isinstance(sub, Mapping) else None
    return str(title) if title else name
