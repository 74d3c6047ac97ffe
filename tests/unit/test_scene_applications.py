"""Scene applications (一件事, D-279): one submission of 开餐馆's combined form opens one
case per selected item in its department's queue, idempotently; one progress view
follows the cases' events; the scene completes when every case is finished, and the
applicant gets a message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.items import new_item_bodies
from infra.template import ROOT
from shared.cases.application import Application
from shared.cases.repository import APPLICATION_SK, joined_case
from shared.catalog.service import CatalogService
from shared.notifications.consumers import message_for
from shared.platform.aws import count_calls
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.events import Envelope
from shared.scenes import service as scenes_service_module
from shared.scenes.events import scene_case_id
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import OUTBOX_ITEMS
from tests.unit.cases_fixtures import (
    AGENT,
    CASES_TABLE,
    CITIZEN_B,
    PDF,
    SUBJECT_AGENT,
    XUANWU_CIVIL,
    cases_cloud,
    outbox,
    sha256_hex,
    table_arguments,
    upload_as_posted,
)

SCENES_TABLE = "scenes-test"
FOOD = "11320102010102043T4000117004000"
COMPANY = "11320102010102043T4000117002002"
INVOICES = "11320102010102051M4002015003001"
SOLE_TRADER = "11320102010102043T4000117002001"
FIRE_SAFETY = "11320102010102107Q4000122001000"
SIGNBOARD = "11320102010102115K4320118002000"
RESTAURANT = "320102-restaurant"
COMPANY_ANSWERS = {"business_form": "公司", "invoices": "是", "public_assembly": "否", "signboard": "否"}
FORM = {
    "enterprise_name": "南京玄武示范餐饮有限公司",
    "legal_representative": "陈明",
    "domicile": "南京市玄武区中山路 1 号",
    "premises_address": "南京市玄武区中山路 1 号",
    "business_scope": ["热食类食品制售"],
    "invoice_kind": "增值税普通发票",
    "quantity": 25,
}
# each item's own slots (per item), and those several items ask (once)
OWN_SLOTS = {
    COMPANY: ("application_form", "articles", "shareholder_ids", "officer_appointment", "premises_proof"),
    FOOD: ("application_form", "layout_plan", "safety_rules"),
    INVOICES: ("agent_id",),
}
SHARED_SLOTS = ("business_licence",)


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    """The cases cloud, the scenes table and Xuanwu's restaurant items with their scene."""
    with cases_cloud(), pytest.MonkeyPatch.context() as patch:
        boto3.client("dynamodb").create_table(**table_arguments("ScenesTable", SCENES_TABLE))
        patch.setenv("SCENES_TABLE", SCENES_TABLE)
        scenes_service_module.scenes_service.cache_clear()
        codes = {FOOD, COMPANY, INVOICES, SOLE_TRADER, FIRE_SAFETY, SIGNBOARD}  # the scene needs all its items
        load_catalog(CatalogService(), [b for b in new_item_bodies() if b["implementation_code"] in codes])
        yield
        scenes_service_module.scenes_service.cache_clear()


def upload(who: dict[str, str], slot_id: str, implementation_code: str | None = None) -> dict[str, str]:
    """Ask for the upload form and post the file: the applicant's two steps."""
    reply = call(
        "POST",
        "/v1/scene-uploads",
        who,
        body={
            "slot_id": slot_id,
            "file_name": f"{slot_id}.pdf",
            "content_type": "application/pdf",
            "size_bytes": len(PDF),
            "sha256": sha256_hex(PDF),
        },
    )
    assert reply.status == 201, reply.body
    upload_as_posted(reply.body, PDF)
    material = {"slot_id": slot_id, "material_id": reply.body["material_id"]}
    return material | ({"implementation_code": implementation_code} if implementation_code else {})


def all_materials(who: dict[str, str]) -> list[dict[str, str]]:
    own = [upload(who, slot, code) for code, slots in OWN_SLOTS.items() for slot in slots]
    return own + [upload(who, slot) for slot in SHARED_SLOTS]


@pytest.fixture(scope="module")
def materials() -> list[dict[str, str]]:
    """The agent's files, each uploaded once (an upload may serve several applications)."""
    return all_materials(AGENT)


@dataclass
class Opened:
    application: dict[str, Any]
    calls: dict[str, int]
    cases: dict[str, dict[str, Any]]
    opening: dict[str, int]


