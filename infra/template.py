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
    placeholders as `sam package` would (the transform accepts only S3 URIs)."""
    template = sam_template(path)
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://packaged-artifacts/{props[key].strip('/')}.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    return transform(template, {}, _NoManagedPolicies())
