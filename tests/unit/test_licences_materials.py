"""Once-only reuse in an application (C15, 一次提交、多次复用): a material slot
the catalogue says a licence type can stand in for is filled from the
applicant's own valid licence instead of an upload, with a consent record;
pre-review verifies such licences automatically. Files an earlier case of the
applicant's accepted are reused the same way (D-212). Renewal (延续) builds on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.items import new_item_bodies
from shared.catalog.service import CatalogService
from shared.licences import verify as offline
from shared.licences.payload import Reason, Result
from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit import licences_fixtures as lic
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    CITIZEN_B,
    ENTERPRISE_ITEM,
    MATERIALS_BUCKET,
    SUBSISTENCE_FORM,
    XUANWU_CIVIL,
    attach,
    cases_cloud,
    complete_subsistence_case,
    limit_facts,
    new_case,
    principal,
    run_pre_review,
    submit,
)
from tests.unit.cases_fixtures import outbox as cases_outbox
from tests.unit.cases_fixtures import outbox as outbox

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
JIANGNING_MARKET = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM1", department_id="320115-market", region_code="320115")
FORM = {"enterprise_name": "张伟便利店", "uscc": "92320115MA1W8K3R60"}


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    """The cases cloud plus what the licences context needs, in the same moto."""
    with cases_cloud(), pytest.MonkeyPatch.context() as patch:
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**lic.create_table_arguments("LicencesTable", lic.LICENCES_TABLE))
        # the identity table (the same name) comes with the cases cloud
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
        lic.seed_directory()
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


# --- renewal (延续, 行政许可法 第50条) ---------------------------------------------------------------


def _food_items() -> tuple[str, str]:
    """Jiangning's joint restaurant item (issues the food licence) and the renewal item it names."""
    bodies = [
        b
        for b in new_item_bodies()
        if b["region_code"] == "320115" and b["name"] in ("开办餐饮店联合审批", "食品经营许可延续")
    ]
    load_catalog(CatalogService(), bodies)
    [issuing] = [b for b in bodies if b["name"] == "开办餐饮店联合审批"]
    return str(issuing["implementation_code"]), str(issuing["renewal_item_code"])


def _food_licence_of_citizen_a() -> tuple[str, str]:
    """A food licence issued on MONDAY (valid five years, to 2031-09-20) for an application
    of citizen A's that said where the restaurant is; returns (licence id, renewal item)."""
    issuing, renewal_item = _food_items()
    original = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": issuing}).body["case_id"]
    form = {"premises_address": "江宁区双龙大道 1 号", "applicant_name": "张伟"}
    assert call("PUT", f"/v1/cases/{original}/form", CITIZEN_A, body={"form": form}).status == 200
    due = lic.licence_due(original, type_code=lic.FOOD_LICENCE)
    due["data"]["item_code"] = issuing
    assert lic.issue(due) == {"batchItemFailures": []}
    [licence_id] = lic.licence_ids_of_case(original)
    return licence_id, renewal_item


