"""Strict JSON for request bodies: what the platform accepts before any model sees it.

`json.loads` alone lets hostile bodies through to places that fail with a 500:
bytes that are not UTF-8 (a base64 body from the gateway), nesting deep enough
for a RecursionError, integers past Python's 4,300-digit parsing limit (or
merely past what DynamoDB and int64 hold), `NaN`/`Infinity`, lone surrogates
(`"\\ud800"` decodes fine but cannot be encoded for DynamoDB) and control or
bidirectional-override characters in text. `parse_body` refuses each with a
stable error code; the HTTP layer (shared.platform.http) turns it into a
problem+json answer.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any

from shared.platform.errors import BadRequest, FieldError, ValidationFailed, register_messages

MAX_DEPTH = 32
"""Deepest nesting of arrays/objects accepted; the platform's forms are a few levels deep."""

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_MAX_NUMBER_CHARS = 40  # a float literal longer than this carries no real-world value

# C0 controls except tab, line feed and carriage return; DEL and the C1 block;
# the bidirectional embeddings/overrides and isolates (Trojan-source spoofing).
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")

register_messages(
    {
        "body_not_utf8": ("请求体不是合法的 UTF-8 编码", "The request body is not valid UTF-8"),
        "body_too_deep": (
            "请求体嵌套层级过深（上限 {limit} 层）",
            "The request body is nested too deeply (limit {limit} levels)",
        ),
        "number_out_of_range": (
            "请求体中的数值超出允许范围（整数须在 64 位有符号整数范围内）",
            "A number in the request body is out of range (integers must fit in a signed 64-bit integer)",
        ),
        "field.unpaired_surrogate": ("包含无效的 Unicode 字符", "Contains an invalid Unicode character"),
        "field.control_character": (
            "包含不允许的控制字符或文字方向控制符",
            "Contains a control or text-direction character that is not allowed",
        ),
    }
)


class _OutOfRange(ValueError):
    pass


def _parse_int(text: str) -> int:
    # Checked on the literal before int() runs, so a 5,000-digit number costs nothing.
    if len(text) > 20:
        raise _OutOfRange(text[:20])
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise _OutOfRange(text)
    return value


def _parse_float(text: str) -> float:
    value = float(text) if len(text) <= _MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise _OutOfRange(text[:20])
    return value


def _parse_constant(text: str) -> float:
    raise _OutOfRange(text)  # NaN, Infinity, -Infinity are not JSON


def decode_body(body: str, *, base64_encoded: bool) -> str:
    """The body as text; 400 `body_not_utf8` when its bytes are not UTF-8."""
    if not base64_encoded:
        return body
    try:
        return base64.b64decode(body.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError) as exc:
        raise BadRequest("body_not_utf8") from exc


def loads(text: str) -> Any:
    """`json.loads` that refuses deep nesting and out-of-range numbers (400s)."""
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except RecursionError as exc:
        raise BadRequest("body_too_deep", params={"limit": MAX_DEPTH}) from exc
    except _OutOfRange as exc:
        raise BadRequest("number_out_of_range") from exc
    except ValueError as exc:  # JSONDecodeError and any other malformation
        raise BadRequest("malformed_json") from exc
    _check_tree(value)
    return value


def _text_problem(text: str) -> str | None:
    if _SURROGATE.search(text):
        return "field.unpaired_surrogate"
    if _FORBIDDEN_TEXT.search(text):
        return "field.control_character"
    return None


def _check_tree(root: Any) -> None:
    """Depth and text checks in one iterative walk (no recursion to exhaust)."""
    errors: list[FieldError] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(root, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise BadRequest("body_too_deep", params={"limit": MAX_DEPTH})
        if isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                errors.append(FieldError(field=".".join(path) or "body", code=problem))
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = _text_problem(key)
                if problem:
                    # the key itself is the bad text: name where it sits, not the key
                    errors.append(FieldError(field=".".join(path) or "body", code=problem))
                    continue
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index))) for index, item in enumerate(value))
    if errors:
        errors.sort(key=lambda e: e.field)
        raise ValidationFailed(errors=errors[:20])


def parse_body(body: str, *, base64_encoded: bool = False) -> tuple[str, Any]:
    """The decoded text and its parsed value; raises an `AppError` (400/422) for a hostile body."""
    text = decode_body(body, base64_encoded=base64_encoded)
    return text, loads(text)


__all__ = ["INT64_MAX", "INT64_MIN", "MAX_DEPTH", "decode_body", "loads", "parse_body"]
