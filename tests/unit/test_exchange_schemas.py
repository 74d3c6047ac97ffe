"""The schema registry over HTTP (issue 19 acceptance 2): a partner lists the
schemas, reads one version as JSON Schema, and may cache both."""

from __future__ import annotations

import json

from infra.template import ROOT
from tests.support.api import call, invoke


def test_a_partner_reads_the_submitted_event_schema_from_the_sample_request() -> None:
    sample = json.loads((ROOT / "events" / "exchange_api" / "schema-get.json").read_text(encoding="utf-8"))
    reply = invoke(sample)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/schema+json"
    assert reply.headers["Cache-Control"] == "public, max-age=300"
    schema = reply.body
    assert schema["$id"] == "/v1/schemas/case.submitted/1"
    assert schema["properties"]["type"] == {"const": "case.submitted"}
    assert {"case_id", "department_id", "round"} <= set(schema["properties"]["data"]["required"])


def test_the_list_names_events_and_partner_messages_with_their_current_version() -> None:
    reply = call("GET", "/v1/schemas")
    assert reply.status == 200
    assert "public" in reply.headers["Cache-Control"]
    listed = {(s["name"], s["version"]): s for s in reply.body["items"]}
    assert listed[("case.accepted", 1)]["kind"] == "event"
    assert listed[("case.accepted", 1)]["current"] is True
    assert listed[("courier.route", 1)]["kind"] == "partner_message"
    assert listed[("courier.route", 1)]["path"] == "/v1/schemas/courier.route/1"


def test_an_unknown_version_is_a_404_with_its_code() -> None:
    reply = call("GET", "/v1/schemas/case.submitted/9", headers={"Accept-Language": "en"})
    assert (reply.status, reply.code) == (404, "exchange.schema_not_found")
    assert call("GET", "/v1/schemas/no.such/1").code == "exchange.schema_not_found"