def test_the_holder_renews_from_the_licence_prefilled_and_the_renewed_licence_supersedes_it(cloud: None) -> None:
    licence_id, renewal_item = _food_licence_of_citizen_a()
    old = call("GET", f"/v1/me/licences/{licence_id}", lic.CITIZEN).body
    assert old["valid_to"] == "2031-09-20"
    # seven weeks before expiry the holder starts the renewal from the licence
    with frozen_at(dt.datetime(2031, 8, 4, 2, 0, tzinfo=dt.UTC)):
        started = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id})
        assert started.status == 201, started.body
        case = started.body
        assert (case["item_code"], case["state"]) == (renewal_item, "draft")
        assert case["renews"] | {"identifier": None} == {
            "licence_id": licence_id,
            "identifier": None,
            "number": old["number"],
            "type_code": lic.FOOD_LICENCE,
            "type_name": "食品经营许可证",
            "valid_to": "2031-09-20",
            "apply_by": "2031-08-21",  # Art. 50: 30 days before expiry
            "decide_by": "2031-09-20",
        }
        # prefilled: the licence number and the original application's answer the renewal form asks for
        assert case["form"] == {"licence_number": old["number"], "premises_address": "江宁区双龙大道 1 号"}
        # the licence stands in for the old certificate (consent logged); only the self-inspection is asked
        [by_licence] = case["materials"]
        assert (by_licence["slot_id"], by_licence["licence"]["licence_id"]) == ("original_licence", licence_id)
        usage = call("GET", "/v1/me/licence-usage", lic.CITIZEN).body["items"]
        assert any(u["case_id"] == case["case_id"] and u["licence_ids"] == [licence_id] for u in usage)
        case_id = case["case_id"]
        assert attach(case_id, "self_inspection", CITIZEN_A).status == 200
        assert submit(case_id).status == 200
        # supervision is told from the application on that the licence lapses undecided on 20 September
        [renewal_limit] = [e["data"] for e in limit_facts("limit.set", case_id) if e["data"]["name"] == "renewal"]
        assert (renewal_limit["started_on"], renewal_limit["due_on"]) == ("2031-08-04", "2031-09-20")
        assert (renewal_limit["limit_id"], renewal_limit["paused"]) == (f"cases:case:{case_id}:renewal", False)
        assert 25 <= renewal_limit["limit_days"] <= 35  # working days in those seven weeks
        run_pre_review(case_id)
        assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["state"] == "pre_review_passed"
        assert call("POST", f"/v1/cases/{case_id}/accept", JIANGNING_MARKET, body={}).status == 200
        accepted = call("GET", f"/v1/cases/{case_id}", JIANGNING_MARKET).body
        [review] = accepted["required_actions"]
        assert review["due_on"] <= "2031-09-20"  # decided before the licence expires
        decided = call(
            "POST", f"/v1/cases/{case_id}/decide", JIANGNING_MARKET, body={"outcome": "approved", "reason": "准予延续"}
        )
        assert decided.status == 200, decided.body
        # decided: the renewal limit ends
        [cleared] = [e["data"] for e in limit_facts("limit.cleared", case_id) if e["data"]["name"] == "renewal"]
        assert cleared["reason"] != "withdrawn"
        [licence_due] = cases_outbox("case.licence_due", case_id)
        assert licence_due["data"]["renews_licence_id"] == licence_id
        assert lic.issue(licence_due) == {"batchItemFailures": []}
    [renewed_id] = lic.licence_ids_of_case(case_id)
    renewed = call("GET", f"/v1/me/licences/{renewed_id}", lic.CITIZEN).body
    # the next version of the same licence, valid from the day after the old one ends
    assert (renewed["number"], renewed["licence_version"], renewed["replaces"]) == (old["number"], 2, licence_id)
    assert (renewed["valid_from"], renewed["valid_to"], renewed["status"]) == ("2031-09-21", "2036-09-20", "active")
    superseded = call("GET", f"/v1/me/licences/{licence_id}", lic.CITIZEN).body
    assert (superseded["status"], superseded["replaced_by"]) == ("replaced", renewed_id)
    verified = call("POST", "/v1/licences/verify", None, body={"identifier": old["identifier"]}).body
    assert verified["result"] == "replaced"


def test_a_renewal_is_applied_for_30_days_before_expiry(cloud: None) -> None:
    licence_id, _ = _food_licence_of_citizen_a()
    # a draft started in time cannot be submitted once the last day has passed
    with frozen_at(dt.datetime(2031, 8, 20, 2, 0, tzinfo=dt.UTC)):
        draft = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id})
        assert draft.status == 201, draft.body
    with frozen_at(dt.datetime(2031, 8, 22, 2, 0, tzinfo=dt.UTC)):
        late = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id})
        assert (late.status, late.code) == (409, "case.renewal_too_late")
        assert "2031-08-21" in late.body["message"]
        case_id = draft.body["case_id"]
        assert attach(case_id, "self_inspection", CITIZEN_A).status == 200
        version = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["version"]
        refused = submit(case_id, body={"version": version})
        assert (refused.status, refused.code) == (409, "case.renewal_too_late")
    # only the holder's own, renewable licence
    assert call("POST", "/v1/cases/renewals", CITIZEN_B, body={"licence_id": licence_id}).status == 404
    long_term = _licence_of_citizen_a()  # a business licence is valid without end
    refused = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": long_term})
    assert (refused.status, refused.code) == (409, "licence.not_renewable")


