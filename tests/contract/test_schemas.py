"""The schema registry (issue 19 acceptance 2, D-235): every domain event and
partner message has a versioned JSON Schema generated from its model; the
committed docs/schemas.json is what the code serves; every sample in events/
follows its schema. Every event the test flows emit through an outbox is
checked against its schema as it is written (tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.errors_doc import load_all_functions
from infra.schemas_doc import DOC_PATH, SERVED_PATH, render, render_served
from infra.template import ROOT
from shared.platform.dynamo import outbox_events
from shared.platform.events import Envelope, registered_event_types
from shared.platform.schemas import catalogue, document, envelope_problems, problems
from tests.support.schemas import register_for_test

EVENTS = ROOT / "events"


def _partner_schema(queue: str, body: dict[str, Any]) -> tuple[str, int]:
    if queue == "CourierInboundQueue":
        return f"courier.{str(body.get('msg_type', '')).lower()}", 1
    if queue == "PaymentChannelInboundQueue":
        return "payment_channel.queue_message", 1
    if queue.startswith("DepartmentSystem") and queue.endswith("InboundQueue"):
        return f"department_system.{body.get('kind')}", int(body.get("schema_version") or 1)
    raise AssertionError(f"no schema is known for messages on {queue}")


def _sample_messages() -> list[tuple[str, str, tuple[str, int] | None, dict[str, Any]]]:
    """(sample, what, schema (None: an event envelope), instance) for every message in events/."""
    found: list[tuple[str, str, tuple[str, int] | None, dict[str, Any]]] = []
    for path in sorted(EVENTS.rglob("*.json")):
        sample = json.loads(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(EVENTS))
        if str(sample.get("path", "")).startswith("/v1/payment-callbacks/"):
            # the channel's signed HTTP callback: its body is the channel's notification
            found.append((name, "payment callback", ("payment_channel.notification", 1), json.loads(sample["body"])))
        for record in sample.get("Records") or []:
            if record.get("eventSource") == "aws:sqs":
                body = json.loads(record["body"])
                queue = record["eventSourceARN"].rsplit(":", 1)[-1]
                if "detail-type" in body:
                    found.append((name, body["detail-type"], None, body["detail"]))
                else:
                    found.append((name, queue, _partner_schema(queue, body), body))
            elif record.get("eventSource") == "aws:dynamodb":
                image = record["dynamodb"].get("NewImage", {})
                if image.get("kind", {}).get("S") == "outbox":
                    for envelope in outbox_events({"events": image["events"]["B"]}):
                        found.append((name, envelope["type"], None, envelope))
    return found


def test_the_committed_schemas_are_the_code_s() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(), "docs/schemas.json is stale: run `make openapi`"
    assert SERVED_PATH.read_text(encoding="utf-8") == render_served(), (
        "shared/exchange/schemas.json is stale: run `make openapi`"
    )


def test_the_registry_endpoint_serves_every_registered_schema() -> None:
    from shared.exchange.published import published

    load_all_functions()
    everything = catalogue()
    assert set(published()) == set(everything)
    assert all(published()[key] == document(entry) for key, entry in everything.items())
    assert {name for name, _ in everything} >= set(registered_event_types())
    assert ("courier.route", 1) in everything
    # every partner's messages: couriers, payment channel, department systems, the national push
    partners = {name.split(".")[0] for (name, _), entry in everything.items() if entry.kind == "partner_message"}
    assert partners == {"courier", "payment_channel", "department_system", "national_platform"}


@pytest.mark.parametrize(
    ("sample", "what", "schema", "instance"), _sample_messages(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_sample_follows_its_schema(sample: str, what: str, schema: tuple[str, int] | None, instance: Any) -> None:
    load_all_functions()
    found = envelope_problems(instance) if schema is None else problems(*schema, instance)
    assert not found, f"{sample} ({what}): {found}"


def test_every_kind_of_sample_message_is_checked() -> None:
    kinds = {("bus" if schema is None else "partner") for _, _, schema, _ in _sample_messages()}
    assert kinds == {"bus", "partner"}


def test_a_breaking_change_is_a_new_version_and_both_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import BaseModel

    class V1(BaseModel):
        case_id: str

    class V2(BaseModel):
        case_id: str
        region_code: str  # newly required: breaking

    register_for_test(monkeypatch, "exchange_test.changed", V1)
    register_for_test(monkeypatch, "exchange_test.changed", V2, version=2)
    old = Envelope(type="exchange_test.changed", source="test", subject="x", data={"case_id": "c1"})
    new = Envelope(type="exchange_test.changed", version=2, source="test", subject="x", data={"case_id": "c1"})
    assert envelope_problems(json.loads(old.to_json())) == []
    assert envelope_problems(json.loads(new.to_json())) == ["data: 'region_code' is a required property"]
    assert registered_event_types()["exchange_test.changed"][0] is V2  # producers write the newest
    assert envelope_problems({**json.loads(old.to_json()), "version": 3})[0].startswith(
        "no schema exchange_test.changed v3"
    )


def test_a_wrong_envelope_is_refused_by_its_schema() -> None:
    load_all_functions()
    envelope = json.loads(Path(EVENTS / "pre_review_worker" / "sqs-case-submitted.json").read_text())
    detail = json.loads(envelope["Records"][0]["body"])["detail"]
    del detail["data"]["case_id"]
    detail["data"]["round"] = "two"
    assert sorted(envelope_problems(detail)) == [
        "data/round: 'two' is not of type 'integer'",
        "data: 'case_id' is a required property",
    ]
