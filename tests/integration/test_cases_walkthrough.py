"""The README walk-through, through the local cloud: real HTTP, real presigned
POSTs to S3, the outbox relay, the bus, the pre-review and notification queues.

A demo citizen signs in (one-time code from the SMS outbox), applies for
Xuanwu's 最低生活保障金给付 with one material missing, receives one notice
listing it (一次性告知) in the message center, supplements, and sees the case
accepted by the district's civil-affairs clerk with its deadlines; the
timeline verifies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
import requests

from infra.local import LocalCloud
from infra.seed.identity.people import CITIZEN_A, STAFF_IN_SCOPE
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.7\n" + b"walk-through material " * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {
    "applicant_name": "张伟",
    "id_number": "320102198803150213",
    "phone": "13800000001",
    "household_size": 3,
    "monthly_income_fen": 180000,
}


@pytest.fixture(scope="module")
def demo_accounts(local_cloud: LocalCloud) -> None:
    """The identity demo accounts: seeded with the session's local cloud (strict seed, the loader
    `make run` uses); loading them again in every module cost seconds and changed nothing (D-191)."""


def upload(api: Any, case_id: str, slot_id: str, auth: dict[str, str], data: bytes = PDF) -> requests.Response:
    """The portal's three steps: ask for a presigned POST, POST the file to S3, confirm."""
    ticket = api.post(
        f"/v1/cases/{case_id}/materials",
        headers=auth,
        json={
            "slot_id": slot_id,
            "file_name": f"{slot_id}.pdf",
            "content_type": "application/pdf",
            "size_bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    assert ticket.status_code == 201, ticket.text
    body = ticket.json()
    posted = requests.post(
        body["url"], data=body["fields"], files={"file": (f"{slot_id}.pdf", data, "application/pdf")}, timeout=30
    )
    assert posted.status_code in {200, 201, 204}, posted.text
    return api.post(f"/v1/cases/{case_id}/materials/{body['material_id']}/confirm", headers=auth)


def submitted_dibao_case(api: Any, local_cloud: LocalCloud, citizen: dict[str, str], form: dict[str, Any]) -> str:
    """The applicant's steps for 玄武区 最低生活保障金给付 with every material, up to a settled pre-review."""
    found = api.get("/v1/items", params={"region": "320102", "q": "最低生活保障"}).json()["items"]
    created = api.post("/v1/cases", headers=citizen, json={"item_code": found[0]["implementation_code"]})
    assert created.status_code == 201, created.text
    case_id = str(created.json()["case_id"])
    assert api.put(f"/v1/cases/{case_id}/form", headers=citizen, json={"form": form}).status_code == 200
    for slot in ("id_card", "household_register", "income_declaration"):
        assert upload(api, case_id, slot, citizen).status_code == 200
    assert api.post(f"/v1/cases/{case_id}/submit", headers=citizen).status_code == 200
    local_cloud.wait_idle(30)
    return case_id


@pytest.fixture(scope="module")
def citizen(api: Any, local_cloud: LocalCloud, demo_accounts: None) -> dict[str, str]:
    return sign_in_citizen(api, local_cloud, CITIZEN_A.phone)


@pytest.fixture(scope="module")
def clerk(api: Any, local_cloud: LocalCloud, demo_accounts: None) -> dict[str, str]:
    worker = STAFF_IN_SCOPE
    return sign_in_staff(api, local_cloud, worker.login, worker.password, worker.phone)


@pytest.fixture(scope="module")
def item_code(api: Any) -> str:
    found = api.get("/v1/items", params={"region": "320102", "q": "最低生活保障"}).json()["items"]
    assert found, "the demo catalogue has Xuanwu's 最低生活保障金给付"
    return str(found[0]["implementation_code"])


@pytest.fixture
def messages(api: Any, citizen: dict[str, str]) -> Callable[[], list[dict[str, Any]]]:
    def inbox() -> list[dict[str, Any]]:
        return list(api.get("/v1/me/messages", headers=citizen, params={"limit": "50"}).json()["items"])

    return inbox


def test_apply_supplement_once_and_get_accepted(
    api: Any, local_cloud: LocalCloud, citizen: dict[str, str], clerk: dict[str, str], item_code: str, messages: Any
) -> None:
    # Given a draft for the demo item, with the form filled
    created = api.post("/v1/cases", headers=citizen, json={"item_code": item_code})
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    form = api.put(f"/v1/cases/{case_id}/form", headers=citizen, json={"form": FORM})
    assert form.status_code == 200, form.text
    # And two of the three required materials uploaded through presigned POSTs
    for slot in ("id_card", "income_declaration"):
        confirmed = upload(api, case_id, slot, citizen)
        assert confirmed.status_code == 200, confirmed.text
    # (a PNG declared as a PDF does not count)
    assert upload(api, case_id, "id_card", citizen, PNG).status_code == 422

    # When the citizen submits (twice, with the same Idempotency-Key)
    receipt = api.post(f"/v1/cases/{case_id}/submit", headers={**citizen, "Idempotency-Key": f"walk-{case_id}"})
    again = api.post(f"/v1/cases/{case_id}/submit", headers={**citizen, "Idempotency-Key": f"walk-{case_id}"})
    assert receipt.status_code == again.status_code == 200, receipt.text
    assert again.json() == receipt.json()
    local_cloud.wait_idle(30)

    # Then pre-review asks, in one notice, for the missing household register
    case = api.get(f"/v1/cases/{case_id}", headers=citizen).json()
    assert case["state"] == "supplement_required", case
    assert [item["target"] for item in case["notice"]["items"]] == ["household_register"]
    notices = [m for m in messages() if m["title"] == "一次性告知：请补正材料" and case["case_number"] in m["body"]]
    assert len(notices) == 1
    assert "居民户口簿" in notices[0]["body"]

    # When the citizen supplements and resubmits
    assert upload(api, case_id, "household_register", citizen).status_code == 200
    resubmitted = api.post(f"/v1/cases/{case_id}/supplement", headers=citizen)
    assert resubmitted.status_code == 200, resubmitted.text
    local_cloud.wait_idle(30)

    # Then it passes pre-review and waits in the district civil-affairs bureau's queue
    assert api.get(f"/v1/cases/{case_id}", headers=citizen).json()["state"] == "pre_review_passed"
    queue = api.get("/v1/work-queue", headers=clerk, params={"limit": "100"}).json()["items"]
    assert case_id in [entry["case_id"] for entry in queue]

    # When the clerk accepts it
    accepted = api.post(f"/v1/cases/{case_id}/accept", headers=clerk, json={"note": "材料齐全，予以受理"})
    assert accepted.status_code == 200, accepted.text
    deadlines = accepted.json()["deadlines"]
    assert deadlines["promised_days"] == 20
    assert deadlines["legal_due_on"] >= deadlines["promised_due_on"] > deadlines["started_on"]
    local_cloud.wait_idle(30)

    # Then the citizen sees it accepted with its deadline, is told so, and the timeline verifies
    final = api.get(f"/v1/cases/{case_id}", headers=citizen).json()
    assert final["state"] == "accepted"
    assert [entry["action"] for entry in final["timeline"]] == [
        "create",
        "submit",
        "require_supplement",
        "supplement",
        "pass_pre_review",
        "accept",
    ]
    told = [m for m in messages() if m["title"] == "办件已受理" and final["case_number"] in m["body"]]
    assert len(told) == 1
    assert deadlines["promised_due_on"] in told[0]["body"]
    verified = api.get(f"/v1/cases/{case_id}/timeline/verify", headers=citizen).json()
    assert verified["valid"] is True
    assert verified["length"] == 6
    # and nobody else reaches it
    assert api.get(f"/v1/cases/{case_id}", headers=clerk).status_code == 200
    assert api.get(f"/v1/cases/{case_id}").status_code == 401
