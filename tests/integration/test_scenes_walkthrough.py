"""一件事 through the local cloud, as the README walks through it (issue 18, D-279): the
agent of a company answers 开餐馆's questionnaire, uploads each file once, submits the
one combined form once; the scene's three cases open in two departments' queues; the
clerks decide them; the scene completes and the agent's inbox says so."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
import requests

from infra.local import LocalCloud
from infra.seed.identity.people import AGENT, DEMO_ENTERPRISE, XUANWU_MARKET, XUANWU_TAX
from tests.support.sign_in import sign_in_agent, sign_in_staff

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n" + b"scene material " * 40
ANSWERS = {"business_form": "公司", "invoices": "是", "public_assembly": "否", "signboard": "否"}
FORM = {
    "enterprise_name": "南京玄武示范餐饮有限公司",
    "legal_representative": "陈明",
    "domicile": "南京市玄武区中山路 1 号",
    "premises_address": "南京市玄武区中山路 1 号",
    "business_scope": ["热食类食品制售"],
    "invoice_kind": "增值税普通发票",
    "quantity": 25,
}


def _upload(api: Any, auth: dict[str, str], slot_id: str, code: str | None) -> dict[str, str]:
    ticket = api.post(
        "/v1/scene-uploads",
        headers=auth,
        json={
            "slot_id": slot_id,
            "file_name": f"{slot_id}.pdf",
            "content_type": "application/pdf",
            "size_bytes": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
        },
    )
    assert ticket.status_code == 201, ticket.text
    body = ticket.json()
    files = {"file": ("f.pdf", PDF, "application/pdf")}
    posted = requests.post(body["url"], data=body["fields"], files=files, timeout=30)
    assert posted.status_code in {200, 201, 204}, posted.text
    return {"slot_id": slot_id, "material_id": body["material_id"]} | ({"implementation_code": code} if code else {})


def _view(api: Any, auth: dict[str, str], application_id: str, until: Any, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        view: dict[str, Any] = api.get(f"/v1/scene-applications/{application_id}", headers=auth).json()
        if until(view) or time.monotonic() > deadline:
            return view
        time.sleep(0.3)


def test_one_form_one_submission_several_cases_decided_scene_complete(api: Any, local_cloud: LocalCloud) -> None:
    agent = sign_in_agent(api, local_cloud, AGENT.phone, DEMO_ENTERPRISE.uscc)
    # the questionnaire selects three items of two departments; one form, each shared file once
    guide = api.post("/v1/scenes/320102-restaurant/guide", json={"answers": ANSWERS}).json()
    assert [i["department_id"] for i in guide["items"]] == ["320102-market", "320102-market", "320102-tax"]
    shared = {m["slot_id"] for m in guide["materials"] if len(m["used_by"]) > 1}
    assert shared == {"business_licence"}
    materials = [_upload(api, agent, slot, None) for slot in sorted(shared)] + [
        _upload(api, agent, m["slot_id"], m["used_by"][0])
        for m in guide["materials"]
        if m["slot_id"] not in shared and m["slot_id"] != "agent_authorisation"  # conditional: not needed here
    ]
    body = {"scene_id": "320102-restaurant", "answers": ANSWERS, "form": FORM, "materials": materials}
    submitted = api.post("/v1/scene-applications", headers=agent | {"Idempotency-Key": "scene-walk-1"}, json=body)
    assert submitted.status_code == 201, submitted.text
    application_id = submitted.json()["application_id"]
    # its three cases open (queue consumer), pass pre-review and show in the one progress view
    view = _view(api, agent, application_id, lambda v: all(c["case_number"] for c in v["cases"]))
    local_cloud.wait_idle(timeout=30)
    view = api.get(f"/v1/scene-applications/{application_id}", headers=agent).json()
    assert all(c["state"] in {"pre_review_passed", "accepted"} for c in view["cases"]), view
    # each department decides its own
    market = sign_in_staff(api, local_cloud, XUANWU_MARKET.login, XUANWU_MARKET.password, XUANWU_MARKET.phone)
    tax = sign_in_staff(api, local_cloud, XUANWU_TAX.login, XUANWU_TAX.password, XUANWU_TAX.phone)
    for case in view["cases"]:
        clerk = tax if case["department_id"] == "320102-tax" else market
        if api.get(f"/v1/cases/{case['case_id']}", headers=clerk).json()["state"] == "pre_review_passed":
            assert api.post(f"/v1/cases/{case['case_id']}/accept", headers=clerk, json={}).status_code == 200
        decided = api.post(
            f"/v1/cases/{case['case_id']}/decide", headers=clerk, json={"outcome": "approved", "reason": "符合条件"}
        )
        assert decided.status_code == 200, decided.text
        if decided.json()["state"] == "approved":  # no licence to issue: the clerk closes it (办结)
            assert api.post(f"/v1/cases/{case['case_id']}/complete", headers=clerk, json={}).status_code == 200
    # the licences are issued, the cases complete, and so does the scene
    view = _view(api, agent, application_id, lambda v: v["state"] == "completed")
    assert view["state"] == "completed", view
    assert {c["state"] for c in view["cases"]} == {"completed"}
    local_cloud.wait_idle(timeout=30)
    titles = [m["title"] for m in api.get("/v1/me/messages", headers=agent).json()["items"]]
    assert "一件事“开餐馆”已办完" in titles
