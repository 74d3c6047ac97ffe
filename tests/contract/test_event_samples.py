"""events/ holds a real-shaped sample for every function and trigger kind in
template.yaml, and tests use every sample (they also work with
`sam local invoke -e`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.gateway_routes import declared_routes
from infra.template import ROOT, sam_template

EVENTS = ROOT / "events"
TESTS_TEXT = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))


def _kind(sample: dict[str, Any]) -> str:
    if "httpMethod" in sample:
        return "Api"
    if sample.get("detail-type") == "Scheduled Event":
        return "Schedule"
    if sample == {}:
        # EventBridge Scheduler's invocation of a schedule without `Input` (the template's schedules)
        return "ScheduleV2"
    if sample.get("type") in {"TOKEN", "REQUEST"} and "methodArn" in sample:
        return "Authorizer"
    sources = {r.get("eventSource") for r in sample.get("Records", [])}
    return {"aws:sqs": "SQS", "aws:dynamodb": "DynamoDB"}.get(next(iter(sources), ""), "unknown")


def _functions() -> list[tuple[str, str, set[str]]]:
    found = []
    template = sam_template()
    served = {route.function_id for route in declared_routes(template)}  # the API's routes (D-264)
    for logical_id, res in template["Resources"].items():
        if res["Type"] == "AWS::Serverless::Function":
            folder = Path(res["Properties"]["CodeUri"].strip("/")).name
            events = res["Properties"].get("Events", {}).values()
            kinds = {e["Type"] for e in events} | ({"Api"} if logical_id in served else set()) or {"Authorizer"}
            found.append((logical_id, folder, kinds))
    return found


@pytest.mark.parametrize(("logical_id", "folder", "kinds"), _functions(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_trigger_of_every_function_has_a_sample(logical_id: str, folder: str, kinds: set[str]) -> None:
    samples = sorted((EVENTS / folder).glob("*.json"))
    assert samples, f"{logical_id}: no samples in events/{folder}/"
    have = {_kind(json.loads(p.read_text(encoding="utf-8"))) for p in samples}
    assert kinds <= have, f"{logical_id}: no sample for {sorted(kinds - have)} in events/{folder}/"


def test_every_sample_is_used_by_a_test() -> None:
    unused = [
        str(p.relative_to(ROOT))
        for p in sorted(EVENTS.rglob("*.json"))
        if p.name not in TESTS_TEXT and f'"{p.stem}"' not in TESTS_TEXT
    ]
    assert not unused, f"samples no test loads: {unused}"