@pytest.fixture(scope="module")
def opened(materials: list[dict[str, str]]) -> Opened:
    """A company's 开餐馆 application, submitted (AWS calls counted) and its cases opened."""
    body = {"scene_id": RESTAURANT, "answers": COMPANY_ANSWERS, "form": FORM, "materials": materials}
    with count_calls() as calls:
        reply = submit_scene(AGENT, body)
    assert reply.status == 201, reply.body
    with count_calls() as opening:
        assert open_cases(submitted_event(reply.body["application_id"])) == {"batchItemFailures": []}
    cases = {c["item"]["implementation_code"]: c for c in cases_of(reply.body["application_id"])}
    return Opened(reply.body, dict(calls), cases, dict(opening))


def submit_scene(who: dict[str, str], body: dict[str, Any], key: str | None = None) -> Any:
    return call("POST", "/v1/scene-applications", who, body=body, headers={"Idempotency-Key": key} if key else None)


def scene_outbox(event_type: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodb")
    found: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=SCENES_TABLE, **OUTBOX_ITEMS):
        for raw in page["Items"]:
            item = from_item(raw)
            if item.get("kind") == "outbox":
                found.extend(e for e in outbox_events(item) if e["type"] == event_type)
    return found


def submitted_event(application_id: str) -> dict[str, Any]:
    [event] = [e for e in scene_outbox("scene_application.submitted") if e["subject"] == application_id]
    return event


def open_cases(event: dict[str, Any], *, receive_count: int = 1) -> dict[str, Any]:
    result: dict[str, Any] = load_function("scene_case_opener").handler(
        sqs_event([event], receive_count=receive_count, queue="SceneCasesQueue"), FakeContext()
    )
    return result


def cases_of(application_id: str) -> list[dict[str, Any]]:
    """The scene's cases as stored, each with its application (D-277), as the case API shows them."""
    client = boto3.client("dynamodb")
    items = [
        from_item(raw) for page in client.get_paginator("scan").paginate(TableName=CASES_TABLE) for raw in page["Items"]
    ]
    applications = {i["pk"]: i for i in items if i["sk"] == APPLICATION_SK}
    cases = [joined_case(i, applications.get(i["pk"])) for i in items if i["sk"] == "CASE"]
    return [case.model_dump(mode="json") for case in cases if case and case.scene_application_id == application_id]


def follow(events: list[dict[str, Any]]) -> None:
    """Deliver case events to the progress consumer, as SceneProgressRule would."""
    result = load_function("scene_progress").handler(sqs_event(events, queue="SceneProgressQueue"), FakeContext())
    assert result == {"batchItemFailures": []}


def case_events_of(application_id: str) -> list[dict[str, Any]]:
    return [e for e in outbox() if e["data"].get("scene_application_id") == application_id]


