"""Event source FilterCriteria, evaluated locally as Lambda does before batching.

Lambda filters with EventBridge-style content patterns. Supported here:
exact values (strings, numbers, booleans, null), nested objects, `prefix`,
`suffix`, `equals-ignore-case`, `exists`, `anything-but` (values, or a
`prefix`/`suffix` rule), `numeric` comparisons and `$or`. Not supported:
`cidr` and `wildcard` (a pattern using them raises FilterError at start-up,
so the gap is visible instead of silently matching nothing).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

_MISSING = object()


class FilterError(ValueError):
    """A filter pattern the local cloud cannot evaluate."""


def parse_filters(criteria: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The patterns of a `FilterCriteria` block (JSON strings or objects)."""
    patterns = []
    for entry in (criteria or {}).get("Filters") or []:
        raw = entry.get("Pattern")
        pattern = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(pattern, dict):
            raise FilterError(f"filter pattern must be an object: {raw!r}")
        _validate(pattern)
        patterns.append(pattern)
    return patterns


def matches_any(patterns: list[dict[str, Any]], document: Mapping[str, Any]) -> bool:
    """True when no filters are set, or when any pattern matches (filters are OR-ed)."""
    return not patterns or any(matches(p, document) for p in patterns)


def matches(pattern: Mapping[str, Any], document: Any) -> bool:
    """Whether `document` satisfies every field of `pattern`."""
    for key, rule in pattern.items():
        if key == "$or":
            if not any(matches(alternative, document) for alternative in rule):
                return False
            continue
        value = document.get(key, _MISSING) if isinstance(document, Mapping) else _MISSING
        if isinstance(rule, dict):
            # a missing parent behaves as an empty object, so nested `exists: false` holds
            if not matches(rule, value if isinstance(value, Mapping) else {}):
                return False
        elif isinstance(rule, list):
            if not _field_matches(rule, value):
                return False
        else:
            raise FilterError(f"pattern values must be lists or objects: {key}={rule!r}")
    return True


def _field_matches(rules: list[Any], value: Any) -> bool:
    # An array in the event matches when any element matches.
    candidates = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, dict) and "exists" in rule:
            if bool(rule["exists"]) == (value is not _MISSING):
                return True
            continue
        if any(_rule_matches(rule, v) for v in candidates if v is not _MISSING):
            return True
    return False


def _rule_matches(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return _equal(rule, value)
    ((kind, arg),) = rule.items()
    if kind == "prefix":
        return isinstance(value, str) and _text_rule(arg, value, str.startswith)
    if kind == "suffix":
        return isinstance(value, str) and _text_rule(arg, value, str.endswith)
    if kind == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(arg).lower()
    if kind == "anything-but":
        if isinstance(arg, dict):
            return not _rule_matches(arg, value)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_equal(x, value) for x in excluded)
    if kind == "numeric":
        return _numeric(arg, value)
    raise FilterError(f"unsupported filter rule {kind}")


def _text_rule(arg: Any, value: str, test: Any) -> bool:
    if isinstance(arg, dict) and "equals-ignore-case" in arg:
        return bool(test(value.lower(), str(arg["equals-ignore-case"]).lower()))
    return bool(test(value, str(arg)))


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    return bool(expected == value)


def _numeric(arg: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    checks = {
        "=": lambda a, b: a == b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    for index in range(0, len(arg), 2):
        op, bound = arg[index], arg[index + 1]
        if op not in checks:
            raise FilterError(f"unsupported numeric operator {op}")
        if not checks[op](float(value), float(bound)):
            return False
    return True


def _validate(pattern: Mapping[str, Any]) -> None:
    """Reject rules we cannot evaluate, once, at start-up."""
    for key, rule in pattern.items():
        if key == "$or":
            for alternative in rule:
                _validate(alternative)
        elif isinstance(rule, dict):
            _validate(rule)
        elif isinstance(rule, list):
            for item in rule:
                if isinstance(item, dict):
                    (kind,) = item.keys() if len(item) == 1 else (None,)
                    if kind not in {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists"}:
                        raise FilterError(f"unsupported filter rule {item!r}")
        else:
            raise FilterError(f"pattern values must be lists or objects: {key}={rule!r}")


def sqs_filter_document(record: Mapping[str, Any]) -> dict[str, Any]:
    """An SQS record as filters see it: a JSON body is matched as an object."""
    document = dict(record)
    with contextlib.suppress(ValueError):
        document["body"] = json.loads(record.get("body") or "")
    return document