def _sweep_on(day: dt.date) -> dict[str, Any]:
    """The daily expiry sweep, run on `day` (Asia/Shanghai)."""
    with frozen_at(dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)):
        result: dict[str, Any] = load_function("licence_expiry_sweep").handler({}, FakeContext())
    return result


def test_an_undecided_renewal_keeps_the_licence_valid_past_its_end_until_refused(cloud: None, tmp_path: Path) -> None:
    licence_id, _ = _food_licence_of_citizen_a()
    held = call("GET", f"/v1/me/licences/{licence_id}", lic.CITIZEN).body
    identifier, qr = held["identifier"], held["qr"]
    with frozen_at(dt.datetime(2031, 8, 4, 2, 0, tzinfo=dt.UTC)):
        case_id = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id}).body["case_id"]
        assert attach(case_id, "self_inspection", CITIZEN_A).status == 200
        assert submit(case_id).status == 200
        [submitted] = cases_outbox("case.submitted", case_id)
        assert submitted["data"]["renews_licence_id"] == licence_id
        # the licences context learns of the renewal from the case event; a redelivery changes nothing
        assert lic.issue(submitted) == {"batchItemFailures": []}
        assert lic.issue(submitted) == {"batchItemFailures": []}
        run_pre_review(case_id)
        assert call("POST", f"/v1/cases/{case_id}/accept", JIANGNING_MARKET, body={}).status == 200
    pending = [e for e in lic.outbox("licence.renewal_pending") if e["subject"] == licence_id]
    assert [e["data"]["renewal_case_id"] for e in pending] == [case_id]
    assert _sweep_on(dt.date(2031, 9, 20))["deemed_renewed"] == []  # the last valid day: nothing yet
    # the department has not decided by the end of validity: deemed renewed (Art. 50(2)), once
    swept = _sweep_on(dt.date(2031, 9, 21))  # (licences of earlier tests without a renewal expire)
    assert (swept["deemed_renewed"], licence_id in swept["expired"]) == ([licence_id], False)
    assert _sweep_on(dt.date(2031, 9, 22))["deemed_renewed"] == []
    with frozen_at(dt.datetime(2031, 9, 24, 2, 0, tzinfo=dt.UTC)):
        mine = call("GET", f"/v1/me/licences/{licence_id}", lic.CITIZEN).body
        assert (mine["status"], mine["deemed_renewed"], mine["renewal_case_id"]) == ("active", True, case_id)
        verified = call("POST", "/v1/licences/verify", None, body={"identifier": identifier}).body
        assert (verified["result"], verified["reason"]) == ("valid", "renewal_pending")
        # the offline verifier reads the same from the published renewal list (D-211)
        lic.fetch_offline_lists(tmp_path)
        offline_verdict = offline.check(qr, tmp_path, max_age_s=3600)
        assert (offline_verdict.result, offline_verdict.reason) == (Result.VALID, Reason.RENEWAL_PENDING)
        # the refusal ends it: the licence has now expired
        denied = call(
            "POST", f"/v1/cases/{case_id}/decide", JIANGNING_MARKET, body={"outcome": "denied", "reason": "不予延续"}
        )
        assert denied.status == 200, denied.body
        [decided] = cases_outbox("case.decided", case_id)
        assert lic.issue(decided) == {"batchItemFailures": []}
        assert lic.issue(decided) == {"batchItemFailures": []}
        mine = call("GET", f"/v1/me/licences/{licence_id}", lic.CITIZEN).body
        assert (mine["status"], mine["deemed_renewed"], mine["renewal_case_id"]) == ("expired", False, None)
        verified = call("POST", "/v1/licences/verify", None, body={"identifier": identifier}).body
        assert (verified["result"], verified["reason"]) == ("expired", "expired")
        lic.fetch_offline_lists(tmp_path)
        offline_verdict = offline.check(qr, tmp_path, max_age_s=3600)
        assert (offline_verdict.result, offline_verdict.reason) == (Result.EXPIRED, Reason.EXPIRED)
    ended = [e["data"] for e in lic.outbox("licence.renewal_ended") if e["subject"] == licence_id]
    assert [(e["reason"], e["status"]) for e in ended] == [("denied", "expired")]


