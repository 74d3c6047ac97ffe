"""Forms trust the verified identity (issue 23 point 2, C15): fields the item's form
schema binds with `x-identity` are prefilled from the signed-in person (or the
enterprise they act for), served read-only, never stored as typed, and a
different value is refused naming the field. case_api's handler against moto."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.support.template_tables import stored_text
from tests.unit.cases_fixtures import (
    AGENT,
    CASES_TABLE,
    CITIZEN_A,
    CITIZEN_B,
    ENTERPRISE,
    ENTERPRISE_ITEM,
    ENTERPRISE_NAME,
    IDENTITY_TABLE,
    NO_CRIMINAL_RECORD_NANJING,
    PERSON_A,
    PERSON_B,
    XUANWU_CIVIL,
    cases_cloud,
    complete_subsistence_case,
    new_case,
    run_pre_review,
    submit,
    table_snapshot,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
MASKED_A = "320102********0213"


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with cases_cloud():
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


def test_a_draft_shows_the_verified_identity_prefilled_and_read_only() -> None:
    case = new_case()
    # the applicant's name and ID number are there before they type anything; the ID number masked
    assert case["form"] == {"applicant_name": "张伟", "id_number": MASKED_A}
    properties = case["form_schema"]["properties"]
    assert properties["applicant_name"]["readOnly"] is True
    assert properties["id_number"]["x-identity"] == "person.id_number"
    assert "pattern" not in properties["id_number"]  # a masked value is shown, not typed
    assert "readOnly" not in properties["household_size"]
    # the same on a later read, by the applicant
    again = call("GET", f"/v1/cases/{case['case_id']}", CITIZEN_A).body
    assert again["form"]["id_number"] == MASKED_A
    assert PERSON_A.id_number not in json.dumps(again, ensure_ascii=False)


def test_another_persons_id_number_or_name_is_refused_and_nothing_is_written() -> None:
    case_id = new_case()["case_id"]
    before = table_snapshot()
    # When 张伟 types 李娜's ID number and name into his own form
    form = {"household_size": 3, "id_number": PERSON_B.id_number, "applicant_name": PERSON_B.name}
    reply = call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": form})
    # Then both fields are named, with a stable code, and nothing is saved
    assert (reply.status, reply.code) == (422, "case.identity_mismatch")
    assert {(e["field"], e["code"]) for e in reply.body["errors"]} == {
        ("form.id_number", "case.form_identity_mismatch"),
        ("form.applicant_name", "case.form_identity_mismatch"),
    }
    assert table_snapshot() == before
    # and the answer does not echo the number it refused
    assert PERSON_B.id_number not in json.dumps(reply.body, ensure_ascii=False)
    english = call(
        "PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": form}, headers={"Accept-Language": "en"}
    )
    assert "verified ID number" in json.dumps(english.body)


def test_the_verified_values_may_be_sent_back_and_are_not_stored_as_typed() -> None:
    case_id = new_case()["case_id"]
    # a client that sends the whole form back (the masked number as shown, or the real one) is accepted
    for id_number in (MASKED_A, PERSON_A.id_number, PERSON_A.id_number.lower()):
        form = {"applicant_name": " 张伟", "id_number": id_number, "household_size": 3}
        reply = call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": form})
        assert reply.status == 200, reply.body
        assert reply.body["form"]["id_number"] == MASKED_A
    # the raw number is nowhere in the cases table
    assert PERSON_A.id_number not in stored_text(CASES_TABLE)


def test_pre_review_passes_a_form_whose_identity_fields_were_never_typed() -> None:
    case_id = complete_subsistence_case()
    assert submit(case_id).status == 200
    run_pre_review(case_id)
    assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["state"] == "pre_review_passed"


def test_each_applicant_sees_their_own_identity() -> None:
    theirs = new_case(CITIZEN_B)
    assert theirs["form"] == {"applicant_name": PERSON_B.name, "id_number": "320106********0461"}
    # 李娜 cannot claim 张伟's number either
    reply = call(
        "PUT", f"/v1/cases/{theirs['case_id']}/form", CITIZEN_B, body={"form": {"id_number": PERSON_A.id_number}}
    )
    assert (reply.status, reply.code) == (422, "case.identity_mismatch")


def test_an_agent_sees_the_enterprise_from_the_registry() -> None:
    case = new_case(AGENT, item_code=ENTERPRISE_ITEM)
    assert case["form"]["uscc"] == ENTERPRISE
    assert case["form"]["enterprise_name"] == ENTERPRISE_NAME
    assert case["form"]["legal_representative"] == "陈明"
    other = {"uscc": "91320505MA27QH4N9H"}
    reply = call("PUT", f"/v1/cases/{case['case_id']}/form", AGENT, body={"form": other})
    assert (reply.status, reply.code) == (422, "case.identity_mismatch")
    assert reply.body["errors"][0]["field"] == "form.uscc"


def test_enterprise_fields_the_identity_cannot_fill_are_asked_of_a_person_filing_for_no_enterprise() -> None:
    # 税务登记 binds the enterprise's name and code; a person filing for their 个体户 has no enterprise
    # the identity knows, so those fields are asked (not read-only) while their own name stays bound
    case = new_case(CITIZEN_A, item_code=ENTERPRISE_ITEM)
    properties = case["form_schema"]["properties"]
    assert "readOnly" not in properties["uscc"]
    assert "uscc" not in case["form"]
    form = {"uscc": "92320115MA1W8K3R60", "enterprise_name": "张伟便利店"}
    reply = call("PUT", f"/v1/cases/{case['case_id']}/form", CITIZEN_A, body={"form": form})
    assert reply.status == 200, reply.body
    assert reply.body["form"]["uscc"] == "92320115MA1W8K3R60"


def test_no_raw_id_number_is_logged(capsys: pytest.CaptureFixture[str]) -> None:
    case_id = new_case()["case_id"]
    call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": {"id_number": PERSON_B.id_number}})
    call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": {"id_number": PERSON_A.id_number}})
    hall = {"item_code": NO_CRIMINAL_RECORD_NANJING, "applicant": {"id_number": PERSON_A.id_number, "name": "张伟"}}
    assert call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=hall).status == 201
    mismatch = {**hall, "applicant": {"id_number": PERSON_B.id_number, "name": "张伟"}}
    assert call("POST", "/v1/hall/cases", XUANWU_CIVIL, body=mismatch).status == 422
    logged = capsys.readouterr()
    for raw in (PERSON_A.id_number, PERSON_B.id_number):
        assert raw not in logged.out
        assert raw not in logged.err
    assert table_snapshot(IDENTITY_TABLE)  # the identity table was really there
