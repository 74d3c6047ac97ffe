"""Reading template.yaml: the SAM source, and its CloudFormation transform.

The local cloud and the tests read the template through here so that there
is one parser (samtranslator's `yaml_parse`, which understands the intrinsic
tags) and one transform set-up.
"""

from __future__ import annotations

import copy
import os
from functools import cache
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

from infra.local.intrinsics import expand_language_extensions

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


@cache
def _parsed(path: Path) -> dict[str, Any]:
    return expand_language_extensions(yaml_parse(path.read_text(encoding="utf-8")))


def sam_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml as data, as CloudFormation hands it to the SAM transform:
    `AWS::LanguageExtensions` applied (`Fn::ForEach` unrolled). A fresh copy:
    callers may change it."""
    return copy.deepcopy(_parsed(path))


class _NoManagedPolicies:
    """The transform asks IAM for managed policy ARNs; we name none by short name."""

    def load(self) -> dict[str, str]:
        return {}


def cloudformation_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template after the SAM transform, with code locations replaced by
    placeholders as `sam package` would (the transform accepts only S3 URIs).
    A fresh copy of one transform per process (several contract tests read it)."""
    return copy.deepcopy(_transformed(path))


@cache
def _transformed(path: Path) -> dict[str, Any]:
    template = sam_template(path)
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://packaged-artifacts/{props[key].strip('/')}.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    return transform(template, {}, _NoManagedPolicies())


def function_environment(template: dict[str, Any], logical_id: str) -> dict[str, str]:
    """A function's environment variables (Globals included) as the deployed function
    would roughly see them, for importing its code outside the cloud (spec generation,
    cold-start checks): literals as they are, a parameter's default, the first branch of
    an `Fn::If` (the local stage), anything computed (a table's `!Ref`, an ARN) as a
    placeholder string."""
    parameters = template.get("Parameters", {})
    shared = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    own = template["Resources"][logical_id]["Properties"].get("Environment", {}).get("Variables", {})

    def value(name: str, raw: Any) -> str:
        if isinstance(raw, str):
            return raw
        if raw == {"Ref": "Stage"}:
            return "local"  # consistent with the `Fn::If` branches taken below (local-stage URLs)
        if isinstance(raw, dict) and "Default" in parameters.get(raw.get("Ref", ""), {}):
            return str(parameters[raw["Ref"]]["Default"])
        if isinstance(raw, dict) and "Fn::If" in raw and isinstance(raw["Fn::If"][1], str):
            return str(raw["Fn::If"][1])
        return f"placeholder-{name.lower()}"

    return {name: value(name, raw) for name, raw in {**shared, **own}.items()}


def import_function(logical_id: str) -> Any:
    """`functions/<name>/app.py` of a function, imported as a package module under its
    template environment (`function_environment`; its cold start checks its settings,
    shared.platform.config). The process environment and cached settings are left as
    they were; a module imported before is returned as it is."""
    import importlib
    import sys

    from shared.platform.config import reset_settings

    template = sam_template()
    code_dir = str(template["Resources"][logical_id]["Properties"]["CodeUri"]).strip("/")
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in function_environment(template, logical_id).items() if k not in saved})
    try:
        return importlib.import_module(code_dir.replace("/", ".") + ".app")
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_settings()