def test_a_withdrawn_renewal_lets_the_licence_expire_at_its_end(cloud: None) -> None:
    licence_id, _ = _food_licence_of_citizen_a()
    with frozen_at(dt.datetime(2031, 8, 4, 2, 0, tzinfo=dt.UTC)):
        case_id = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id}).body["case_id"]
        assert attach(case_id, "self_inspection", CITIZEN_A).status == 200
        assert submit(case_id).status == 200
        [submitted] = cases_outbox("case.submitted", case_id)
        assert lic.issue(submitted) == {"batchItemFailures": []}
        withdrawn = call("POST", f"/v1/cases/{case_id}/withdraw", CITIZEN_A, body={"reason": "不再经营"})
        assert withdrawn.status == 200, withdrawn.body
        [ended] = cases_outbox("case.withdrawn", case_id)
        assert lic.issue(ended) == {"batchItemFailures": []}
        mine = call("GET", f"/v1/me/licences/{licence_id}", lic.CITIZEN).body
        assert (mine["status"], mine["renewal_case_id"]) == ("active", None)  # still within its validity
    assert [e["data"]["reason"] for e in lic.outbox("licence.renewal_ended") if e["subject"] == licence_id] == [
        "withdrawn"
    ]
    swept = _sweep_on(dt.date(2031, 9, 21))
    assert licence_id in swept["expired"]
    assert licence_id not in swept["deemed_renewed"]


def test_a_second_renewal_while_one_is_pending_is_refused_naming_it(cloud: None) -> None:
    licence_id, _ = _food_licence_of_citizen_a()
    with frozen_at(dt.datetime(2031, 8, 4, 2, 0, tzinfo=dt.UTC)):
        first = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id}).body
        second = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id}).body
        for case in (first, second):  # two drafts are allowed: neither is an application yet
            assert attach(case["case_id"], "self_inspection", CITIZEN_A).status == 200
        assert submit(first["case_id"]).status == 200
        again = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id})
        assert (again.status, again.code) == (409, "case.renewal_pending")
        assert first["case_number"] in again.body["message"]
        refused = submit(second["case_id"])
        assert (refused.status, refused.code) == (409, "case.renewal_pending")
        assert first["case_number"] in refused.body["message"]
        assert call("GET", f"/v1/cases/{second['case_id']}", CITIZEN_A).body["state"] == "draft"
        # once the first is withdrawn the licence is free again
        withdrawn = call("POST", f"/v1/cases/{first['case_id']}/withdraw", CITIZEN_A, body={"reason": "填错了"})
        assert withdrawn.status == 200, withdrawn.body
        assert submit(second["case_id"]).status == 200
        third = call("POST", "/v1/cases/renewals", CITIZEN_A, body={"licence_id": licence_id})
        assert second["case_number"] in third.body["message"]


# --- reusing materials an earlier case accepted (D-212) ------------------------------------------
# The applicant's own accepted files are listed for a new application, reused with an explicit
# consent recorded on the timeline, hash-checked, refused once expired; nobody else's is found.

REUSABLE_SLOTS = ["household_register", "id_card", "income_declaration"]


@pytest.fixture(scope="module")
def accepted(cloud: None) -> Iterator[dict[str, Any]]:
    """Citizen A's 低保 case, accepted on MONDAY: its three files become reusable."""
    with frozen_at(MONDAY):
        case_id = complete_subsistence_case()
        assert submit(case_id).status == 200
        run_pre_review(case_id)
        assert call("POST", f"/v1/cases/{case_id}/accept", XUANWU_CIVIL, body={"note": "材料齐全"}).status == 200
        yield call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body


def _reusable(case_id: str, who: dict[str, str] = CITIZEN_A) -> list[dict[str, Any]]:
    reply = call("GET", f"/v1/cases/{case_id}/reusable-materials", who)
    assert reply.status == 200, reply.body
    return list(reply.body["items"])


