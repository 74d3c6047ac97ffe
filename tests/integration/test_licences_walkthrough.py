"""E-licences through the local cloud (C11): citizen A's 个体工商户设立登记 in 江宁区
is approved; the licence is issued from the case event, the case completes,
the holder downloads the PDF, anyone verifies the QR online and offline; the
issuing department revokes it and both verifiers then say revoked; another
department cannot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local import LocalCloud
from infra.seed.identity.people import CITIZEN_A, JIANGNING_MARKET, STAFF_IN_SCOPE
from shared.licences import verify as offline
from shared.licences.payload import Reason, Result
from tests.integration.test_cases_walkthrough import upload
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration

FORM = {
    "applicant_name": "张伟",
    "id_number": "320102198803150213",
    "trade_name": "张伟便利店",
    "premises_address": "南京市江宁区天元中路 1 号",
}


@pytest.fixture(scope="module")
def citizen(api: Any, local_cloud: LocalCloud) -> dict[str, str]:
    return sign_in_citizen(api, local_cloud, CITIZEN_A.phone)


@pytest.fixture(scope="module")
def issuer(api: Any, local_cloud: LocalCloud, citizen: dict[str, str]) -> dict[str, str]:
    worker = JIANGNING_MARKET
    return sign_in_staff(api, local_cloud, worker.login, worker.password, worker.phone)


@pytest.fixture(scope="module")
def other_department(api: Any, local_cloud: LocalCloud, citizen: dict[str, str]) -> dict[str, str]:
    worker = STAFF_IN_SCOPE
    return sign_in_staff(api, local_cloud, worker.login, worker.password, worker.phone)


@pytest.fixture(scope="module")
def licence(api: Any, local_cloud: LocalCloud, citizen: dict[str, str], issuer: dict[str, str]) -> dict[str, Any]:
    found = api.get("/v1/items", params={"region": "320115", "q": "个体工商户设立登记"}).json()["items"]
    created = api.post("/v1/cases", headers=citizen, json={"item_code": found[0]["implementation_code"]})
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    assert api.put(f"/v1/cases/{case_id}/form", headers=citizen, json={"form": FORM}).status_code == 200
    for slot in ("application_form", "id_card", "premises_proof"):
        assert upload(api, case_id, slot, citizen).status_code == 200
    assert api.post(f"/v1/cases/{case_id}/submit", headers=citizen).status_code == 200
    local_cloud.wait_idle(30)
    assert api.post(f"/v1/cases/{case_id}/accept", headers=issuer, json={}).status_code == 200
    decided = api.post(
        f"/v1/cases/{case_id}/decide", headers=issuer, json={"outcome": "approved", "reason": "符合登记条件"}
    )
    assert decided.status_code == 200, decided.text
    local_cloud.wait_idle(60)
    case = api.get(f"/v1/cases/{case_id}", headers=citizen).json()
    assert case["state"] == "completed", case["state"]
    [step] = case["fulfilment"]
    assert step["step"] == "licence"
    detail = api.get(f"/v1/me/licences/{step['reference']}", headers=citizen)
    assert detail.status_code == 200, detail.text
    return {"case_id": case_id, **detail.json()}


def test_the_licence_is_issued_downloaded_and_verified(
    api: Any, local_cloud: LocalCloud, citizen: dict[str, str], licence: dict[str, Any], tmp_path: Path
) -> None:
    assert licence["type_name"] == "营业执照"
    assert licence["metadata"]["holder_code"] == "320102********0213"
    link = api.get(f"/v1/me/licences/{licence['licence_id']}/download", headers=citizen).json()
    pdf = requests.get(link["url"], timeout=30)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-1.7")

    online = api.post("/v1/licences/verify", json={"qr": licence["qr"]}).json()
    assert (online["result"], online["signature_checked"]) == ("valid", True)
    by_id = api.post("/v1/licences/verify", json={"identifier": licence["identifier"]}).json()
    assert by_id["result"] == "valid"

    offline.fetch(local_cloud.api_url, tmp_path)
    assert offline.check(licence["qr"], tmp_path, max_age_s=3600).result is Result.VALID
    inbox = api.get("/v1/me/messages", headers=citizen, params={"limit": "50"}).json()["items"]
    assert any(m["title"] == "电子证照已签发" for m in inbox)


def test_the_licence_stands_in_for_a_material_in_a_new_application(
    api: Any, local_cloud: LocalCloud, citizen: dict[str, str], issuer: dict[str, str], licence: dict[str, Any]
) -> None:
    found = api.get("/v1/items", params={"region": "320100", "q": "税务登记"}).json()["items"]
    case_id = api.post("/v1/cases", headers=citizen, json={"item_code": found[0]["implementation_code"]}).json()[
        "case_id"
    ]
    form = {"enterprise_name": "张伟便利店", "uscc": "92320115MA1W8K3R60"}
    assert api.put(f"/v1/cases/{case_id}/form", headers=citizen, json={"form": form}).status_code == 200
    used = api.post(
        f"/v1/cases/{case_id}/materials/from-licence",
        headers=citizen,
        json={"slot_id": "business_licence", "licence_id": licence["licence_id"]},
    )
    assert used.status_code == 200, used.text
    assert upload(api, case_id, "bank_account", citizen).status_code == 200
    assert api.post(f"/v1/cases/{case_id}/submit", headers=citizen).status_code == 200
    local_cloud.wait_idle(30)
    assert api.get(f"/v1/cases/{case_id}", headers=citizen).json()["state"] == "accepted"  # 即办件: pre-review passed

    queried = api.post(
        "/v1/licences/holder-queries", headers=issuer, json={"case_id": licence["case_id"], "purpose": "核查经营者证照"}
    )
    assert queried.status_code == 200, queried.text
    usage = api.get("/v1/me/licence-usage", headers=citizen).json()["items"]
    assert {entry["kind"] for entry in usage} >= {"consent", "staff_query"}


def test_only_the_issuer_revokes_and_both_verifiers_then_say_revoked(
    api: Any,
    local_cloud: LocalCloud,
    issuer: dict[str, str],
    other_department: dict[str, str],
    licence: dict[str, Any],
    tmp_path: Path,
) -> None:
    path = f"/v1/licences/{licence['licence_id']}/revoke"
    refused = api.post(path, headers=other_department, json={"reason": "越权撤销"})
    assert (refused.status_code, refused.json()["code"]) == (404, "licence.not_found")  # no existence oracle
    revoked = api.post(path, headers=issuer, json={"reason": "以欺骗手段取得登记，依法撤销"})
    assert revoked.status_code == 200, revoked.text
    assert api.post("/v1/licences/verify", json={"qr": licence["qr"]}).json()["result"] == "revoked"
    local_cloud.wait_idle(30)
    offline.fetch(local_cloud.api_url, tmp_path)
    verdict = offline.check(licence["qr"], tmp_path, max_age_s=3600)
    assert (verdict.result, verdict.reason) == (Result.REVOKED, Reason.REVOKED)
    published = (
        local_cloud.client("s3")
        .get_object(Bucket=local_cloud.ref("LicencesBucket"), Key="public/status-lists/1.json")["Body"]
        .read()
    )
    assert b"encoded_list" in published