def test_one_submission_opens_one_case_per_item_in_each_departments_queue(opened: Opened) -> None:
    # Given an agent of a company opening a restaurant that issues invoices, with every material uploaded once,
    # when they submit the one combined form (the `opened` fixture)
    application, calls = opened.application, opened.calls
    # reads: the guide (one GetItem, two BatchGetItems), one GetObject per shared file; one transaction
    assert calls["dynamodb.TransactWriteItems"] == 1
    assert calls["s3.GetObject"] == len(OWN_SLOTS[COMPANY] + OWN_SLOTS[FOOD] + OWN_SLOTS[INVOICES] + SHARED_SLOTS)
    assert [(c["implementation_code"], c["department_name"]) for c in application["cases"]] == [
        (COMPANY, "南京市玄武区市场监督管理局"),
        (FOOD, "南京市玄武区市场监督管理局"),
        (INVOICES, "国家税务总局南京市玄武区税务局"),
    ]
    assert application["state"] == "submitted"
    # Then the queue consumer opened three cases, each submitted in its own department's queue: per case a
    # number (UpdateItem), a draft and a submission (two transactions), per copied file CopyObject, GetObject
    # (the check) and PutItem (the case's material list); every read of a case is one Query of its own
    # partition (the case and its application, D-277), never an index; no Scan (docs/performance.md)
    opening = opened.opening
    copies = 1 + 1 + 5 + 3 + 1  # the business licence twice, the company's five, the food licence's three, agent_id
    assert (opening["dynamodb.UpdateItem"], opening["dynamodb.TransactWriteItems"]) == (3, 6)
    assert opening["s3.CopyObject"] == opening["s3.GetObject"] == opening["dynamodb.PutItem"] == copies
    assert opening["dynamodb.Query"] == 31
    assert "dynamodb.Scan" not in opening
    cases = opened.cases
    assert set(cases) == {COMPANY, FOOD, INVOICES}
    assert {code: (c["state"], c["item"]["department_id"]) for code, c in cases.items()} == {
        COMPANY: ("submitted", "320102-market"),
        FOOD: ("submitted", "320102-market"),
        INVOICES: ("submitted", "320102-tax"),
    }
    # each with its own intake clock, the form's fields of its own item and its materials
    assert all(c["intake_due_on"] for c in cases.values())
    assert cases[INVOICES]["form"] == {"invoice_kind": "增值税普通发票", "quantity": 25}
    slots = {code: sorted(m["slot_id"] for m in c["materials"]) for code, c in cases.items()}
    assert slots == {code: sorted((*OWN_SLOTS[code], *SHARED_SLOTS)) for code in (COMPANY, FOOD, INVOICES)} | {
        COMPANY: sorted(OWN_SLOTS[COMPANY])  # the company registration does not ask the business licence
    }
    # the shared business licence was uploaded once and copied into the two cases that ask it
    licence_files = {m["sha256"] for c in cases.values() for m in c["materials"] if m["slot_id"] == "business_licence"}
    assert len(licence_files) == 1
    # And the progress view shows each case, by its number and state, as its events arrive
    follow(case_events_of(application["application_id"]))
    view = call("GET", f"/v1/scene-applications/{application['application_id']}", AGENT).body
    assert view["state"] == "submitted"
    assert [(c["case_number"], c["state"]) for c in view["cases"]] == [
        (cases[code]["case_number"], "submitted") for code in (COMPANY, FOOD, INVOICES)
    ]
    # nobody else reads it
    other = call("GET", f"/v1/scene-applications/{application['application_id']}", CITIZEN_B)
    assert (other.status, other.body["code"]) == (404, "scenes.application_not_found")
    staff = call("GET", f"/v1/scene-applications/{application['application_id']}", XUANWU_CIVIL)
    assert staff.status == 404


def test_a_large_restaurant_with_a_signboard_opens_five_cases_in_four_departments_queues(
    materials: list[dict[str, str]],
) -> None:
    # Given the same agent, whose restaurant is over 150 m² and will have a shop sign (D-314)
    answers = COMPANY_ANSWERS | {"public_assembly": "是", "signboard": "是"}
    own = {FIRE_SAFETY: ("fire_application", "fire_commitment", "fire_plan"), SIGNBOARD: ("signboard_design",)}
    extra = [upload(AGENT, slot, code) for code, slots in own.items() for slot in slots]
    form = FORM | {"floor_area_m2": 180, "signboard_text": "玄武示范餐厅"}
    # When they submit the one form with the files uploaded before and the four new ones
    body = {"scene_id": RESTAURANT, "answers": answers, "form": form, "materials": materials + extra}
    reply = submit_scene(AGENT, body)
    assert reply.status == 201, reply.body
    assert open_cases(submitted_event(reply.body["application_id"])) == {"batchItemFailures": []}
    # Then five cases open, the fire check with the fire brigade and the signboard with urban management
    cases = {c["item"]["implementation_code"]: c for c in cases_of(reply.body["application_id"])}
    assert {code: (c["state"], c["item"]["department_id"]) for code, c in cases.items()} == {
        COMPANY: ("submitted", "320102-market"),
        FOOD: ("submitted", "320102-market"),
        INVOICES: ("submitted", "320102-tax"),
        FIRE_SAFETY: ("submitted", "320102-fire"),
        SIGNBOARD: ("submitted", "320102-urban"),
    }
    # each with its own answers of the one form and the shared business licence among its files
    assert (cases[FIRE_SAFETY]["form"]["floor_area_m2"], cases[SIGNBOARD]["form"]["signboard_text"]) == (
        180,
        "玄武示范餐厅",
    )
    assert cases[FIRE_SAFETY]["form"]["premises_address"] == FORM["premises_address"]
    slots = {code: sorted(m["slot_id"] for m in cases[code]["materials"]) for code in own}
    assert slots == {code: sorted((*own[code], "business_licence")) for code in own}


