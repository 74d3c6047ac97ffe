"""Once-only reuse in an application (C15, 一次提交、多次复用): a material slot
the catalogue says a licence type can stand in for is filled from the
applicant's own valid licence instead of an upload, with a consent record;
pre-review verifies such licences automatically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.unit import licences_fixtures as lic
from tests.unit.cases_fixtures import CITIZEN_A, CITIZEN_B, ENTERPRISE_ITEM, attach, cases_cloud, run_pre_review, submit

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
FORM = {"enterprise_name": "张伟便利店", "uscc": "92320115MA1W8K3R68"}


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    """The cases cloud plus what the licences context needs, in the same moto."""
    with cases_cloud(), pytest.MonkeyPatch.context() as patch:
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**lic.create_table_arguments("LicencesTable", lic.LICENCES_TABLE))
        dynamodb.create_table(**lic.create_table_arguments("IdentityTable", lic.IDENTITY_TABLE))
        boto3.client("s3").create_bucket(
            Bucket=lic.LICENCES_BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        kms = boto3.client("kms")
        signing_key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        for name, value in {
            "LICENCES_TABLE": lic.LICENCES_TABLE,
            "LICENCES_BUCKET": lic.LICENCES_BUCKET,
            "IDENTITY_TABLE": lic.IDENTITY_TABLE,
            "LICENCE_SIGNING_KEY_ID": signing_key,
            "LICENCE_STATUS_LIST_SIZE": "16384",
        }.items():
            patch.setenv(name, value)
        lic.forget_cached()
        lic._seed_holders()
        yield
        lic.forget_cached()


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


def _licence_of_citizen_a() -> str:
    due = lic.licence_due()  # the holder is citizen A (the same subject id in both fixtures)
    assert lic.issue(due) == {"batchItemFailures": []}
    [licence_id] = lic.licence_ids_of_case(due["data"]["case_id"])
    return licence_id


def _draft() -> str:
    created = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": ENTERPRISE_ITEM})
    assert created.status == 201, created.body
    case_id = str(created.body["case_id"])
    assert call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": FORM}).status == 200
    return case_id


def _use(case_id: str, licence_id: str, who: dict[str, str] = CITIZEN_A, slot: str = "business_licence") -> Any:
    return call(
        "POST", f"/v1/cases/{case_id}/materials/from-licence", who, body={"slot_id": slot, "licence_id": licence_id}
    )


def test_a_licence_stands_in_for_the_material_and_pre_review_accepts_it(cloud: None) -> None:
    licence_id = _licence_of_citizen_a()
    case_id = _draft()
    used = _use(case_id, licence_id)
    assert used.status == 200, used.body
    [material] = [m for m in used.body["materials"] if m["slot_id"] == "business_licence"]
    assert material["licence"]["licence_id"] == licence_id
    assert material["format"] == "e_licence"
    assert _use(case_id, licence_id).status == 200  # twice is harmless
    assert attach(case_id, "bank_account", CITIZEN_A).status == 200
    assert submit(case_id).status == 200
    run_pre_review(case_id)
    case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
    assert case["state"] == "pre_review_passed", case.get("notice")
    usage = call("GET", "/v1/me/licence-usage", lic.CITIZEN).body["items"]
    assert any(u["kind"] == "consent" and u["case_id"] == case_id and u["licence_ids"] == [licence_id] for u in usage)


def test_pre_review_names_a_licence_that_stopped_being_valid(cloud: None) -> None:
    licence_id = _licence_of_citizen_a()
    case_id = _draft()
    assert _use(case_id, licence_id).status == 200
    assert attach(case_id, "bank_account", CITIZEN_A).status == 200
    revoked = call("POST", f"/v1/licences/{licence_id}/revoke", lic.ISSUER_STAFF, body={"reason": "依法撤销"})
    assert revoked.status == 200
    assert submit(case_id).status == 200
    run_pre_review(case_id)
    case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
    assert case["state"] == "supplement_required"
    [item] = case["notice"]["items"]
    assert item["kind"] == "licence_not_valid"
    assert "已被撤销" in item["message"]


def test_only_the_applicants_own_valid_licence_for_a_licence_slot(cloud: None) -> None:
    licence_id = _licence_of_citizen_a()
    case_id = _draft()
    wrong_slot = _use(case_id, licence_id, slot="bank_account")
    assert (wrong_slot.status, wrong_slot.body["errors"][0]["code"]) == (422, "case.slot_takes_no_licence")
    assert _use(case_id, licence_id, slot="no_such_slot").status == 422
    assert _use(case_id, "01JDQ90F3W7C8M2T6R4K9N0000").status == 404
    other_case = call("POST", "/v1/cases", CITIZEN_B, body={"item_code": ENTERPRISE_ITEM}).body["case_id"]
    assert _use(other_case, licence_id, who=CITIZEN_B).status == 404  # not B's licence
    call("POST", f"/v1/licences/{licence_id}/suspend", lic.ISSUER_STAFF, body={"reason": "暂扣"})
    suspended = _use(case_id, licence_id)
    assert (suspended.status, suspended.code) == (409, "licence.not_usable")
