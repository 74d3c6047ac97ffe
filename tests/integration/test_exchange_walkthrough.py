"""Issue 19 acceptance 1 through the local cloud: the province tax department's
own system (infra/local/partners/department_system.py) receives the submission
on its queue, sends signed 受理, 决定 and 办结, and the applicant sees the case
completed; the schema registry answers over HTTP."""

from __future__ import annotations

from typing import Any

from infra.local import LocalCloud
from infra.seed.identity.people import AGENT
from tests.integration.test_cases_walkthrough import upload
from tests.support.sign_in import sign_in_citizen


def test_the_tax_system_takes_a_registration_from_submission_to_completion(api: Any, local_cloud: LocalCloud) -> None:
    local_cloud.partners["department_system"].step_s = 0  # type: ignore[attr-defined]  # answer at once
    # 王芳 (no other walk-through signs her in) registers her 个体户 with the province tax department
    person = sign_in_citizen(api, local_cloud, AGENT.phone)
    items = api.get("/v1/items", params={"region": "320000", "q": "税务登记"}).json()["items"]
    case_id = api.post("/v1/cases", headers=person, json={"item_code": items[0]["implementation_code"]}).json()[
        "case_id"
    ]
    form = {"enterprise_name": "王芳便利店", "uscc": "92320115MA1W8K3R60", "accounting_method": "独立核算"}
    assert api.put(f"/v1/cases/{case_id}/form", headers=person, json={"form": form}).status_code == 200
    for slot in ("business_licence", "bank_account"):
        assert upload(api, case_id, slot, person).status_code == 200
    assert api.post(f"/v1/cases/{case_id}/submit", headers=person).status_code == 200

    local_cloud.wait_idle(90)
    case = api.get(f"/v1/cases/{case_id}", headers=person).json()
    assert case["state"] == "completed", case["timeline"][-1]
    steps = [(e["action"], e["actor"].endswith("@320000-tax")) for e in case["timeline"]][-3:]
    assert steps == [("accept", True), ("approve", True), ("complete", True)]
    assert "苏税登字" in case["decision"]["reason"]

    schema = api.get("/v1/schemas/department_system.decided/1")
    assert schema.status_code == 200
    assert schema.headers["Cache-Control"].startswith("public")
    assert "document_number" in schema.json()["$defs"]["DecisionBody"]["required"]