def test_a_redelivered_submission_after_failures_between_cases_opens_each_case_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the sample's submission (three items, no files: opening is what is tested), under a new application id
    application_id = "01JDQ9A0000000000000000S02"
    delivered = sample("scene_case_opener", "sqs-scene-submitted.json")["Records"][0]["body"]
    event = json.loads(delivered)["detail"]
    event["subject"] = event["data"]["application_id"] = application_id
    for case in event["data"]["cases"]:
        case["case_id"] = scene_case_id(application_id, case["implementation_code"])
    event["data"]["materials"] = []
    real_new_case, real_submit = Application._new_case, Application.submit
    drafted: list[str] = []

    def new_case_failing_on_the_second(self: Application, *args: Any, **kwargs: Any) -> Any:
        drafted.append(kwargs["case_id"])
        if len(drafted) == 2:
            raise ConnectionError("injected: the table went away before the second case")
        return real_new_case(self, *args, **kwargs)

    submits: list[str] = []

    def submit_failing_on_the_third(self: Application, principal: Any, case_id: str, *args: Any, **kwargs: Any) -> Any:
        submits.append(case_id)
        if len(submits) == 2:  # the first case was submitted on the first delivery
            raise ConnectionError("injected: lost before submitting the third case")
        return real_submit(self, principal, case_id, *args, **kwargs)

    # Given a first delivery that dies between the first and the second case
    monkeypatch.setattr(Application, "_new_case", new_case_failing_on_the_second)
    assert len(open_cases(event)["batchItemFailures"]) == 1
    assert len(cases_of(application_id)) == 1
    # and a second that drafts the rest but dies before submitting the third
    monkeypatch.setattr(Application, "submit", submit_failing_on_the_third)
    assert len(open_cases(event, receive_count=2)["batchItemFailures"]) == 1
    monkeypatch.undo()
    # When the message is delivered a third and a fourth time
    assert open_cases(event, receive_count=3) == {"batchItemFailures": []}
    assert open_cases(event, receive_count=3) == {"batchItemFailures": []}
    # Then each item has exactly one case, submitted exactly once, with its materials once
    cases = cases_of(application_id)
    assert sorted(c["item"]["implementation_code"] for c in cases) == sorted([COMPANY, FOOD, INVOICES])
    assert all(c["state"] == "submitted" for c in cases)
    assert all(len({m["slot_id"] for m in c["materials"]}) == len(c["materials"]) for c in cases)
    for case in cases:
        assert len(outbox("case.submitted", case["case_id"])) == 1


def test_two_moves_under_one_case_version_show_the_later_in_any_order(opened: Opened) -> None:
    # a 即办 item's pre-review passes and accepts it in one transaction: two events, one version
    application_id = opened.application["application_id"]
    for code, later_first in ((COMPANY, False), (INVOICES, True)):
        [submitted] = [e for e in case_events_of(application_id) if e["data"]["item_code"] == code]
        version = submitted["data"]["version"] + 1
        moves = [
            submitted
            | {"id": f"01JDQ9A00000000000000{n}P{int(later_first)}{n}", "type": f"case.{state}"}
            | {"data": submitted["data"] | {"version": version, "state": state}}
            for n, state in enumerate(("pre_review_passed", "accepted"))
        ]
        follow(moves[::-1] if later_first else moves)
    view = call("GET", f"/v1/scene-applications/{application_id}", AGENT).body
    states = {c["implementation_code"]: c["state"] for c in view["cases"]}
    assert (states[COMPANY], states[INVOICES]) == ("accepted", "accepted")


def test_the_scene_completes_when_every_case_is_finished_and_the_applicant_is_told(opened: Opened) -> None:
    application_id = opened.application["application_id"]
    follow(case_events_of(application_id))
    # When the applicant withdraws two cases, the scene is not complete yet
    cases = sorted(cases_of(application_id), key=lambda c: c["case_id"])
    for case in cases[:2]:
        reply = call("POST", f"/v1/cases/{case['case_id']}/withdraw", AGENT, body={"reason": "改为线下办理"})
        assert reply.status == 200, reply.body
    follow([e for e in case_events_of(application_id) if e["type"] == "case.withdrawn"])
    assert call("GET", f"/v1/scene-applications/{application_id}", AGENT).body["state"] == "submitted"
    # When the last case finishes
    reply = call("POST", f"/v1/cases/{cases[2]['case_id']}/withdraw", AGENT, body={"reason": "改为线下办理"})
    assert reply.status == 200, reply.body
    withdrawn = [e for e in case_events_of(application_id) if e["type"] == "case.withdrawn"]
    follow(withdrawn)
    # and its events arrive again, and an older one late
    follow([*withdrawn, case_events_of(application_id)[0]])
    # Then the application is complete, once, and every case shows its final state
    view = call("GET", f"/v1/scene-applications/{application_id}", AGENT).body
    assert view["state"] == "completed"
    assert {c["state"] for c in view["cases"]} == {"withdrawn"}
    [completed] = [e for e in scene_outbox("scene_application.completed") if e["subject"] == application_id]
    assert (completed["data"]["cases"], completed["data"]["completed"]) == (3, 0)
    # and the applicant's message says so
    inbox, message = message_for(Envelope.model_validate(completed))
    assert inbox == SUBJECT_AGENT
    assert message.title == "一件事“开餐馆”已办完"
    assert "3 个事项均已办理完毕" in message.body


