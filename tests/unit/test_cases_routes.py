"""Cases over HTTP: functions/case_api/app.py's handler (and the pre-review and
Art. 32 workers) against moto, with the authorizer contexts API Gateway passes.
Given / When / Then in each test; the clock is frozen on a Monday before the
2026 Mid-Autumn and National Day holidays, so deadlines are exact."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local.metering import Meter, item_size
from infra.seed.halls import demo_halls
from infra.template import ROOT
from shared.cases.numbers import CASE_NUMBER_PATTERN
from shared.cases.shapes import NewCase
from shared.halls.repository import HallsRepository
from shared.identity.applicants import applicant_verifier
from shared.identity.protection import HashPurpose
from shared.notifications.consumers import message_for
from shared.platform import aws
from shared.platform.aws import count_calls, dynamodb
from shared.platform.clock import frozen_at
from shared.platform.dynamo import from_item, to_item, unpacked
from shared.platform.events import Envelope
from shared.platform.idempotency import payload_hash
from shared.workdays.service import deadline
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.cases_fixtures import (
    AGENT,
    CASES_TABLE,
    CITIZEN_A,
    CITIZEN_B,
    ENTERPRISE,
    ENTERPRISE_ITEM,
    ENTERPRISE_ITEM_NANJING,
    ENTERPRISE_NAME,
    IDENTITY_TABLE,
    LEGAL_REPRESENTATIVE,
    MARRIAGE,
    MARRIAGE_FORM,
    NANJING_POLICE,
    NANJING_SUPERVISOR,
    NO_CRIMINAL_RECORD_NANJING,
    OTHER_ENTERPRISE,
    PDF,
    PERSON_A,
    PERSON_AGENT,
    PERSON_B,
    PLATFORM_OPERATOR,
    PNG,
    SUBJECT_A,
    SUBSISTENCE,
    SUBSISTENCE_FORM,
    SUZHOU_CIVIL,
    SUZHOU_SUPERVISOR,
    UNREGISTERED,
    XUANWU_CIVIL,
    XUANWU_POLICE,
    LongRunningContext,
    attach,
    attach_together,
    cases_cloud,
    complete_subsistence_case,
    new_case,
    outbox,
    principal,
    run_pre_review,
    sha256_hex,
    submit,
    table_snapshot,
    upload_as_posted,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)  # 10:00 in Nanjing
TUESDAY = MONDAY + dt.timedelta(days=1)
OCTOBER = dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.UTC)
THREE_FILES = {"id_card": PDF, "household_register": PDF + b"register", "income_declaration": PDF + b"income"}


@pytest.fixture(scope="class")
def cloud() -> Iterator[None]:
    """One cloud per test class: tests make their own cases and look only at those."""
    with cases_cloud():
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


class TestDrafting:
    def test_a_draft_snapshots_the_item_and_reserves_a_case_number(self) -> None:
        # When a citizen starts an application for Xuanwu's 低保
        case = new_case()
        # Then it is a draft of that item's current version with a province-wide number
        assert case["state"] == "draft"
        assert case["item_code"] == SUBSISTENCE
        parsed = CASE_NUMBER_PATTERN.match(case["case_number"])
        assert parsed is not None
        assert (parsed["region"], parsed["day"]) == ("320102", "20260921")
        assert {slot["slot_id"] for slot in case["material_slots"]} >= {"id_card", "household_register"}
        assert [entry["action"] for entry in case["timeline"]] == ["create"]

    def test_each_change_records_the_client_it_came_from_on_the_timeline_and_its_events(self) -> None:
        # 一端: started in the WeChat mini-program, the form filled on the web, submitted from the app
        reply = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": SUBSISTENCE}, headers={"X-Client-Id": "wechat"})
        case_id = reply.body["case_id"]
        assert reply.body["timeline"][0]["client"] == "wechat"
        assert call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": SUBSISTENCE_FORM}).status == 200
        for slot in ("id_card", "household_register", "income_declaration"):
            assert attach(case_id, slot, CITIZEN_A).status == 200
        submitted = call("POST", f"/v1/cases/{case_id}/submit", CITIZEN_A, headers={"X-Client-Id": "app"})
        assert submitted.status == 200, submitted.body

        timeline = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["timeline"]
        assert [(e["action"], e["client"]) for e in timeline[:2]] == [("create", "wechat"), ("submit", "app")]
        assert [e["client"] for e in outbox("case.submitted", case_id)] == ["app"]
        # the client is covered by the hash chain like every other field
        assert call("GET", f"/v1/cases/{case_id}/timeline/verify", CITIZEN_A).body["valid"] is True
        # an unknown client is refused and nothing changes
        refused = call("POST", f"/v1/cases/{case_id}/withdraw", CITIZEN_A, headers={"X-Client-Id": "fax"})
        assert (refused.status, refused.code) == (400, "client_unknown")
        assert len(call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["timeline"]) == len(timeline)

    def test_case_numbers_never_repeat(self) -> None:
        numbers = {new_case()["case_number"] for _ in range(30)}
        assert len(numbers) == 30

    def test_an_unknown_item_is_refused_and_nothing_is_written(self) -> None:
        before = table_snapshot()
        reply = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": "11320102MB0213962T4000117004000"})
        assert (reply.status, reply.code) == (422, "case.item_not_available")
        assert reply.body["errors"][0]["field"] == "item_code"
        assert table_snapshot() == before

    def test_a_retired_item_cannot_be_applied_for(self) -> None:
        from shared.catalog.service import CatalogService
        from shared.catalog.writes import RetireRequest

        CatalogService().retire(MARRIAGE, RetireRequest(reason="测试取消"), actor="test")
        reply = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": MARRIAGE})
        assert (reply.status, reply.code) == (422, "case.item_not_available")

    def test_courier_delivery_needs_an_address(self) -> None:
        reply = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": SUBSISTENCE, "delivery": {"method": "courier"}})
        assert (reply.status, reply.code) == (422, "case.invalid_delivery")
        assert reply.body["errors"][0]["field"] == "delivery.address"

    def test_the_form_is_checked_field_by_field_and_a_bad_form_changes_nothing(self) -> None:
        case_id = new_case()["case_id"]
        before = table_snapshot()
        # When the form has a wrong type, an out-of-range number and an unknown field
        bad = {**SUBSISTENCE_FORM, "household_size": "three", "monthly_income_fen": -1, "pet": "cat"}
        reply = call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": bad})
        # Then every problem is named, in Chinese by default
        assert (reply.status, reply.code) == (422, "case.invalid_form")
        assert {(e["field"], e["code"]) for e in reply.body["errors"]} == {
            ("form.household_size", "case.form_invalid_value"),
            ("form.monthly_income_fen", "case.form_invalid_value"),
            ("form.pet", "case.form_unknown_field"),
        }
        assert table_snapshot() == before

    def test_amounts_past_the_field_ceiling_or_int64_are_refused_without_storing(self) -> None:
        # monthly_income_fen took 10^18 and 39 digits gave a 500 (issue 22)
        case_id = new_case()["case_id"]
        before = table_snapshot()
        reply = call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": {"monthly_income_fen": 10**18}})
        assert (reply.status, reply.code) == (422, "case.invalid_form")
        assert [e["field"] for e in reply.body["errors"]] == ["form.monthly_income_fen"]
        reply = call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": {"monthly_income_fen": 10**38}})
        assert (reply.status, reply.code) == (400, "number_out_of_range")
        assert table_snapshot() == before

    def test_errors_speak_english_on_request(self) -> None:
        case_id = new_case()["case_id"]
        reply = call(
            "PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": {"pet": 1}}, headers={"Accept-Language": "en"}
        )
        assert reply.body["message"] == "The application form has errors; see the field errors"

    # --- starting with the form (D-327): one request and one write instead of two ---

    def test_a_draft_started_with_its_form_holds_it_and_can_be_submitted(self) -> None:
        # When the citizen starts 低保 with the form and a condition that applies to them
        body = {"item_code": SUBSISTENCE, "form": SUBSISTENCE_FORM, "applicable_conditions": ["disability_certificate"]}
        reply = call("POST", "/v1/cases", CITIZEN_A, body=body)
        # Then the draft holds the form (the bound fields still from the identity) at its first version
        assert reply.status == 201, reply.body
        case_id = reply.body["case_id"]
        stored = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert stored["version"] == 1
        shown = {"applicant_name": PERSON_A.name, "id_number": "320102********0213"}
        assert stored["form"] == shown | SUBSISTENCE_FORM
        assert stored["applicable_conditions"] == ["disability_certificate"]
        # and the materials the condition asks for are asked; with them the case is submitted
        for slot in ("id_card", "household_register", "income_declaration", "disability_certificate"):
            assert attach(case_id, slot, CITIZEN_A).status == 200
        submitted = submit(case_id)
        assert (submitted.status, submitted.body["state"]) == (200, "submitted")
        run_pre_review(case_id)
        assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["state"] == "pre_review_passed"

    def test_a_start_with_another_persons_identity_is_refused_and_nothing_is_written(self) -> None:
        before = table_snapshot()
        form = {**SUBSISTENCE_FORM, "id_number": PERSON_B.id_number}
        reply = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": SUBSISTENCE, "form": form})
        assert (reply.status, reply.code) == (422, "case.identity_mismatch")
        assert [(e["field"], e["code"]) for e in reply.body["errors"]] == [
            ("form.id_number", "case.form_identity_mismatch")
        ]
        # no case, no timeline, not even a case number reserved
        assert table_snapshot() == before

    def test_a_start_with_a_bad_form_names_each_field_and_writes_nothing(self) -> None:
        before = table_snapshot()
        bad = {"household_size": "three", "pet": "cat"}
        body = {"item_code": SUBSISTENCE, "form": bad, "applicable_conditions": ["id_card"]}
        reply = call("POST", "/v1/cases", CITIZEN_A, body=body)
        assert (reply.status, reply.code) == (422, "case.invalid_form")
        assert {(e["field"], e["code"]) for e in reply.body["errors"]} == {
            ("form.household_size", "case.form_invalid_value"),
            ("form.pet", "case.form_unknown_field"),
            ("applicable_conditions.0", "case.not_a_conditional_slot"),
        }
        assert table_snapshot() == before
        # missing fields may wait for submission, as with PUT .../form
        partial = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": SUBSISTENCE, "form": {"household_size": 2}})
        assert partial.status == 201, partial.body

    def test_the_idempotency_key_binds_the_form_and_a_body_without_it_hashes_as_before(self) -> None:
        headers = {"Idempotency-Key": "start-with-form"}
        body = {"item_code": SUBSISTENCE, "form": SUBSISTENCE_FORM}
        first = call("POST", "/v1/cases", CITIZEN_A, body=body, headers=headers)
        again = call("POST", "/v1/cases", CITIZEN_A, body=body, headers=headers)
        assert (first.status, again.status) == (201, 201)
        assert again.body["case_id"] == first.body["case_id"]
        other = {**body, "form": {**SUBSISTENCE_FORM, "household_size": 4}}
        reused = call("POST", "/v1/cases", CITIZEN_A, body=other, headers=headers)
        assert (reused.status, reused.code) == (409, "idempotency_key_reused")
        # a retry of a body sent before the form field existed still matches its stored hash
        plain = NewCase(item_code=SUBSISTENCE)
        assert payload_hash(plain.idempotency_payload()) == payload_hash(
            {"item_code": SUBSISTENCE, "delivery": plain.delivery.model_dump(mode="json")}
        )

    def test_the_one_call_start_is_one_transaction_where_two_calls_add_a_read_and_a_write(self) -> None:
        new_case()  # the item is cached in this process, as in a warm function
        with count_calls() as one_call:
            started = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": SUBSISTENCE, "form": SUBSISTENCE_FORM})
        assert started.status == 201, started.body
        with count_calls() as two_calls:
            case_id = new_case()["case_id"]
            filled = call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": SUBSISTENCE_FORM})
        assert filled.status == 200, filled.body
        # reads: the item's head (catalogue) and the verified identity; writes: the case-number counter's
        # UpdateItem and ONE TransactWriteItems (case + first timeline entry) with the form in it:
        # the same calls as a start without a form
        start = {"dynamodb.GetItem": 2, "dynamodb.UpdateItem": 1, "dynamodb.TransactWriteItems": 1}
        assert one_call == start
        # the separate PUT reads the case back (two Queries) and rewrites it whole (one PutItem, ~3 write units)
        assert two_calls == start | {"dynamodb.Query": 2, "dynamodb.PutItem": 1}


class TestMaterials:
    """Uploads one file at a time, and the list forms (D-331): the upload forms of several files in one
    request, their confirmation in one."""

    def test_an_upload_is_a_presigned_post_pinned_to_type_size_and_checksum(self) -> None:
        case_id = new_case()["case_id"]
        ticket = call(
            "POST",
            f"/v1/cases/{case_id}/materials",
            CITIZEN_A,
            body={
                "slot_id": "id_card",
                "file_name": "身份证.pdf",
                "content_type": "application/pdf",
                "size_bytes": len(PDF),
                "sha256": sha256_hex(PDF),
            },
        )
        assert ticket.status == 201
        fields = ticket.body["fields"]
        assert fields["key"] == f"cases/{case_id}/{ticket.body['material_id']}"
        assert fields["Content-Type"] == "application/pdf"
        assert fields["x-amz-meta-sha256"] == sha256_hex(PDF)
        policy = json.loads(__import__("base64").b64decode(fields["policy"]))
        assert ["content-length-range", len(PDF), len(PDF)] in policy["conditions"]

    def test_an_uploaded_file_counts_only_after_it_is_read_back(self) -> None:
        case_id = new_case()["case_id"]
        reply = attach(case_id, "id_card", CITIZEN_A)
        assert reply.status == 200
        [material] = reply.body["materials"]
        assert (material["slot_id"], material["format"], material["size_bytes"]) == ("id_card", "pdf", len(PDF))
        assert material["file_name"] == "材料.pdf"

    def test_a_draft_edit_is_one_put_of_the_case_packed_into_fewer_write_units(self) -> None:
        # Given a draft with its form and two of its three materials
        case_id = complete_subsistence_case(skip_slots=("income_declaration",))
        written: list[dict[str, Any]] = []

        def keep(params: dict[str, Any], **_: Any) -> None:
            written.append(params["Item"])

        client = dynamodb()
        client.meta.events.register("provide-client-params.dynamodb.PutItem", keep)
        try:
            # When the applicant confirms the third
            with count_calls() as calls:
                reply = attach(case_id, "income_declaration", CITIZEN_A, PDF + b"income")
        finally:
            client.meta.events.unregister("provide-client-params.dynamodb.PutItem", keep)
        assert reply.status == 200, reply.body
        # Then one PutItem wrote the case: its keys, state and version plain, the rest one packed body,
        # 3 write units where its JSON as attributes is 4 (D-320)
        assert calls["dynamodb.PutItem"] == 1
        [item] = written
        assert {"pk", "sk", "state", "version", "body"} <= set(item)
        assert "materials" not in item
        record = unpacked(item["body"]["B"])
        assert [m["slot_id"] for m in record["materials"]] == ["id_card", "household_register", "income_declaration"]
        as_attributes = to_item(from_item({k: v for k, v in item.items() if k != "body"}) | record)
        assert item_size(item) <= 3072 < item_size(as_attributes)
        # and the applicant sees the case whole
        case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert len(case["materials"]) == 3
        assert case["form"]["household_size"] == SUBSISTENCE_FORM["household_size"]

    def test_confirming_before_uploading_is_refused(self) -> None:
        case_id = new_case()["case_id"]
        reply = call("POST", f"/v1/cases/{case_id}/materials/01JDQ90F3W7C8M2T6R4K9N5XZZ/confirm", CITIZEN_A)
        assert (reply.status, reply.code) == (409, "case.material_not_uploaded")

    @pytest.mark.parametrize(
        ("content_type", "size", "status", "code"),
        [
            ("image/gif", 100, 422, "case.invalid_material"),
            ("application/pdf", 11 * 1024 * 1024, 413, "case.material_too_large"),
        ],
    )
    def test_wrong_types_and_sizes_are_refused_up_front(
        self, content_type: str, size: int, status: int, code: str
    ) -> None:
        case_id = new_case()["case_id"]
        body = {"slot_id": "id_card", "file_name": "x", "content_type": content_type, "size_bytes": size}
        reply = call("POST", f"/v1/cases/{case_id}/materials", CITIZEN_A, body={**body, "sha256": "0" * 64})
        assert (reply.status, reply.code) == (status, code)

    def test_a_slot_the_item_does_not_list_is_refused(self) -> None:
        case_id = new_case()["case_id"]
        body = {"slot_id": "passport", "file_name": "x", "content_type": "application/pdf", "size_bytes": 10}
        reply = call("POST", f"/v1/cases/{case_id}/materials", CITIZEN_A, body={**body, "sha256": "0" * 64})
        assert (reply.status, reply.code) == (422, "case.invalid_material")
        assert reply.body["errors"][0]["code"] == "case.unknown_slot"

    def test_a_renamed_or_altered_file_is_caught_at_confirmation_and_not_recorded(self) -> None:
        case_id = new_case()["case_id"]
        declared = {"slot_id": "id_card", "file_name": "a.pdf", "content_type": "application/pdf"}
        # a PNG posted as a PDF
        ticket = call(
            "POST",
            f"/v1/cases/{case_id}/materials",
            CITIZEN_A,
            body={**declared, "size_bytes": len(PNG), "sha256": sha256_hex(PNG)},
        ).body
        upload_as_posted(ticket, PNG)
        reply = call("POST", f"/v1/cases/{case_id}/materials/{ticket['material_id']}/confirm", CITIZEN_A)
        assert (reply.status, reply.code) == (422, "case.invalid_material")
        assert reply.body["errors"][0]["code"] == "case.content_mismatch"
        # bytes that do not match the declared checksum
        ticket = call(
            "POST",
            f"/v1/cases/{case_id}/materials",
            CITIZEN_A,
            body={**declared, "size_bytes": len(PDF), "sha256": sha256_hex(b"other")},
        ).body
        upload_as_posted(ticket, PDF)
        reply = call("POST", f"/v1/cases/{case_id}/materials/{ticket['material_id']}/confirm", CITIZEN_A)
        assert reply.body["errors"][0]["code"] == "case.checksum_mismatch"
        assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["materials"] == []

    def test_three_files_take_two_requests_and_one_write_and_are_recorded_in_order(self) -> None:
        case_id = new_case(form=SUBSISTENCE_FORM)["case_id"]
        reply = attach_together(case_id, THREE_FILES, CITIZEN_A)
        assert reply.status == 200, reply.body
        # one change of the case: version 1 → 2 for all three files
        assert reply.body["version"] == 2
        recorded = [(m["slot_id"], m["size_bytes"], m["sha256"]) for m in reply.body["materials"]]
        assert recorded == [(slot, len(data), sha256_hex(data)) for slot, data in THREE_FILES.items()]
        # the case is complete: it submits and passes pre-review like one uploaded file by file
        assert submit(case_id).status == 200
        run_pre_review(case_id)
        assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["state"] == "pre_review_passed"

    def test_each_form_is_pinned_to_its_own_file(self) -> None:
        case_id = new_case()["case_id"]
        asked = [
            {"slot_id": slot, "file_name": f"{slot}.pdf", "content_type": "application/pdf"}
            | {"size_bytes": len(data), "sha256": sha256_hex(data)}
            for slot, data in THREE_FILES.items()
        ]
        reply = call("POST", f"/v1/cases/{case_id}/materials/uploads", CITIZEN_A, body={"materials": asked})
        assert reply.status == 201, reply.body
        tickets = reply.body["items"]
        assert [t["slot_id"] for t in tickets] == list(THREE_FILES)
        assert len({t["material_id"] for t in tickets}) == 3
        for ticket, data in zip(tickets, THREE_FILES.values(), strict=True):
            assert ticket["fields"]["key"] == f"cases/{case_id}/{ticket['material_id']}"
            assert ticket["fields"]["x-amz-meta-sha256"] == sha256_hex(data)
            policy = json.loads(__import__("base64").b64decode(ticket["fields"]["policy"]))
            assert ["content-length-range", len(data), len(data)] in policy["conditions"]

    def test_one_refused_entry_refuses_the_request_and_every_refused_entry_is_named(self) -> None:
        case_id = new_case()["case_id"]
        good = {"slot_id": "id_card", "file_name": "a.pdf", "content_type": "application/pdf", "size_bytes": 10}
        asked = [
            good,
            good | {"content_type": "image/gif"},
            good | {"size_bytes": 11 * 1024 * 1024},
            good | {"slot_id": "passport"},
        ]
        reply = call(
            "POST",
            f"/v1/cases/{case_id}/materials/uploads",
            CITIZEN_A,
            body={"materials": [entry | {"sha256": "0" * 64} for entry in asked]},
            headers={"Accept-Language": "en"},
        )
        # the first refused entry's answer, as the one-file route gives it; every refused entry at its path
        assert (reply.status, reply.code) == (422, "case.invalid_material")
        assert [(e["field"], e["code"]) for e in reply.body["errors"]] == [
            ("materials.1.content_type", "case.format_not_accepted"),
            ("materials.2.size_bytes", "case.size_limit"),
            ("materials.3.slot_id", "case.unknown_slot"),
        ]
        assert "10485760" in reply.body["errors"][1]["message"]
        # too large alone: 413 as for one file
        reply = call(
            "POST",
            f"/v1/cases/{case_id}/materials/uploads",
            CITIZEN_A,
            body={"materials": [asked[2] | {"sha256": "0" * 64}]},
        )
        assert (reply.status, reply.code) == (413, "case.material_too_large")

    def test_one_refused_file_records_none_and_every_refused_file_is_named(self) -> None:
        case_id = new_case()["case_id"]
        declared = {"file_name": "a.pdf", "content_type": "application/pdf"}
        asked = [
            declared | {"slot_id": "id_card", "size_bytes": len(PDF), "sha256": sha256_hex(PDF)},
            declared | {"slot_id": "household_register", "size_bytes": len(PDF), "sha256": sha256_hex(PDF)},
            declared | {"slot_id": "income_declaration", "size_bytes": len(PNG), "sha256": sha256_hex(PNG)},
        ]
        tickets = call("POST", f"/v1/cases/{case_id}/materials/uploads", CITIZEN_A, body={"materials": asked})
        first, second, third = tickets.body["items"]
        upload_as_posted(first, PDF)
        upload_as_posted(third, PNG)  # a PNG posted as a PDF; the second never uploaded
        before = table_snapshot()
        ids = [first["material_id"], second["material_id"], third["material_id"]]
        reply = call("POST", f"/v1/cases/{case_id}/materials/confirm", CITIZEN_A, body={"material_ids": ids})
        assert (reply.status, reply.code) == (409, "case.material_not_uploaded")
        assert [(e["field"], e["code"]) for e in reply.body["errors"]] == [
            ("material_ids.1", "case.material_not_uploaded"),
            ("material_ids.2", "case.content_mismatch"),
        ]
        assert table_snapshot() == before
        # the second uploaded, the third taken out: the two good files are recorded at once
        upload_as_posted(second, PDF)
        ids = ids[:2]
        reply = call("POST", f"/v1/cases/{case_id}/materials/confirm", CITIZEN_A, body={"material_ids": ids})
        assert reply.status == 200, reply.body
        assert [m["slot_id"] for m in reply.body["materials"]] == ["id_card", "household_register"]

    def test_confirming_again_or_twice_in_one_list_records_each_file_once(self) -> None:
        case_id = new_case()["case_id"]
        done = attach_together(case_id, {"id_card": PDF}, CITIZEN_A).body
        again = call(
            "POST",
            f"/v1/cases/{case_id}/materials/confirm",
            CITIZEN_A,
            body={"material_ids": [done["materials"][0]["material_id"]] * 2},
        )
        assert (again.status, again.body["version"], len(again.body["materials"])) == (200, done["version"], 1)

    def test_the_case_cap_counts_the_files_a_request_would_add(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("shared.cases.application.MAX_MATERIALS_PER_CASE", 2)
        case_id = new_case()["case_id"]
        assert attach_together(case_id, {"id_card": PDF}, CITIZEN_A).status == 200
        asked = [
            {"slot_id": slot, "file_name": "a.pdf", "content_type": "application/pdf"}
            | {"size_bytes": len(PDF), "sha256": sha256_hex(PDF)}
            for slot in ("household_register", "income_declaration")
        ]
        path = f"/v1/cases/{case_id}/materials/uploads"
        reply = call("POST", path, CITIZEN_A, body={"materials": asked})
        assert (reply.status, reply.code) == (409, "case.too_many_materials")
        # one at a time each fits, so both tickets are given; confirming both would pass the cap: refused whole
        tickets = [call("POST", path, CITIZEN_A, body={"materials": [entry]}).body["items"][0] for entry in asked]
        for ticket in tickets:
            upload_as_posted(ticket, PDF)
        ids = {"material_ids": [ticket["material_id"] for ticket in tickets]}
        reply = call("POST", f"/v1/cases/{case_id}/materials/confirm", CITIZEN_A, body=ids)
        assert (reply.status, reply.code) == (409, "case.too_many_materials")
        assert len(call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["materials"]) == 1

    def test_a_list_is_bounded(self) -> None:
        case_id = new_case()["case_id"]
        asked = {"slot_id": "id_card", "file_name": "a.pdf", "content_type": "application/pdf", "size_bytes": 10}
        too_many = {"materials": [asked | {"sha256": "0" * 64}] * 62}
        assert call("POST", f"/v1/cases/{case_id}/materials/uploads", CITIZEN_A, body=too_many).status == 422
        assert call("POST", f"/v1/cases/{case_id}/materials/uploads", CITIZEN_A, body={"materials": []}).status == 422
        ids = {"material_ids": ["01JDQ90F3W7C8M2T6R4K9N5XZZ"] * 62}
        assert call("POST", f"/v1/cases/{case_id}/materials/confirm", CITIZEN_A, body=ids).status == 422

    def test_the_list_forms_make_fewer_calls_and_write_units_than_three_single_files(self) -> None:
        new_case()  # the item is cached in this process, as in a warm function
        single_case, listed_case = new_case()["case_id"], new_case()["case_id"]

        def measured(upload: Any) -> tuple[Any, float]:
            meter = Meter(stored_items=True)
            with aws.observe_calls(meter):
                upload()
            return meter.usage.calls, meter.usage.write_units

        def one_by_one() -> None:
            for slot, data in THREE_FILES.items():
                assert attach(single_case, slot, CITIZEN_A, data).status == 200

        singles, single_units = measured(one_by_one)
        listed, listed_units = measured(lambda: attach_together(listed_case, THREE_FILES, CITIZEN_A))
        # three files one by one: six requests (six Lambda invocations), each reading the case (one Query);
        # each confirm reads its file back and rewrites the case (one conditional PutItem)
        assert singles == {"dynamodb.Query": 6, "s3.GetObject": 3, "dynamodb.PutItem": 3}
        # the list forms: two requests, two reads of the case, the same three read-backs, ONE write
        assert listed == {"dynamodb.Query": 2, "s3.GetObject": 3, "dynamodb.PutItem": 1}
        # the packed draft stays within 2 KB: 2 write units a write (the whole item, no index entry), one
        # write instead of three
        assert (single_units, listed_units) == (6.0, 2.0)
        # and both cases hold the same files
        stored = [call("GET", f"/v1/cases/{c}", CITIZEN_A).body["materials"] for c in (single_case, listed_case)]
        assert [[(m["slot_id"], m["sha256"]) for m in materials] for materials in stored] == [
            [(slot, sha256_hex(data)) for slot, data in THREE_FILES.items()]
        ] * 2


class TestSubmission:
    def test_submission_is_one_transaction_plus_its_reads(self) -> None:
        case_id = complete_subsistence_case()
        # When the applicant submits (calendar already cached in this process)
        deadline(dt.date(2026, 9, 21), 5)
        with count_calls() as calls:
            reply = submit(case_id, key="submit-1")
        # Then: read the case (one Query: the case and its application), read the item, one transaction
        assert reply.status == 200, reply.body
        assert calls == {"dynamodb.Query": 1, "dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}
        assert reply.body["state"] == "submitted"
        assert reply.body["intake_due_on"] == "2026-09-29"  # 5 working days; 09-25 is Mid-Autumn
        [event] = outbox("case.submitted", case_id)
        assert event["data"]["case_id"] == case_id
        assert event["data"]["round"] == 1

    def test_the_same_key_and_body_return_the_first_receipt_and_another_body_is_refused(self) -> None:
        case_id = complete_subsistence_case()
        first = submit(case_id, key="k-1", body={"version": 5})
        again = submit(case_id, key="k-1", body={"version": 5})
        other = submit(case_id, key="k-1", body={"version": 4})
        assert first.status == again.status == 200
        assert again.body == first.body
        assert (other.status, other.code) == (409, "idempotency_key_reused")
        assert len(outbox("case.submitted", case_id)) == 1

    def test_a_duplicate_submission_without_the_key_is_a_wrong_state(self) -> None:
        case_id = complete_subsistence_case()
        assert submit(case_id).status == 200
        before = table_snapshot()
        reply = submit(case_id)
        assert (reply.status, reply.code) == (409, "case.transition_not_allowed")
        assert "已申报" in reply.body["message"]
        assert table_snapshot() == before

    def test_a_stale_version_is_refused(self) -> None:
        case_id = complete_subsistence_case()
        reply = submit(case_id, body={"version": 1})
        assert (reply.status, reply.code) == (409, "case.version_mismatch")


class TestPreReviewAndSupplement:
    def test_a_missing_material_gets_one_notice_listing_everything(self) -> None:
        # Given a submission without the household register and with a form field left out
        case_id = complete_subsistence_case(skip_slots=("household_register",))
        form = {k: v for k, v in SUBSISTENCE_FORM.items() if k != "household_size"}
        call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": form})
        submit(case_id)
        # When pre-review runs
        with count_calls() as calls:
            assert run_pre_review(case_id) == {"batchItemFailures": []}
        # Then one read and one transaction; the case awaits supplements with one notice of both
        assert calls == {"dynamodb.Query": 1, "dynamodb.TransactWriteItems": 1}
        case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert case["state"] == "supplement_required"
        assert sorted(item["target"] for item in case["notice"]["items"]) == [
            "form.household_size",
            "household_register",
        ]
        assert case["required_actions"][0]["action"] == "supplement"
        [notice] = outbox("case.supplement_required", case_id)
        owner, message = message_for(Envelope.model_validate(notice))
        assert owner == SUBJECT_A
        assert message.title == "一次性告知：请补正材料"
        assert "居民户口簿" in message.body
        assert "家庭人口" in message.body

    def test_supplementing_sends_the_case_back_to_pre_review_and_it_passes(self) -> None:
        case_id = complete_subsistence_case(skip_slots=("household_register",))
        submit(case_id)
        run_pre_review(case_id)
        # When the applicant adds the register and resubmits
        assert attach(case_id, "household_register", CITIZEN_A).status == 200
        reply = call("POST", f"/v1/cases/{case_id}/supplement", CITIZEN_A, headers={"Idempotency-Key": "s-1"})
        assert reply.status == 200
        run_pre_review(case_id)
        # Then it passed and waits in the department's queue
        case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert case["state"] == "pre_review_passed"
        assert [e["action"] for e in case["timeline"]] == [
            "create",
            "submit",
            "require_supplement",
            "supplement",
            "pass_pre_review",
        ]
        rounds = sorted(e["data"]["round"] for e in outbox("case.submitted", case_id))
        assert rounds == [1, 2]

    def test_a_redelivered_event_is_skipped(self) -> None:
        case_id = complete_subsistence_case()
        submit(case_id)
        run_pre_review(case_id)
        before = table_snapshot()
        assert run_pre_review(case_id) == {"batchItemFailures": []}
        assert table_snapshot() == before

    def test_an_immediate_item_is_accepted_right_after_pre_review(self) -> None:
        case_id = new_case(item_code=MARRIAGE)["case_id"]
        call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": MARRIAGE_FORM})
        for slot in ("id_card", "household_register", "photos", "no_spouse_declaration"):
            attach(case_id, slot, CITIZEN_A)
        submit(case_id)
        run_pre_review(case_id)
        case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert case["state"] == "accepted"
        assert case["deadlines"]["promised_due_on"] == "2026-09-21"
        assert [e["actor"] for e in case["timeline"][-2:]] == ["system:pre_review 自动预审"] * 2
        [accepted] = outbox("case.accepted", case_id)
        assert accepted["data"]["automatic"] is True


class TestIntake:
    def _passed(self) -> str:
        case_id = complete_subsistence_case()
        submit(case_id)
        run_pre_review(case_id)
        return case_id

    def test_past_submission_a_transition_rewrites_the_small_case_alone(self) -> None:
        # Given a submitted case that passed pre-review (its application written once, at submission)
        case_id = self._passed()
        written: list[dict[str, Any]] = []

        def keep(params: dict[str, Any], **_: Any) -> None:
            written.extend(w["Put"]["Item"] for w in params["TransactItems"] if "Put" in w)

        client = dynamodb()
        client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", keep)
        try:
            # When staff accept it
            assert call("POST", f"/v1/cases/{case_id}/accept", XUANWU_CIVIL, body={"note": "材料齐全"}).status == 200
        finally:
            client.meta.events.unregister("provide-client-params.dynamodb.TransactWriteItems", keep)
        # Then the transaction put the case without its form and materials, and not the application (D-277)
        [case_item] = [i for i in written if i["pk"]["S"] == f"CASE#{case_id}" and i["sk"]["S"] == "CASE"]
        assert not [i for i in written if i["sk"]["S"] == "CASE#APPLICATION"]
        case_record = unpacked(case_item["body"]["B"])
        assert "form" not in case_record
        assert "materials" not in case_record
        application = boto3.client("dynamodb").get_item(
            TableName=CASES_TABLE, Key={"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "CASE#APPLICATION"}}
        )["Item"]
        # 2 write units where the whole case took 4 (~1.4 KB packed here, the application ~1 KB beside it:
        # D-277, D-320)
        assert item_size(case_item) <= 2048 < item_size(case_item) + item_size(application)
        # and its three files became reusable through ONE item of one write unit, not an item per file (D-320)
        [reusable] = [i for i in written if i["pk"]["S"].startswith("REUSE#")]
        files = unpacked(reusable["files"]["B"])
        assert sorted(f["slot_id"] for f in files) == ["household_register", "id_card", "income_declaration"]
        assert item_size(reusable) <= 1024
        # and the applicant and staff still see the whole application
        case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert case["state"] == "accepted"
        assert case["form"]["household_size"] == SUBSISTENCE_FORM["household_size"]
        assert len(case["materials"]) == 3

    def test_accepting_starts_the_clock_in_working_days(self, capsys: pytest.CaptureFixture[str]) -> None:
        case_id = self._passed()
        capsys.readouterr()
        with count_calls() as calls:
            reply = call("POST", f"/v1/cases/{case_id}/accept", XUANWU_CIVIL, body={"note": "材料齐全"})
        assert reply.status == 200, reply.body
        # the dashboard's "accepted" line counts staff acceptances too (EMF on the function's output)
        emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
        assert [m["CasesAcceptedByStaff"] for m in emitted if "CasesAcceptedByStaff" in m] == [[1.0]], emitted
        assert reply.body["deadlines"] == {
            "started_on": "2026-09-21",
            "promised_days": 20,
            "promised_due_on": "2026-10-26",  # National Day rests, 10-10 (Saturday) is worked
            "legal_days": 30,
            "legal_due_on": "2026-11-09",
            "provisional": False,
            "deemed": False,
            "joint": False,
            "suspensions": [],
            "suspended_working_days": 0,
            "suspended_since": None,
            "extension": None,
        }
        # read the case, one transaction, then the timeline for the answer
        assert calls["dynamodb.TransactWriteItems"] == 1
        assert calls["dynamodb.Query"] == 2  # the case (with its application), the timeline
        [accepted] = outbox("case.accepted", case_id)
        _, message = message_for(Envelope.model_validate(accepted))
        assert "2026-10-26" in message.body

    def test_refusing_needs_a_reason_and_closes_the_case(self) -> None:
        case_id = self._passed()
        assert call("POST", f"/v1/cases/{case_id}/refuse", XUANWU_CIVIL, body={}).status == 422
        reply = call("POST", f"/v1/cases/{case_id}/refuse", XUANWU_CIVIL, body={"reason": "不属于本部门职权范围"})
        assert reply.body["state"] == "refused_at_intake"
        assert reply.body["closing_reason"] == "不属于本部门职权范围"
        again = call("POST", f"/v1/cases/{case_id}/accept", XUANWU_CIVIL)
        assert (again.status, again.code) == (409, "case.transition_not_allowed")

    def test_staff_may_ask_for_supplements_in_one_notice(self) -> None:
        case_id = self._passed()
        body = {
            "items": [
                {"target": "income_declaration", "message": "请补充签字"},
                {"target": "form.phone", "message": "请核对电话"},
            ]
        }
        reply = call("POST", f"/v1/cases/{case_id}/request-supplement", XUANWU_CIVIL, body=body)
        assert reply.body["state"] == "supplement_required"
        assert len(reply.body["notice"]["items"]) == 2
        assert reply.body["notice"]["issued_by"] == "staff"

    def test_the_work_queue_lists_the_department_oldest_first_across_shards(self) -> None:
        ids = []
        for minute in range(7):
            with frozen_at(TUESDAY + dt.timedelta(minutes=minute)):
                ids.append(self._passed())
        seen: list[str] = []
        cursor: str | None = None
        while True:
            query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
            page = call("GET", "/v1/work-queue", XUANWU_CIVIL, query=query).body
            seen.extend(entry["case_id"] for entry in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen))
        assert [case_id for case_id in seen if case_id in ids] == ids
        # another department of the same district sees none of them
        assert call("GET", "/v1/work-queue", XUANWU_POLICE).body["items"] == []
        assert call("GET", "/v1/work-queue", CITIZEN_A).status == 403

    def test_art32_deems_a_case_accepted_from_receipt_when_the_department_did_nothing(self) -> None:
        waiting = self._passed()
        stuck = complete_subsistence_case()
        submit(stuck)  # never pre-reviewed: the department did not ask for supplements either
        told = complete_subsistence_case(skip_slots=("id_card",))
        submit(told)
        run_pre_review(told)  # asked for supplements in time: no deemed acceptance
        # When the sweep runs on the 5th working day, nothing is due yet; the day after, both are
        with frozen_at(dt.datetime(2026, 9, 29, 1, 0, tzinfo=dt.UTC)):
            assert load_function("intake_sweep").handler({}, LongRunningContext())["deemed_accepted"] == []
        with frozen_at(dt.datetime(2026, 9, 30, 1, 0, tzinfo=dt.UTC)):
            result = load_function("intake_sweep").handler({}, LongRunningContext())
            again = load_function("intake_sweep").handler({}, LongRunningContext())
        assert {waiting, stuck} <= set(result["deemed_accepted"])
        assert told not in result["deemed_accepted"]
        assert again["deemed_accepted"] == []
        case = call("GET", f"/v1/cases/{waiting}", CITIZEN_A).body
        assert case["state"] == "accepted"
        assert case["deadlines"]["deemed"] is True
        assert case["deadlines"]["started_on"] == "2026-09-21"  # from receipt
        assert "第三十二条" in case["timeline"][-1]["reason"]
        assert call("GET", f"/v1/cases/{told}", CITIZEN_A).body["state"] == "supplement_required"


class TestHallIntake:
    """Point 8 of issue 23: the clerk verifies the applicant (ID number + name against the
    population registry) instead of typing a subject id; for an enterprise, the person must
    be allowed to act for it."""

    def test_the_clerk_verifies_a_registered_person_and_the_case_is_theirs(self) -> None:
        # Given 张伟 at a Xuanwu civil-affairs counter, asking for a Nanjing city-level police item
        body = {"item_code": NO_CRIMINAL_RECORD_NANJING, "applicant": {"id_number": PERSON_A.id_number, "name": "张伟"}}
        reply = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=body)
        assert reply.status == 201, reply.body
        case_id = reply.body["case_id"]
        # Then it is routed to the city police, the clerk is on the timeline, and the ID number shows masked only
        assert reply.body["department_id"] == "320100-police"
        assert reply.body["taken_in_by"].startswith("staff:")
        created = reply.body["timeline"][0]
        assert created["actor_role"] == "staff"
        assert "320102********0213" in created["reason"]
        assert "实名核验" in created["reason"]
        assert PERSON_A.id_number not in json.dumps(reply.body, ensure_ascii=False)
        assert reply.body["form"]["id_number"] == "320102********0213"
        # the clerk fills what the applicant would have typed, attaches and submits
        form = {"purpose": "就业"}
        assert call("PUT", f"/v1/cases/{case_id}/form", XUANWU_CIVIL, body={"form": form}).status == 200
        assert attach(case_id, "id_card", XUANWU_CIVIL).status == 200
        assert submit(case_id, XUANWU_CIVIL).status == 200
        run_pre_review(case_id)
        # the applicant sees it among their cases; the city police accept it
        assert case_id in [c["case_id"] for c in call("GET", "/v1/cases", CITIZEN_A).body["items"]]
        assert call("POST", f"/v1/cases/{case_id}/accept", NANJING_POLICE).status == 200
        # the clerk cannot decide on intake for another department
        assert call("POST", f"/v1/cases/{case_id}/refuse", XUANWU_CIVIL, body={"reason": "无权"}).status == 403

    def test_a_called_queue_number_opens_the_case_at_that_hall_for_the_items_its_window_serves(self) -> None:
        # Given the demo 玄武区 center (玄武区民政局 is stationed there; window A01 serves the district's items)
        for hall in demo_halls():
            HallsRepository().save_hall(hall)
        center = "/v1/halls/320102-center"
        with frozen_at(MONDAY):
            ticket = call("POST", f"{center}/tickets", CITIZEN_A, body={"group": "general", "item_code": SUBSISTENCE})
            body = {
                "item_code": SUBSISTENCE,
                "applicant": {"id_number": PERSON_A.id_number, "name": "张伟"},
                "ticket_id": ticket.body["ticket_id"],
            }
            # a county item without a number is not 同城通办; before the call the number is not at a counter
            no_number = {k: v for k, v in body.items() if k != "ticket_id"}
            assert call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=no_number).code == "case.hall_intake_not_allowed"
            assert call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=body).code == "halls.ticket_not_called"
            called = call("POST", f"{center}/windows/A01/call-next", XUANWU_CIVIL).body["ticket"]
            assert called["ticket_id"] == ticket.body["ticket_id"]
            # only the hall's clerks, only for what the calling window serves
            assert call("POST", "/v1/hall/cases", SUZHOU_CIVIL, body=body).code == "halls.not_this_halls_clerk"
            other_item = {**body, "item_code": NO_CRIMINAL_RECORD_NANJING}
            assert call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=other_item).code == "halls.item_not_at_window"
            reply = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=body)
        assert reply.status == 201, reply.body
        assert reply.body["intake_hall"] == "玄武区政务服务中心"
        assert reply.body["timeline"][0]["reason"].startswith("玄武区政务服务中心 A01 窗口（G001 号）代收")
        # the applicant sees it online and fills it in herself
        case_id = reply.body["case_id"]
        assert case_id in [c["case_id"] for c in call("GET", "/v1/cases", CITIZEN_A).body["items"]]
        mine = call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": SUBSISTENCE_FORM})
        assert mine.status == 200, mine.body

    def test_a_person_without_an_account_is_registered_and_follows_the_case_online(self) -> None:
        name, id_number = UNREGISTERED
        applicant = {"id_number": id_number, "name": name, "source": "id_card_reader"}
        body = {"item_code": NO_CRIMINAL_RECORD_NANJING, "applicant": applicant}
        # Without a phone the clerk is asked for one (it is how the person signs in), and nothing is written
        before = table_snapshot(), table_snapshot(IDENTITY_TABLE)
        refused = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=body)
        assert (refused.status, refused.code) == (422, "identity.phone_required")
        assert refused.body["errors"][0]["field"] == "applicant.phone"
        assert (table_snapshot(), table_snapshot(IDENTITY_TABLE)) == before
        # With it, the account is opened as registration would and the case is the new account's
        reply = call(
            "POST", "/v1/hall/cases", XUANWU_CIVIL, body={**body, "applicant": {**applicant, "phone": "13900000088"}}
        )
        assert reply.status == 201, reply.body
        assert "身份证读卡器" in reply.body["timeline"][0]["reason"]
        assert "新开户" in reply.body["timeline"][0]["reason"]
        subject = applicant_verifier().repository.subject_for_id_number(
            applicant_verifier().hasher.digest(HashPurpose.ID_NUMBER, id_number)
        )
        assert subject is not None
        newcomer = principal("citizen", subject)
        listed = call("GET", "/v1/cases", newcomer).body["items"]
        assert [c["case_id"] for c in listed] == [reply.body["case_id"]]
        assert call("GET", f"/v1/cases/{reply.body['case_id']}", newcomer).body["form"]["applicant_name"] == name
        # a second visit finds the same account (no second registration)
        again = call(
            "POST", "/v1/hall/cases", XUANWU_CIVIL, body={**body, "applicant": {**applicant, "phone": "13900000088"}}
        )
        assert again.status == 201
        assert len(call("GET", "/v1/cases", newcomer).body["items"]) == 2

    def test_a_name_that_does_not_match_the_id_number_is_refused_and_nothing_is_written(self) -> None:
        before = table_snapshot(), table_snapshot(IDENTITY_TABLE)
        body = {"item_code": NO_CRIMINAL_RECORD_NANJING, "applicant": {"id_number": PERSON_A.id_number, "name": "李娜"}}
        reply = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=body)
        assert (reply.status, reply.code) == (422, "identity.real_name_mismatch")
        assert reply.body["errors"][0]["field"] == "applicant.name"
        bad_check = {**body, "applicant": {"id_number": "320102198803150214", "name": "张伟"}}
        reply = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=bad_check)
        assert reply.status == 422
        assert reply.body["errors"][0]["field"] == "applicant.id_number"
        assert (table_snapshot(), table_snapshot(IDENTITY_TABLE)) == before

    def test_an_enterprise_applicant_must_be_its_legal_representative_or_authorised_agent(self) -> None:
        item = ENTERPRISE_ITEM_NANJING
        # an agent authorised online (scope cases): the case is the enterprise's, its agents see it
        agent = {"id_number": PERSON_AGENT.id_number, "name": PERSON_AGENT.name}
        reply = call(
            "POST",
            "/v1/hall/cases",
            XUANWU_CIVIL,
            body={"item_code": item, "applicant": agent, "applicant_uscc": ENTERPRISE},
        )
        assert reply.status == 201, reply.body
        assert "授权经办人" in reply.body["timeline"][0]["reason"]
        assert reply.body["form"]["uscc"] == ENTERPRISE
        assert reply.body["form"]["enterprise_name"] == ENTERPRISE_NAME
        assert reply.body["case_id"] in [c["case_id"] for c in call("GET", "/v1/cases", AGENT).body["items"]]
        # the legal representative (first visit: opens an account)
        name, id_number = LEGAL_REPRESENTATIVE
        representative = {"id_number": id_number, "name": name, "phone": "13900000077"}
        reply = call(
            "POST",
            "/v1/hall/cases",
            XUANWU_CIVIL,
            body={"item_code": item, "applicant": representative, "applicant_uscc": ENTERPRISE},
        )
        assert reply.status == 201, reply.body
        assert "法定代表人" in reply.body["timeline"][0]["reason"]
        # anyone else is refused, and nothing is written
        before = table_snapshot()
        stranger = {"id_number": PERSON_B.id_number, "name": PERSON_B.name}
        body = {"item_code": item, "applicant": stranger, "applicant_uscc": ENTERPRISE}
        refused = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=body)
        assert (refused.status, refused.code) == (403, "identity.applicant_not_authorised")
        # an agent of one enterprise is not an agent of another
        other = call(
            "POST",
            "/v1/hall/cases",
            XUANWU_CIVIL,
            body={**body, "applicant": agent, "applicant_uscc": OTHER_ENTERPRISE},
        )
        assert (other.status, other.code) == (403, "identity.applicant_not_authorised")
        assert table_snapshot() == before

    def test_a_written_authorisation_is_recorded_and_its_letter_required(self) -> None:
        stranger = {"id_number": PERSON_B.id_number, "name": PERSON_B.name}
        body = {
            "item_code": ENTERPRISE_ITEM_NANJING,
            "applicant": stranger,
            "applicant_uscc": ENTERPRISE,
            "written_authorisation": {"signed_on": "2026-09-18"},
        }
        reply = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=body)
        assert reply.status == 201, reply.body
        case_id = reply.body["case_id"]
        assert "书面授权委托书" in reply.body["timeline"][0]["reason"]
        assert "hall_power_of_attorney" in [s["slot_id"] for s in reply.body["material_slots"]]
        # submitted without the letter's scan: pre-review asks for it, even though the item does not list it
        assert attach(case_id, "business_licence", XUANWU_CIVIL).status == 200
        assert attach(case_id, "bank_account", XUANWU_CIVIL).status == 200
        assert submit(case_id, XUANWU_CIVIL).status == 200
        run_pre_review(case_id)
        case = call("GET", f"/v1/cases/{case_id}", XUANWU_CIVIL).body
        assert case["state"] == "supplement_required"
        assert [i["target"] for i in case["notice"]["items"]] == ["hall_power_of_attorney"]

    def test_an_unknown_enterprise_is_refused(self) -> None:
        body = {
            "item_code": ENTERPRISE_ITEM_NANJING,
            "applicant": {"id_number": PERSON_AGENT.id_number, "name": PERSON_AGENT.name},
            "applicant_uscc": "91320100MA1MUY8X3W",
        }
        reply = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=body)
        assert (reply.status, reply.code) == (422, "identity.unknown_enterprise")
        assert reply.body["errors"][0]["field"] == "applicant_uscc"

    def test_another_city_or_a_district_item_is_refused(self) -> None:
        person = {"id_number": PERSON_A.id_number, "name": PERSON_A.name}
        other_city = call(
            "POST",
            "/v1/hall/cases",
            SUZHOU_CIVIL,
            body={"item_code": NO_CRIMINAL_RECORD_NANJING, "applicant": person},
        )
        district = call("POST", "/v1/hall/cases", XUANWU_CIVIL, body={"item_code": SUBSISTENCE, "applicant": person})
        assert (other_city.status, other_city.code) == (403, "case.hall_intake_not_allowed")
        assert (district.status, district.code) == (403, "case.hall_intake_not_allowed")


class TestApplicantView:
    def test_my_cases_are_newest_first_and_paged(self) -> None:
        ids = []
        for minute in range(5):
            with frozen_at(OCTOBER + dt.timedelta(minutes=minute)):
                ids.append(new_case()["case_id"])
        new_case(CITIZEN_B)
        first = call("GET", "/v1/cases", CITIZEN_A, query={"limit": "3"}).body
        second = call("GET", "/v1/cases", CITIZEN_A, query={"limit": "3", "cursor": first["next_cursor"]}).body
        assert [c["case_id"] for c in first["items"] + second["items"]][:5] == list(reversed(ids))

    def test_withdrawing_before_a_decision(self) -> None:
        case_id = complete_subsistence_case()
        submit(case_id)
        reply = call("POST", f"/v1/cases/{case_id}/withdraw", CITIZEN_A, body={"reason": "材料需重新准备"})
        assert reply.body["state"] == "withdrawn"
        assert reply.body["required_actions"] == []
        assert call("POST", f"/v1/cases/{case_id}/withdraw", CITIZEN_A, body={"reason": "再次撤回"}).status == 409

    def test_the_timeline_verifies_and_a_tampered_entry_is_found(self) -> None:
        case_id = complete_subsistence_case()
        submit(case_id)
        assert call("GET", f"/v1/cases/{case_id}/timeline/verify", CITIZEN_A).body["valid"] is True
        boto3.client("dynamodb").update_item(
            TableName="cases-test",
            Key={"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "TL#00001"}},
            UpdateExpression="SET actor = :a",
            ExpressionAttributeValues={":a": {"S": "citizen:someone else"}},
        )
        result = call("GET", f"/v1/cases/{case_id}/timeline/verify", CITIZEN_A).body
        assert (result["valid"], result["broken_at"]) == (False, 1)

    def test_an_agent_applies_for_the_enterprise(self) -> None:
        case = new_case(AGENT, item_code=ENTERPRISE_ITEM)
        assert (case["applicant_kind"], case["applicant_uscc"]) == ("legal_person", ENTERPRISE)
        assert case["case_id"] in [c["case_id"] for c in call("GET", "/v1/cases", AGENT).body["items"]]
        # the same person signed in for themselves does not see the enterprise's case
        assert call("GET", f"/v1/cases/{case['case_id']}", {**AGENT, "role": "citizen", "acting_for": ""}).status == 404


class TestAccess:
    """Nobody else's case is reachable: 404 for whoever may not see it (as for a case that
    does not exist: no existence oracle), 403 only for those who see it but may not act."""

    @pytest.mark.parametrize(
        ("who", "read", "act"),
        [
            (CITIZEN_B, 404, 404),
            (AGENT, 404, 404),
            (XUANWU_POLICE, 404, 404),
            (SUZHOU_CIVIL, 404, 404),
            (NANJING_SUPERVISOR, 200, 403),
            (SUZHOU_SUPERVISOR, 404, 404),
            (PLATFORM_OPERATOR, 404, 404),
            (XUANWU_CIVIL, 200, 403),
        ],
    )
    def test_someone_elses_case(self, who: dict[str, str], read: int, act: int) -> None:
        case_id = complete_subsistence_case()
        before = table_snapshot()
        assert call("GET", f"/v1/cases/{case_id}", who).status == read
        assert call("GET", f"/v1/cases/{case_id}/timeline/verify", who).status == read
        assert submit(case_id, who).status == act
        assert call("PUT", f"/v1/cases/{case_id}/form", who, body={"form": {}}).status == act
        assert call("POST", f"/v1/cases/{case_id}/withdraw", who, body={"reason": "不是我的"}).status == act
        asked = {"slot_id": "id_card", "file_name": "a.pdf", "content_type": "application/pdf", "size_bytes": 10}
        tickets = {"materials": [asked | {"sha256": "0" * 64}]}
        assert call("POST", f"/v1/cases/{case_id}/materials/uploads", who, body=tickets).status == act
        ids = {"material_ids": ["01JDQ90F3W7C8M2T6R4K9N5XZZ"]}
        assert call("POST", f"/v1/cases/{case_id}/materials/confirm", who, body=ids).status == act
        assert table_snapshot() == before

    @pytest.mark.parametrize("who", [XUANWU_POLICE, SUZHOU_CIVIL, SUZHOU_SUPERVISOR])
    def test_another_department_cannot_tell_an_existing_case_from_a_missing_one(self, who: dict[str, str]) -> None:
        existing = complete_subsistence_case()
        missing = "01JDQ90F3W7C8M2T6R4K9N5ZZZ"
        for path in ("/v1/cases/{}", "/v1/cases/{}/timeline/verify"):
            found, absent = call("GET", path.format(existing), who), call("GET", path.format(missing), who)
            assert (found.status, found.code) == (absent.status, absent.code) == (404, "case.not_found")
        # acting on it as well (a supervisor's act is the extension approval)
        action = "accept" if who["role"] == "staff" else "extend"
        acted = call("POST", f"/v1/cases/{existing}/{action}", who, body={})
        assert (acted.status, acted.code) == (404, "case.not_found")

    def test_applicants_cannot_decide_and_staff_cannot_apply(self) -> None:
        case_id = complete_subsistence_case()
        # intake routes refuse applicants by role, whoever's case it is (nothing revealed)
        assert call("POST", f"/v1/cases/{case_id}/accept", CITIZEN_A).status == 403
        assert call("POST", f"/v1/cases/{case_id}/accept", CITIZEN_B).status == 403
        assert call("POST", "/v1/cases", XUANWU_CIVIL, body={"item_code": SUBSISTENCE}).status == 403
        assert call("GET", "/v1/cases", XUANWU_CIVIL).status == 403

    def test_no_token_is_401(self) -> None:
        assert call("GET", "/v1/cases", None).status == 401

    def test_unknown_case_is_404(self) -> None:
        reply = call("GET", "/v1/cases/01JDQ90F3W7C8M2T6R4K9N5XZZ", CITIZEN_A)
        assert (reply.status, reply.code) == (404, "case.not_found")


class TestSampleEvents:
    """The sample events in events/ (also for `sam local invoke -e`) are answered as documented."""

    SAMPLE_CASE_ID = "01JDQ9A0000000000000000C01"

    def _sample(self, name: str, case_id: str | None = None) -> dict[str, Any]:
        """The sample as committed; `case_id` puts a real case where the sample names its placeholder."""
        text = (ROOT / "events" / "case_api" / name).read_text(encoding="utf-8")
        if case_id is not None:
            assert self.SAMPLE_CASE_ID in text, name
            text = text.replace(self.SAMPLE_CASE_ID, case_id)
        return dict(json.loads(text))

    def _invoke(self, event: dict[str, Any]) -> tuple[int, Any]:
        answer = load_function("case_api").handler(event, FakeContext())
        return answer["statusCode"], json.loads(answer["body"] or "null")

    def test_the_case_api_samples_walk_one_application_through_the_real_logic(self) -> None:
        # The applicant's samples: create, read, fill the form, ask for an upload ticket
        status, created = self._invoke(self._sample("case-create.json"))
        assert status == 201, created
        case_id = created["case_id"]
        assert (created["state"], created["item_code"]) == ("draft", SUBSISTENCE)
        status, mine = self._invoke(self._sample("cases-mine.json"))
        assert status == 200
        assert case_id in [c["case_id"] for c in mine["items"]]
        status, read = self._invoke(self._sample("case-get.json", case_id))
        assert (status, read["case_id"], read["state"]) == (200, case_id, "draft")
        status, filled = self._invoke(self._sample("case-form-put.json", case_id))
        assert status == 200, filled
        assert filled["form"]["household_size"] == 3
        status, ticket = self._invoke(self._sample("material-upload.json", case_id))
        assert status == 201, ticket
        assert ticket["url"]
        assert ticket["material_id"]
        # Submitting it (the ticket was never used) is taken, and pre-review sends the one-time notice
        status, submitted = self._invoke(self._sample("case-submit.json", case_id))
        assert (status, submitted["state"]) == (200, "submitted"), submitted
        run_pre_review(case_id)
        status, noticed = self._invoke(self._sample("case-get.json", case_id))
        assert noticed["state"] == "supplement_required"
        assert {i["target"] for i in noticed["notice"]["items"]} >= {"id_card", "household_register"}
        # The same samples on a complete case: submitted, pre-reviewed, then accepted by the clerk
        complete = complete_subsistence_case()
        status, submitted = self._invoke(self._sample("case-submit.json", complete))
        assert (status, submitted["state"]) == (200, "submitted"), submitted
        run_pre_review(complete)
        status, queue = self._invoke(self._sample("work-queue.json"))
        assert status == 200
        assert complete in [c["case_id"] for c in queue["items"]]
        status, accepted = self._invoke(self._sample("case-accept.json", complete))
        assert (status, accepted["state"]) == (200, "accepted"), accepted
        assert accepted["deadlines"]["promised_days"] == 20

    def test_a_sample_naming_a_case_that_does_not_exist_is_404_case_not_found(self) -> None:
        status, body = self._invoke(self._sample("case-get.json"))
        assert (status, body["code"]) == (404, "case.not_found")

    def test_a_submitted_event_for_an_unknown_case_is_retried(self) -> None:
        event = json.loads(
            (ROOT / "events" / "pre_review_worker" / "sqs-case-submitted.json").read_text(encoding="utf-8")
        )
        result = load_function("pre_review_worker").handler(event, FakeContext())
        assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}

    def test_the_scheduled_sweep_sample(self) -> None:
        event = json.loads((ROOT / "events" / "intake_sweep" / "scheduled-hourly.json").read_text(encoding="utf-8"))
        assert load_function("intake_sweep").handler(event, LongRunningContext())["finished"] is True
