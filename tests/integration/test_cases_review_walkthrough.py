"""Review and decision through the local cloud: the clerk suspends and resumes
the clock, decides, the citizen downloads the decision document (a real
presigned GET from S3) and is told in the message center; the supervision
sweep runs as its own function from the template's schedule."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from infra.local import LocalCloud
from infra.seed.identity.people import CITIZEN_A, STAFF_IN_SCOPE
from tests.integration.test_cases_walkthrough import FORM, upload
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def citizen(api: Any, local_cloud: LocalCloud) -> dict[str, str]:
    return sign_in_citizen(api, local_cloud, CITIZEN_A.phone)


@pytest.fixture(scope="module")
def clerk(api: Any, local_cloud: LocalCloud, citizen: dict[str, str]) -> dict[str, str]:
    worker = STAFF_IN_SCOPE
    return sign_in_staff(api, local_cloud, worker.login, worker.password, worker.phone)


@pytest.fixture(scope="module")
def item_code(api: Any) -> str:
    found = api.get("/v1/items", params={"region": "320102", "q": "最低生活保障"}).json()["items"]
    return str(found[0]["implementation_code"])


def test_suspend_resume_decide_and_download(
    api: Any, local_cloud: LocalCloud, citizen: dict[str, str], clerk: dict[str, str], item_code: str
) -> None:
    created = api.post("/v1/cases", headers=citizen, json={"item_code": item_code})
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    assert api.put(f"/v1/cases/{case_id}/form", headers=citizen, json={"form": FORM}).status_code == 200
    for slot in ("id_card", "household_register", "income_declaration"):
        assert upload(api, case_id, slot, citizen).status_code == 200
    assert api.post(f"/v1/cases/{case_id}/submit", headers=citizen).status_code == 200
    local_cloud.wait_idle(30)
    assert api.post(f"/v1/cases/{case_id}/accept", headers=clerk).status_code == 200

    suspended = api.post(
        f"/v1/cases/{case_id}/suspend",
        headers=clerk,
        json={"kind": "expert_review", "reason": "组织专家评审", "expected_working_days": 3},
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["state"] == "suspended"
    resumed = api.post(f"/v1/cases/{case_id}/resume", headers=clerk)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["deadlines"]["suspensions"][0]["reason"] == "组织专家评审"

    decided = api.post(
        f"/v1/cases/{case_id}/decide", headers=clerk, json={"outcome": "approved", "reason": "符合最低生活保障条件"}
    )
    assert decided.status_code == 200, decided.text
    local_cloud.wait_idle(30)
    seen = api.get(f"/v1/cases/{case_id}", headers=citizen).json()
    assert seen["decision"]["outcome"] == "approved"
    document = requests.get(seen["decision_document_url"], timeout=30)
    assert document.status_code == 200
    assert document.content.startswith(b"%PDF-")
    inbox = api.get("/v1/me/messages", headers=citizen, params={"limit": "50"}).json()["items"]
    assert any(m["title"] == "准予许可" and seen["case_number"] in m["body"] for m in inbox)

    swept = local_cloud.fire("SupervisionSweepFunction")
    assert swept["finished"] is True
