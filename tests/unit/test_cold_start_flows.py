"""What the queue and schedule functions do NOT do at cold start (D-339): load another context's
aggregate model to name it in an event helper, load the catalogue's service to write one record,
or build a pydantic model's validators before any message needs it. And every function that
loads boto3 at cold start imports it first, as the baseline does (the frame-stack churn of D-339).
Each case imports the handler in a fresh process, as Lambda's init does. The time itself is
measured by tests/perf/test_cold_start.py."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from infra.template import ROOT
from tests.support.cold_start import cold_start_probe

_PROBE = """
import json, sys
sys.path[:0] = [".", {root!r}]
import app
from pydantic import BaseModel

def built(cls):
    for sub in cls.__subclasses__():
        if sub.__module__.startswith(("shared", "app")) and sub.__dict__.get("__pydantic_complete__"):
            yield f"{{sub.__module__}}.{{sub.__qualname__}}"
        yield from built(sub)

loaded = [name for name, module in sys.modules.items() if type(module).__name__ != "_LazyModule"]
print(json.dumps({{"loaded": loaded, "built": sorted(set(built(BaseModel)))}}))
"""

# function → modules its cold start must leave alone
NOT_AT_COLD_START = {
    # it writes the catalogue's copy of a licence type, nothing else (shared.catalog.licence_types)
    "LicenceTypeProjectorFunction": [
        "shared.catalog.service",
        "shared.catalog.models",
        "shared.catalog.codes",
        "shared.licences.models",
    ],
    # the catalogue's service with a publication's first claim; the agents' scope without the identity models
    "AdminEventsFunction": ["shared.catalog.service", "shared.identity.models"],
    # the ticket's facts are all a closed ticket's invitation needs, not the ticket model
    "RatingsWorkerFunction": ["shared.hotline.models"],
    # these built a dozen view, report or record models at import (scorecards, reports, projects)
    "MonitoringWorkerFunction": [],
    "AnalyticsWorkerFunction": [],
    "ProjectsWorkerFunction": [],
}


def _cold_start(function: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = cold_start_probe(function, _PROBE)
    return result


@pytest.mark.parametrize("function", sorted(NOT_AT_COLD_START))
def test_a_consumer_loads_and_builds_at_cold_start_only_what_its_messages_need(function: str) -> None:
    cold = _cold_start(function)
    assert "shared.platform.consumer" in cold["loaded"]  # the probe did import a consumer's handler
    assert [name for name in NOT_AT_COLD_START[function] if name in cold["loaded"]] == []
    # the settings are validated at cold start (a missing variable fails the first invocation by
    # name); every other model builds its validators when a message first needs them
    assert [name for name in cold["built"] if not name.endswith("Settings")] == []


# these import nothing of ours at cold start (everything on the first invocation), so no boto3 either
_NO_BOTO3_AT_COLD_START = {"calendar_check", "halls_sweep", "licence_expiry_sweep"}


def _first_third_party_import(path: Path) -> str | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            if name.split(".")[0] not in sys.stdlib_module_names and name != "__future__":
                return name
    return None


def test_every_function_that_loads_boto3_imports_it_first() -> None:
    handlers = sorted((ROOT / "functions").glob("*/app.py"))
    assert len(handlers) > 50
    late = [
        handler.parent.name
        for handler in handlers
        if handler.parent.name not in _NO_BOTO3_AT_COLD_START and _first_third_party_import(handler) != "boto3"
    ]
    assert late == []