def test_missing_fields_and_materials_are_named_before_anything_is_opened() -> None:
    materials = [upload(CITIZEN_B, "business_licence")]
    reply = submit_scene(
        CITIZEN_B,
        {"scene_id": RESTAURANT, "answers": COMPANY_ANSWERS, "form": {"colour": "red"}, "materials": materials},
    )
    assert (reply.status, reply.body["code"]) == (422, "scenes.invalid_submission")
    errors = {(e["field"], e["code"]) for e in reply.body["errors"]}
    assert ("form.colour", "scenes.unknown_field") in errors
    assert ("form.domicile", "scenes.field_required") in errors
    assert ("materials.articles", "scenes.material_required") in errors
    # identity-bound fields are filled by each case from the verified identity: not asked
    assert ("form.uscc", "scenes.field_required") not in errors
    # a material id that was never uploaded (or is someone else's) is refused
    stranger = {"slot_id": "business_licence", "material_id": materials[0]["material_id"]}
    reply = submit_scene(
        AGENT, {"scene_id": RESTAURANT, "answers": COMPANY_ANSWERS, "form": FORM, "materials": [stranger]}
    )
    assert ("materials.0.material_id", "scenes.material_not_uploaded") in {
        (e["field"], e["code"]) for e in reply.body["errors"]
    }


def test_a_retried_submission_with_its_key_is_one_application(materials: list[dict[str, str]]) -> None:
    body = {"scene_id": RESTAURANT, "answers": COMPANY_ANSWERS, "form": FORM, "materials": materials}
    first = submit_scene(AGENT, body, key="scene-retry-1")
    again = submit_scene(AGENT, body, key="scene-retry-1")
    assert first.status == again.status == 201
    assert first.body["application_id"] == again.body["application_id"]
    assert (
        len([e for e in scene_outbox("scene_application.submitted") if e["subject"] == first.body["application_id"]])
        == 1
    )


def sample(folder: str, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "events" / folder / name).read_text("utf-8"))
    return loaded


def test_the_samples_drive_the_three_functions() -> None:
    # the upload sample gets an upload form
    reply = load_function("scenes_api").handler(sample("scenes_api", "scene-upload.json"), FakeContext())
    assert reply["statusCode"] == 201, reply["body"]
    assert json.loads(reply["body"])["fields"]["key"].startswith("scene-uploads/01JDQ90F3W7C8M2T6R4K9N5XC3/")
    # the submitted sample opens its three cases (its shared file was never uploaded: each case's
    # pre-review will ask for it), and a second delivery opens none
    opener = load_function("scene_case_opener").handler
    delivery = sample("scene_case_opener", "sqs-scene-submitted.json")
    assert opener(delivery, FakeContext()) == {"batchItemFailures": []}
    assert opener(delivery, FakeContext()) == {"batchItemFailures": []}
    cases = cases_of("01JDQ9A0000000000000000S01")
    assert sorted((c["item"]["department_id"], c["state"], len(c["materials"])) for c in cases) == [
        ("320102-market", "submitted", 0),
        ("320102-market", "submitted", 0),
        ("320102-tax", "submitted", 0),
    ]
    # the progress sample names an application this table does not hold: acknowledged, nothing written
    before = scene_outbox("scene_application.completed")
    progress = load_function("scene_progress").handler(
        sample("scene_progress", "sqs-case-submitted.json"), FakeContext()
    )
    assert progress == {"batchItemFailures": []}
    assert scene_outbox("scene_application.completed") == before
