"""The licence-type directory is data (issue 22, point 7): operators add and change
types through the API, each change is one transaction with `licence_type.changed`,
issuance reads the directory and refuses unknown and retired types with stable codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from tests.support.api import Reply, call, invoke
from tests.support.apigw import as_role
from tests.unit.licences_fixtures import (
    BUSINESS_LICENCE,
    ISSUER_STAFF,
    LicenceCloud,
    dlq_messages,
    issue,
    licence_due,
    licence_ids_of_case,
    licences_cloud,
    outbox,
)

OPERATOR = as_role("operator", sub="01JDQ90F3W7C8M2T6R4K9N5OP1")
NEW_TYPE = "11100000000010014P003"  # the sample's: the market regulator's (demo) third type
PHARMACY = {"name": "药品经营许可证", "category": "许可证", "validity_years": 5, "status": "active"}


@pytest.fixture
def cloud() -> Iterator[LicenceCloud]:
    with licences_cloud() as made:
        yield made


def put(code: str, body: dict[str, Any], who: dict[str, str] = OPERATOR, *, language: str | None = None) -> Reply:
    headers = {"Accept-Language": language} if language else None
    return call("PUT", f"/v1/licence-types/{code}", who, body=body, headers=headers)


def test_an_operator_adds_a_type_and_everyone_reads_it(cloud: LicenceCloud) -> None:
    sample = json.loads((ROOT / "events" / "licence_api" / "licence-type-put.json").read_text(encoding="utf-8"))
    added = invoke(sample)
    assert (added.status, added.body["code"], added.body["version"]) == (200, NEW_TYPE, 1)
    # public reads: the entry, and the directory in code order with the seeded demo types
    assert call("GET", f"/v1/licence-types/{NEW_TYPE}").body["name"] == "药品经营许可证"
    listed = call("GET", "/v1/licence-types", query={"limit": "100"}).body
    codes = [entry["code"] for entry in listed["items"]]
    assert NEW_TYPE in codes
    assert BUSINESS_LICENCE in codes
    assert codes == sorted(codes)
    [event] = [e for e in outbox("licence_type.changed") if e["subject"] == NEW_TYPE]
    assert event["data"] | {"changed_by": "?"} == {"code": NEW_TYPE, **PHARMACY, "version": 1, "changed_by": "?"}
    assert event["data"]["changed_by"] == "01JDQ90F3W7C8M2T6R4K9N5OP1"


def test_changes_are_versioned_and_a_stale_version_is_refused(cloud: LicenceCloud) -> None:
    assert put(NEW_TYPE, PHARMACY | {"based_on_version": 0}).status == 200
    changed = put(NEW_TYPE, PHARMACY | {"validity_years": 3, "based_on_version": 1})
    assert (changed.status, changed.body["version"], changed.body["validity_years"]) == (200, 2, 3)
    # someone still holding version 1 is told the current version, in English on request
    stale = put(NEW_TYPE, PHARMACY | {"validity_years": 10, "based_on_version": 1}, language="en")
    assert (stale.status, stale.body["code"]) == (409, "licence.type_changed_concurrently")
    assert "now version 2" in stale.body["message"]
    # adding a type that exists is the same conflict; changing one that does not is 404
    assert put(NEW_TYPE, PHARMACY | {"based_on_version": 0}).body["code"] == "licence.type_changed_concurrently"
    missing = put("11100000000010014P004", PHARMACY | {"based_on_version": 3})
    assert (missing.status, missing.body["code"]) == (404, "licence.type_not_found")
    # a retried PUT of what is stored answers it again and records nothing new
    again = put(NEW_TYPE, PHARMACY | {"validity_years": 3, "based_on_version": 1})
    assert (again.status, again.body["version"]) == (200, 2)
    assert [e["data"]["version"] for e in outbox("licence_type.changed") if e["subject"] == NEW_TYPE] == [1, 2]


def test_only_operators_change_the_directory_and_codes_follow_gb_t_36903(cloud: LicenceCloud) -> None:
    body = PHARMACY | {"based_on_version": 0}
    assert put(NEW_TYPE, body, ISSUER_STAFF).status == 403
    assert call("PUT", f"/v1/licence-types/{NEW_TYPE}", None, body=body).status == 401
    # the defining body's USCC must carry its check character
    bad_check = put("11100000000010014Q003", body)
    assert (bad_check.status, bad_check.body["code"]) == (422, "licence.type_code_invalid")
    assert put("1110000000001001-P003", body).status in {400, 422}  # not the shape: the route's pattern
    assert put(NEW_TYPE, body | {"validity_years": 0}).status == 422
    assert put(NEW_TYPE, body | {"category": "执照类"}).status == 422
    assert call("GET", "/v1/licence-types/11100000000010014P099").status == 404
    assert outbox("licence_type.changed")
    assert all(e["subject"] != NEW_TYPE for e in outbox("licence_type.changed"))


def test_issuance_reads_the_directory_and_refuses_retired_types(cloud: LicenceCloud) -> None:
    assert put(NEW_TYPE, PHARMACY | {"based_on_version": 0}).status == 200
    # a type an operator just added is issued, with its name and validity from the directory
    due = licence_due(type_code=NEW_TYPE)
    assert issue(due) == {"batchItemFailures": []}
    [licence_id] = licence_ids_of_case(due["data"]["case_id"])
    [issued] = [e for e in outbox("licence.issued") if e["data"]["licence_id"] == licence_id]
    assert issued["data"]["type_name"] == "药品经营许可证"
    assert issued["data"]["valid_to"] is not None
    # retired: nothing more is issued of it; the case's event is parked with the stable code
    assert put(NEW_TYPE, PHARMACY | {"status": "retired", "based_on_version": 1}).body["status"] == "retired"
    later = licence_due(type_code=NEW_TYPE)
    assert issue(later) == {"batchItemFailures": []}
    assert licence_ids_of_case(later["data"]["case_id"]) == []
    reasons = [m["MessageAttributes"]["failure_reason"]["StringValue"] for m in dlq_messages(cloud.dlq_url)]
    assert any(f"licence.type_retired: retired licence type {NEW_TYPE}" in reason for reason in reasons)
