"""CloudFormation intrinsic functions, conditions and parameters, resolved locally.

The local cloud has no CloudFormation, so it evaluates the template itself:
`Ref`, `Fn::GetAtt`, `Fn::Sub` (both forms), `Fn::If` and the condition
functions, `Fn::Join/Select/Split/FindInMap/Base64/GetAZs/ToJsonString/Length`
and `AWS::NoValue`. Resource references are answered by callbacks so that the
resource builder can create what is referenced on demand (dependencies first,
as CloudFormation does).
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final


class TemplateError(Exception):
    """The template asks for something the local cloud cannot resolve."""


class _NoValue:
    """`AWS::NoValue`: the property or list item is removed."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Final = _NoValue()

PSEUDO_PARAMETERS: Final = frozenset(
    {
        "AWS::Region",
        "AWS::AccountId",
        "AWS::Partition",
        "AWS::URLSuffix",
        "AWS::StackName",
        "AWS::StackId",
        "AWS::NoValue",
        "AWS::NotificationARNs",
    }
)

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_PARTITION_URL_SUFFIX: Final = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn"}


def partition_for(region: str) -> str:
    """The partition of a region (China regions use `aws-cn`)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class Pseudo:
    """Values of the pseudo parameters for one local stack."""

    region: str = "cn-north-1"
    account_id: str = "123456789012"
    stack_name: str = "jszw-local"

    @property
    def partition(self) -> str:
        return partition_for(self.region)

    @property
    def url_suffix(self) -> str:
        return _PARTITION_URL_SUFFIX.get(self.partition, "amazonaws.com")

    @property
    def stack_id(self) -> str:
        return (
            f"arn:{self.partition}:cloudformation:{self.region}:{self.account_id}:"
            f"stack/{self.stack_name}/00000000-0000-0000-0000-000000000000"
        )

    def value(self, name: str) -> Any:
        values: dict[str, Any] = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::NoValue": NO_VALUE,
            "AWS::NotificationARNs": [],
        }
        return values[name]


def resolve_parameters(declared: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter values: override, else default; checked against AllowedValues/AllowedPattern."""
    unknown = set(overrides) - set(declared)
    if unknown:
        raise TemplateError(f"parameter overrides name unknown parameters: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        spec = spec or {}
        if name in overrides:
            raw: Any = overrides[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            raise TemplateError(f"parameter {name} has no default; pass it in parameters")
        ptype = str(spec.get("Type", "String"))
        if ptype.startswith("AWS::SSM::Parameter::Value"):
            raise TemplateError(f"parameter {name}: SSM parameter types are not resolved locally; override it")
        text = ",".join(str(v) for v in raw) if isinstance(raw, list) else str(raw)
        allowed = spec.get("AllowedValues")
        if allowed is not None and text not in [str(v) for v in allowed]:
            raise TemplateError(f"parameter {name}={text!r} is not one of {allowed}")
        pattern = spec.get("AllowedPattern")
        if pattern and not re.fullmatch(str(pattern), text):
            raise TemplateError(f"parameter {name}={text!r} does not match {pattern}")
        if ptype == "CommaDelimitedList" or ptype.startswith("List<"):
            values[name] = [part.strip() for part in text.split(",")] if text else []
        else:
            values[name] = text
    return values


RefCallback = Callable[[str], Any]
GetAttCallback = Callable[[str, str], Any]


class Resolver:
    """Evaluates intrinsics against parameters, conditions and resource callbacks."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, Any],
        pseudo: Pseudo,
        ref: RefCallback,
        get_att: GetAttCallback,
    ) -> None:
        self._conditions_src: Mapping[str, Any] = template.get("Conditions") or {}
        self._mappings: Mapping[str, Any] = template.get("Mappings") or {}
        self._resources: Mapping[str, Any] = template.get("Resources") or {}
        self.parameters = dict(parameters)
        self.pseudo = pseudo
        self._ref = ref
        self._get_att = get_att
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    # --- conditions -------------------------------------------------------------

    def condition(self, name: str) -> bool:
        """The value of a named condition (each evaluated once)."""
        if name in self._conditions:
            return self._conditions[name]
        if name not in self._conditions_src:
            raise TemplateError(f"unknown condition {name}")
        if name in self._evaluating:
            raise TemplateError(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            value = self._truth(self._conditions_src[name])
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    def _truth(self, node: Any) -> bool:
        if isinstance(node, bool):
            return node
        if isinstance(node, str) and node.lower() in ("true", "false"):
            return node.lower() == "true"
        if not isinstance(node, dict) or len(node) != 1:
            raise TemplateError(f"not a condition: {node!r}")
        ((key, arg),) = node.items()
        if key == "Condition":
            return self.condition(str(arg))
        if key == "Fn::Equals":
            left, right = (self.resolve(x) for x in _args(key, arg, 2))
            return _scalar_text(left) == _scalar_text(right)
        if key == "Fn::Not":
            (inner,) = _args(key, arg, 1)
            return not self._truth(inner)
        if key == "Fn::And":
            return all(self._truth(x) for x in _list(key, arg))
        if key == "Fn::Or":
            return any(self._truth(x) for x in _list(key, arg))
        raise TemplateError(f"unsupported condition function {key}")

    # --- values -----------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        """`node` with every intrinsic evaluated; `NO_VALUE` entries are dropped."""
        if isinstance(node, list):
            items = [self.resolve(item) for item in node]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" or key.startswith("Fn::"):
                return self._function(key, arg)
        out: dict[str, Any] = {}
        for key, value in node.items():
            resolved = self.resolve(value)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out

    def _function(self, key: str, arg: Any) -> Any:
        handler = getattr(self, "_fn_" + key.removeprefix("Fn::").lower(), None) if key != "Ref" else self._fn_ref
        if handler is None:
            raise TemplateError(f"unsupported intrinsic function {key}")
        return handler(arg)

    def _fn_ref(self, arg: Any) -> Any:
        name = str(self.resolve(arg))
        if name in self.parameters:
            return self.parameters[name]
        if name in PSEUDO_PARAMETERS:
            return self.pseudo.value(name)
        return self._ref(name)

    def _fn_getatt(self, arg: Any) -> Any:
        if isinstance(arg, str):
            logical_id, _, attribute = arg.partition(".")
        else:
            logical_id, attribute = (str(self.resolve(x)) for x in _args("Fn::GetAtt", arg, 2))
        if not attribute:
            raise TemplateError(f"Fn::GetAtt needs Resource.Attribute, got {arg!r}")
        return self._get_att(logical_id, attribute)

    def _fn_sub(self, arg: Any) -> str:
        variables: dict[str, Any] = {}
        if isinstance(arg, str):
            text = arg
        else:
            text_node, var_node = _args("Fn::Sub", arg, 2)
            text = str(self.resolve(text_node))
            variables = self.resolve(var_node) or {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            name = name.strip()
            if name in variables:
                return _scalar_text(variables[name])
            if name in self.parameters or name in PSEUDO_PARAMETERS:
                return _scalar_text(self._fn_ref(name))
            if "." in name:
                logical_id, _, attribute = name.partition(".")
                return _scalar_text(self._get_att(logical_id, attribute))
            return _scalar_text(self._ref(name))

        return _SUB_VAR.sub(replace, text)

    def _fn_if(self, arg: Any) -> Any:
        name, when_true, when_false = _args("Fn::If", arg, 3)
        return self.resolve(when_true if self.condition(str(name)) else when_false)

    def _fn_equals(self, arg: Any) -> bool:
        return self._truth({"Fn::Equals": arg})

    def _fn_not(self, arg: Any) -> bool:
        return self._truth({"Fn::Not": arg})

    def _fn_and(self, arg: Any) -> bool:
        return self._truth({"Fn::And": arg})

    def _fn_or(self, arg: Any) -> bool:
        return self._truth({"Fn::Or": arg})

    def _fn_join(self, arg: Any) -> str:
        delimiter, items = _args("Fn::Join", arg, 2)
        values = self.resolve(items)
        if not isinstance(values, list):
            raise TemplateError(f"Fn::Join needs a list, got {values!r}")
        return str(delimiter).join(_scalar_text(v) for v in values)

    def _fn_select(self, arg: Any) -> Any:
        index, items = _args("Fn::Select", arg, 2)
        values = self.resolve(items)
        position = int(self.resolve(index))
        if not isinstance(values, list) or not 0 <= position < len(values):
            raise TemplateError(f"Fn::Select index {position} out of range for {values!r}")
        return values[position]

    def _fn_split(self, arg: Any) -> list[str]:
        delimiter, text = _args("Fn::Split", arg, 2)
        return str(self.resolve(text)).split(str(delimiter))

    def _fn_base64(self, arg: Any) -> str:
        return base64.b64encode(str(self.resolve(arg)).encode()).decode()

    def _fn_getazs(self, arg: Any) -> list[str]:
        region = str(self.resolve(arg) or self.pseudo.region)
        return [f"{region}a", f"{region}b"]

    def _fn_findinmap(self, arg: Any) -> Any:
        names = [str(self.resolve(x)) for x in _list("Fn::FindInMap", arg)[:3]]
        try:
            return self._mappings[names[0]][names[1]][names[2]]
        except (KeyError, IndexError, TypeError) as exc:
            raise TemplateError(f"Fn::FindInMap {names} not found") from exc

    def _fn_tojsonstring(self, arg: Any) -> str:
        return json.dumps(self.resolve(arg), separators=(",", ":"))

    def _fn_length(self, arg: Any) -> int:
        values = self.resolve(arg)
        if not isinstance(values, list):
            raise TemplateError("Fn::Length needs a list")
        return len(values)

    def _fn_importvalue(self, arg: Any) -> Any:
        raise TemplateError(f"Fn::ImportValue {arg!r}: other stacks do not exist locally")


def _args(key: str, arg: Any, count: int) -> list[Any]:
    if not isinstance(arg, list) or len(arg) != count:
        raise TemplateError(f"{key} takes {count} arguments, got {arg!r}")
    return arg


def _list(key: str, arg: Any) -> list[Any]:
    if not isinstance(arg, list):
        raise TemplateError(f"{key} takes a list, got {arg!r}")
    return arg


def _scalar_text(value: Any) -> str:
    """How CloudFormation renders a scalar inside a string (booleans lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_scalar_text(v) for v in value)
    if value is NO_VALUE:
        raise TemplateError("AWS::NoValue cannot be used inside a string")
    return str(value)


def references(node: Any) -> set[str]:
    """Logical ids that `node` refers to (Ref, GetAtt, Sub), parameters included."""
    found: set[str] = set()
    _collect(node, found)
    return found - PSEUDO_PARAMETERS


def _collect(node: Any, found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, found)
        return
    if not isinstance(node, dict):
        return
    for key, arg in node.items():
        if key == "Ref" and isinstance(arg, str):
            found.add(arg)
        elif key == "Fn::GetAtt":
            if isinstance(arg, str):
                found.add(arg.partition(".")[0])
            elif isinstance(arg, list) and arg and isinstance(arg[0], str):
                found.add(arg[0])
        elif key == "Fn::Sub":
            text = arg if isinstance(arg, str) else (arg[0] if isinstance(arg, list) and arg else "")
            local = set(arg[1]) if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict) else set()
            for name in _sub_names(text if isinstance(text, str) else ""):
                if name not in local:
                    found.add(name.partition(".")[0])
            if isinstance(arg, list):
                _collect(arg[1:], found)
        else:
            _collect(arg, found)


def _sub_names(text: str) -> Iterable[str]:
    for match in _SUB_VAR.finditer(text):
        name = match.group(1).strip()
        if not name.startswith("!"):
            yield name


def strip_quotes(value: Any) -> str:
    """API Gateway header values in SAM are quoted (`"'*'"`); the quotes are syntax."""
    text = _scalar_text(value).strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    return text


def env_text(value: Any) -> str:
    """An environment variable value as Lambda would see it."""
    return _scalar_text(value)


# --- AWS::LanguageExtensions ------------------------------------------------------

LANGUAGE_EXTENSIONS: Final = "AWS::LanguageExtensions"
_FOR_EACH = re.compile(r"^Fn::ForEach::[A-Za-z0-9]+$")


def expand_language_extensions(template: Mapping[str, Any]) -> dict[str, Any]:
    """The template as CloudFormation hands it on after `AWS::LanguageExtensions`:
    `Fn::ForEach` loops unrolled (`${Id}` and `&{Id}` in keys and `Fn::Sub`
    text, `Ref: Id`), `Fn::FindInMap` with literal keys (and `DefaultValue`)
    looked up, and the transform removed from `Transform`. Mappings that only
    the expansion read are dropped (nothing refers to them any more). A
    template without the transform is returned unchanged (a copy)."""
    declared = template.get("Transform")
    transforms = declared if isinstance(declared, list) else [declared] if declared else []
    if LANGUAGE_EXTENSIONS not in transforms:
        return copy.deepcopy(dict(template))
    expander = _Expander(template.get("Mappings") or {}, template.get("Parameters") or {})
    out: dict[str, Any] = expander.walk(template, {})
    still_used = _mapping_names(out)
    mappings = {k: v for k, v in (out.get("Mappings") or {}).items() if k in still_used}
    if mappings:
        out["Mappings"] = mappings
    else:
        out.pop("Mappings", None)
    rest = [t for t in transforms if t != LANGUAGE_EXTENSIONS]
    if rest:
        out["Transform"] = rest[0] if len(rest) == 1 else rest
    else:
        out.pop("Transform", None)
    return out


class _Expander:
    def __init__(self, mappings: Mapping[str, Any], parameters: Mapping[str, Any]) -> None:
        self._mappings = mappings
        self._parameters = parameters

    def walk(self, node: Any, ids: Mapping[str, str]) -> Any:
        if isinstance(node, list):
            return [self.walk(item, ids) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" and isinstance(arg, str) and arg in ids:
                return ids[arg]
            if key == "Fn::Sub":
                return self._sub(arg, ids)
            if key == "Fn::FindInMap":
                return self._find_in_map(arg, ids)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if _FOR_EACH.match(key):
                for name, fragment in self._for_each(key, value, ids):
                    if name in out or name in node:
                        raise TemplateError(f"{key} makes {name}, which already exists")
                    out[name] = fragment
            else:
                out[_substitute(key, ids)] = self.walk(value, ids)
        return out

    def _for_each(self, key: str, value: Any, ids: Mapping[str, str]) -> Iterable[tuple[str, Any]]:
        if not isinstance(value, list) or len(value) != 3 or not isinstance(value[2], dict):
            raise TemplateError(f"{key} takes [Identifier, Collection, {{OutputKey: OutputValue}}]")
        identifier, collection, output = value
        if not isinstance(identifier, str) or identifier in ids:
            raise TemplateError(f"{key}: identifier {identifier!r} must be a new name")
        items = self.walk(collection, ids)
        if isinstance(items, dict) and isinstance(items.get("Ref"), str):
            default = (self._parameters.get(items["Ref"]) or {}).get("Default")
            items = [part.strip() for part in str(default).split(",")] if default is not None else items
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise TemplateError(f"{key}: the collection must be a list of strings, got {items!r}")
        for item in items:
            inner = {**ids, identifier: item}
            for out_key, out_value in output.items():
                if _FOR_EACH.match(out_key):
                    yield from self._for_each(out_key, out_value, inner)
                    continue
                name = _substitute(out_key, inner)
                if name == out_key:
                    raise TemplateError(f"{key}: output key {out_key} does not use ${{{identifier}}}")
                yield name, self.walk(out_value, inner)

    def _sub(self, arg: Any, ids: Mapping[str, str]) -> Any:
        if isinstance(arg, str):
            text = _substitute(arg, ids)
            return text if ids and not _SUB_VAR.search(text) else {"Fn::Sub": text}
        if isinstance(arg, list) and len(arg) == 2:
            return {"Fn::Sub": [_substitute(str(arg[0]), ids), self.walk(arg[1], ids)]}
        return {"Fn::Sub": self.walk(arg, ids)}

    def _find_in_map(self, arg: Any, ids: Mapping[str, str]) -> Any:
        walked = self.walk(arg, ids)
        if not isinstance(walked, list) or len(walked) not in (3, 4):
            raise TemplateError(f"Fn::FindInMap takes 3 keys and an optional DefaultValue, got {arg!r}")
        keys = walked[:3]
        if not all(isinstance(k, str) for k in keys):
            return {"Fn::FindInMap": walked}  # a key CloudFormation resolves at deploy time
        found = (self._mappings.get(keys[0]) or {}).get(keys[1], {}).get(keys[2])
        if found is not None:
            return found
        if len(walked) == 4 and isinstance(walked[3], dict) and "DefaultValue" in walked[3]:
            return walked[3]["DefaultValue"]
        raise TemplateError(f"Fn::FindInMap {keys} not found")


def _mapping_names(node: Any) -> set[str]:
    """Names of the mappings that `Fn::FindInMap` calls in `node` read."""
    if isinstance(node, list):
        return set().union(*(_mapping_names(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found: set[str] = set()
    for key, value in node.items():
        if key == "Fn::FindInMap" and isinstance(value, list) and value and isinstance(value[0], str):
            found.add(value[0])
        found |= _mapping_names(value)
    return found


def _substitute(text: str, ids: Mapping[str, str]) -> str:
    """`${Id}` becomes the loop value and `&{Id}` the value without non-alphanumerics."""
    for name, value in ids.items():
        text = text.replace("${" + name + "}", value)
        text = text.replace("&{" + name + "}", re.sub(r"[^0-9A-Za-z]", "", value))
    return text