def _reuse(case_id: str, slot_id: str, sha256: str, who: dict[str, str] = CITIZEN_A, **extra: Any) -> Any:
    body = {"slot_id": slot_id, "sha256": sha256, "consent": True, **extra}
    return call("POST", f"/v1/cases/{case_id}/materials/reuse", who, body=body)


def test_the_applicants_accepted_materials_are_reused_with_consent_on_the_timeline(accepted: dict[str, Any]) -> None:
    with frozen_at(MONDAY + dt.timedelta(days=30)):
        draft = new_case()["case_id"]
        listed = _reusable(draft)
        assert sorted(m["slot_id"] for m in listed) == REUSABLE_SLOTS
        assert {(m["from_case_number"], m["valid_until"]) for m in listed} == {(accepted["case_number"], "2027-03-20")}
        sha = listed[0]["sha256"]
        no_consent = call(
            "POST", f"/v1/cases/{draft}/materials/reuse", CITIZEN_A, body={"slot_id": "id_card", "sha256": sha}
        )
        assert no_consent.status == 422
        for slot_id in REUSABLE_SLOTS:
            reused = _reuse(draft, slot_id, sha)
            assert reused.status == 200, reused.body
        again = _reuse(draft, "id_card", sha)  # harmless: nothing changes
        assert again.status == 200
        assert again.body["version"] == reused.body["version"]
        materials = reused.body["materials"]
        assert {m["reused_from"]["case_number"] for m in materials} == {accepted["case_number"]}
        assert _reusable(draft) == []  # what the case holds is not offered again
        case = call("GET", f"/v1/cases/{draft}", CITIZEN_A).body
        consents = [e for e in case["timeline"] if e["action"] == "reuse_material"]
        assert len(consents) == 3
        assert all(accepted["case_number"] in e["reason"] for e in consents)
        assert [e["data"]["from_case_id"] for e in outbox("case.material_reused", draft)] == [accepted["case_id"]] * 3
        # the copies are real materials: the application passes pre-review with them
        assert call("PUT", f"/v1/cases/{draft}/form", CITIZEN_A, body={"form": SUBSISTENCE_FORM}).status == 200
        assert submit(draft).status == 200
        run_pre_review(draft)
        assert call("GET", f"/v1/cases/{draft}", CITIZEN_A).body["state"] == "pre_review_passed"


def test_another_persons_materials_are_never_found(accepted: dict[str, Any]) -> None:
    sha = accepted["materials"][0]["sha256"]
    with frozen_at(MONDAY + dt.timedelta(days=1)):
        draft = new_case(CITIZEN_B)["case_id"]
        assert _reusable(draft, CITIZEN_B) == []
        refused = _reuse(draft, "id_card", sha, CITIZEN_B)
        assert (refused.status, refused.code) == (404, "case.reusable_material_not_found")
        # nor can A reuse into B's case
        assert _reuse(draft, "id_card", sha).status == 404


def test_an_expired_material_is_not_listed_and_refused(accepted: dict[str, Any]) -> None:
    sha = accepted["materials"][0]["sha256"]
    with frozen_at(MONDAY + dt.timedelta(days=181)):
        draft = new_case()["case_id"]
        assert _reusable(draft) == []
        refused = _reuse(draft, "household_register", sha)
        assert (refused.status, refused.code) == (409, "case.reusable_material_expired")
        assert "2027-03-20" in refused.body["message"]


def test_a_stored_file_that_no_longer_matches_its_hash_is_refused(accepted: dict[str, Any]) -> None:
    [source] = [m for m in accepted["materials"] if m["slot_id"] == "income_declaration"]
    key = f"cases/{accepted['case_id']}/{source['material_id']}"
    boto3.client("s3").put_object(Bucket=MATERIALS_BUCKET, Key=key, Body=b"%PDF-1.7\nsomething else")
    with frozen_at(MONDAY + dt.timedelta(days=2)):
        draft = new_case()["case_id"]
        refused = _reuse(draft, "income_declaration", source["sha256"])
        assert (refused.status, refused.code) == (409, "case.reusable_material_changed")
        assert call("GET", f"/v1/cases/{draft}", CITIZEN_A).body["materials"] == []
