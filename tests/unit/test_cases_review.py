"""Review and decision (C14), the legal clock over HTTP (suspend, resume,
extend) and joint approval (C17), against moto in-process."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.items import new_item_bodies
from shared.cases.models import DecideRequest, DecisionOutcome
from shared.cases.service import CasesService
from shared.catalog.service import CatalogService
from shared.notifications.consumers import HANDLED_EVENT_TYPES, message_for
from shared.platform.clock import frozen_at
from shared.platform.errors import AppError
from shared.platform.events import Envelope
from shared.platform.principal import Principal
from shared.workdays.rules import Calendar
from tests.support.api import Reply, call
from tests.support.serialised import serialise_dynamodb
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    CITIZEN_B,
    MATERIALS_BUCKET,
    NANJING_SUPERVISOR,
    SUZHOU_CIVIL,
    SUZHOU_SUPERVISOR,
    XUANWU_CIVIL,
    XUANWU_POLICE,
    attach,
    cases_cloud,
    complete_subsistence_case,
    limit_facts,
    outbox,
    principal,
    run_pre_review,
    submit,
    table_snapshot,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
START_DAY = MONDAY.date()
CAL = Calendar()
JOINT_BODY = next(body for body in new_item_bodies() if body.get("joint"))
JOINT_ITEM = str(JOINT_BODY["implementation_code"])
JIANGNING_MARKET = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM1", department_id="320115-market", region_code="320115")
JIANGNING_HOUSING = principal(
    "staff", "01JDQ90F3W7C8M2T6R4K9N5XM2", department_id="320115-housing", region_code="320115"
)
JIANGNING_POLICE = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM3", department_id="320115-police", region_code="320115")
JOINT_FORM: dict[str, Any] = {
    "applicant_name": "张伟",
    "id_number": "320102198803150213",
    "premises_address": "南京市江宁区天元中路 1 号",
}


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with cases_cloud():
        load_catalog(CatalogService(), [JOINT_BODY])
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


@pytest.fixture
def serialised_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    serialise_dynamodb(monkeypatch)  # DynamoDB applies a condition and its write atomically


@pytest.fixture
def seal_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Decision documents sealed with a KMS key (as in the template); the other tests leave it unset."""
    from shared.platform import pades
    from shared.platform.config import reset_settings

    key_id = boto3.client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("PDF_SEAL_KEY_ID", key_id)
    reset_settings()
    pades.configured_key.cache_clear()
    yield key_id
    monkeypatch.delenv("PDF_SEAL_KEY_ID")
    reset_settings()
    pades.configured_key.cache_clear()


def accepted_case(who: dict[str, str] = XUANWU_CIVIL) -> str:
    case_id = complete_subsistence_case()
    assert submit(case_id).status == 200
    run_pre_review(case_id)
    reply = call("POST", f"/v1/cases/{case_id}/accept", who, body={"note": "材料齐全"})
    assert reply.status == 200, reply.body
    return case_id


def limit_events(event_type: str, case_id: str) -> list[dict[str, Any]]:
    """The case's `limit.*` facts (a joint task's subject is `<case_id>:<department>`)."""
    return limit_facts(event_type, case_id)


def accepted_joint_case() -> str:
    reply = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": JOINT_ITEM, "delivery": {"method": "electronic"}})
    assert reply.status == 201, reply.body
    case_id = str(reply.body["case_id"])
    assert call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": JOINT_FORM}).status == 200
    for slot in ("id_card", "premises_plan"):
        assert attach(case_id, slot, CITIZEN_A).status == 200
    assert submit(case_id).status == 200
    run_pre_review(case_id)
    accepted = call("POST", f"/v1/cases/{case_id}/accept", JIANGNING_MARKET)
    assert accepted.status == 200, accepted.body
    return case_id


def decide(case_id: str, who: dict[str, str], outcome: str = "approved", reason: str = "材料真实，符合条件") -> Reply:
    return call("POST", f"/v1/cases/{case_id}/decide", who, body={"outcome": outcome, "reason": reason})


def message_of(event: dict[str, Any]) -> tuple[str, str]:
    owner, message = message_for(Envelope.model_validate(event))
    return owner, message.body


def _assert_sealed_for(body: bytes, department: str, tmp_path: Path) -> None:
    """The decision PDF carries the department's PAdES seal (D-227): pyHanko validates it against the
    department certificate, not after one byte changed; the offline verifier trusts it by the platform key."""
    import base64
    import io
    import json

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from shared.licences import verify as offline
    from shared.platform import pades
    from shared.platform.clock import now

    key = pades.configured_key()
    assert key is not None
    [signature] = PdfFileReader(io.BytesIO(body)).embedded_signatures
    code = signature.signer_cert.subject.native["organization_identifier"]
    context = ValidationContext(
        trust_roots=[pades.certificate_for(key, name=department, code=code)], allow_fetching=False
    )
    assert validate_pdf_signature(signature, context).bottom_line
    assert signature.signer_cert.subject.native["common_name"] == department
    changed = bytearray(body)
    changed[len(body) // 3] ^= 0x01
    [broken] = PdfFileReader(io.BytesIO(bytes(changed)), strict=False).embedded_signatures
    assert not validate_pdf_signature(broken, context).bottom_line

    spki = base64.b64encode(key.public_key_der()).decode()
    trust = {"keys": [{"kid": "k1", "alg": "ES256", "public_key": spki, "state": "current"}], "issuers": []}
    (tmp_path / "trust-list.json").write_text(json.dumps({"fetched_at": now().isoformat(), "document": trust}))
    verdict = offline.check_pdf(body, tmp_path, max_age_s=3600)
    assert (verdict.result.value, verdict.reason, verdict.seal["signer"]) == ("valid", "ok", department)
    assert offline.check_pdf(bytes(changed), tmp_path, max_age_s=3600).reason == "modified"
    trust["keys"] = []
    (tmp_path / "trust-list.json").write_text(json.dumps({"fetched_at": now().isoformat(), "document": trust}))
    assert offline.check_pdf(body, tmp_path, max_age_s=3600).reason == "untrusted_key"


class TestDecision:
    def test_approval_produces_the_decision_document_the_applicant_can_download(
        self, seal_key: str, tmp_path: Path
    ) -> None:
        case_id = accepted_case()
        assert call("POST", f"/v1/cases/{case_id}/start-review", XUANWU_CIVIL).body["state"] == "in_review"
        reply = decide(case_id, XUANWU_CIVIL)
        assert reply.status == 200, reply.body
        assert reply.body["state"] == "approved"
        decision = reply.body["decision"]
        assert decision["outcome"] == "approved"
        assert decision["reason"] == "材料真实，符合条件"
        stored = boto3.client("s3").get_object(Bucket=MATERIALS_BUCKET, Key=decision["document"]["key"])
        pdf = stored["Body"].read()
        assert pdf.startswith(b"%PDF-1.7")
        assert pdf.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(pdf).hexdigest() == decision["document"]["sha256"]
        assert stored["ContentType"] == "application/pdf"
        _assert_sealed_for(pdf, decision["department_name"], tmp_path)
        # the applicant sees the decision and a short-lived link
        seen = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert seen["decision"]["document_number"] == decision["document_number"]
        assert "X-Amz-Expires=300" in seen["decision_document_url"]
        [event] = outbox("case.decided", case_id)
        _owner, body = message_of(event)
        assert "准予许可" in body
        assert decision["document_number"] in body
        done = call("POST", f"/v1/cases/{case_id}/complete", XUANWU_CIVIL)
        assert done.status == 200
        assert done.body["state"] == "completed"
        assert call("GET", f"/v1/cases/{case_id}/timeline/verify", CITIZEN_A).body["valid"] is True

    def test_denial_states_the_reason_and_the_remedy(self) -> None:
        case_id = accepted_case()
        reply = decide(case_id, XUANWU_CIVIL, "denied", "家庭人均收入高于当地最低生活保障标准")
        assert reply.status == 200, reply.body
        assert reply.body["state"] == "denied"
        [event] = outbox("case.decided", case_id)
        _, body = message_of(event)
        assert "家庭人均收入高于当地最低生活保障标准" in body
        assert "行政复议" in body

    def test_wrong_state_and_wrong_scope_change_nothing(self) -> None:
        case_id = complete_subsistence_case()
        submit(case_id)
        run_pre_review(case_id)
        before = table_snapshot()
        wrong_state = decide(case_id, XUANWU_CIVIL)
        assert (wrong_state.status, wrong_state.code) == (409, "case.transition_not_allowed")
        accepted = accepted_case()
        before = table_snapshot()
        assert decide(accepted, SUZHOU_CIVIL).status == 404  # cannot see it: as if it did not exist
        assert decide(accepted, XUANWU_POLICE).status == 404
        assert decide(accepted, CITIZEN_B).status in {403, 404}
        assert decide(accepted, CITIZEN_A).status == 403
        assert decide(accepted, NANJING_SUPERVISOR).status == 403
        bad = call("POST", f"/v1/cases/{accepted}/decide", XUANWU_CIVIL, body={"outcome": "approved"})
        assert bad.status == 422
        assert table_snapshot() == before

    @pytest.mark.usefixtures("serialised_dynamodb")
    def test_two_staff_deciding_at_once_exactly_one_wins(self) -> None:
        case_id = accepted_case()
        service = CasesService()
        staff = Principal.from_context(XUANWU_CIVIL)
        barrier = threading.Barrier(6)
        outcomes: list[str] = []
        lock = threading.Lock()

        def attempt(index: int) -> None:
            outcome = DecisionOutcome.APPROVED if index % 2 else DecisionOutcome.DENIED
            barrier.wait()
            try:
                service.decide(staff, case_id, DecideRequest(outcome=outcome, reason="依法审查"), correlation_id=None)
                result = "won"
            except AppError as exc:
                result = exc.code
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("won") == 1
        assert set(outcomes) - {"won"} <= {"case.changed_concurrently", "case.transition_not_allowed"}
        assert len(outbox("case.decided", case_id)) == 1
        assert call("GET", f"/v1/cases/{case_id}/timeline/verify", CITIZEN_A).body["valid"] is True


class TestClock:
    def test_suspension_stops_the_clock_and_resumption_moves_every_deadline(self) -> None:
        case_id = accepted_case()
        before = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["deadlines"]
        snapshot = table_snapshot()
        no_reason = call(
            "POST", f"/v1/cases/{case_id}/suspend", XUANWU_CIVIL, body={"kind": "testing", "expected_working_days": 5}
        )
        assert no_reason.status == 422
        assert table_snapshot() == snapshot
        stopped = call(
            "POST",
            f"/v1/cases/{case_id}/suspend",
            XUANWU_CIVIL,
            body={"kind": "expert_review", "reason": "组织专家评审家庭经济状况", "expected_working_days": 5},
        )
        assert stopped.status == 200, stopped.body
        assert stopped.body["state"] == "suspended"
        assert stopped.body["deadlines"]["suspended_since"] == "2026-09-21"
        twice = call(
            "POST",
            f"/v1/cases/{case_id}/suspend",
            XUANWU_CIVIL,
            body={"kind": "testing", "reason": "再次中止", "expected_working_days": 1},
        )
        assert twice.status == 409
        [suspended] = outbox("case.suspended", case_id)
        assert "组织专家评审家庭经济状况" in message_of(suspended)[1]
        with frozen_at(dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.UTC)):
            resumed = call("POST", f"/v1/cases/{case_id}/resume", XUANWU_CIVIL)
        assert resumed.status == 200, resumed.body
        deadlines = resumed.body["deadlines"]
        # 09-22, 23, 24, 28, 29 were suspended (09-25 is Mid-Autumn, 26-27 a weekend)
        assert deadlines["suspended_working_days"] == 5
        assert deadlines["legal_due_on"] == CAL.add_working_days(dt.date(2026, 9, 21), 30 + 5).date.isoformat()
        assert deadlines["legal_due_on"] > before["legal_due_on"]
        assert deadlines["promised_due_on"] > before["promised_due_on"]
        seen = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        [history] = seen["deadlines"]["suspensions"]
        assert history["reason"] == "组织专家评审家庭经济状况"
        assert history["working_days"] == 5
        assert seen["state"] == "in_review"
        [event] = outbox("case.resumed", case_id)
        assert deadlines["legal_due_on"] in message_of(event)[1]

    def test_resumption_moves_the_due_dates_of_open_joint_tasks_too(self) -> None:
        case_id = accepted_joint_case()
        opened = {
            t["department_id"]: t for t in call("GET", f"/v1/cases/{case_id}", JIANGNING_MARKET).body["joint_tasks"]
        }
        agreed = call(
            "POST",
            f"/v1/cases/{case_id}/joint-task",
            JIANGNING_POLICE,
            body={"outcome": "approved", "reason": "无异议"},
        )
        assert agreed.status == 200, agreed.body
        stopped = call(
            "POST",
            f"/v1/cases/{case_id}/suspend",
            JIANGNING_MARKET,
            body={"kind": "inspection", "reason": "现场核查经营场所", "expected_working_days": 5},
        )
        assert stopped.status == 200, stopped.body
        with frozen_at(dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.UTC)):
            resumed = call("POST", f"/v1/cases/{case_id}/resume", JIANGNING_MARKET)
        assert resumed.status == 200, resumed.body
        tasks = {t["department_id"]: t for t in resumed.body["joint_tasks"]}
        # 09-22, 23, 24, 28, 29 were suspended: the open task's limit did not run either
        housing_due = CAL.add_working_days(dt.date.fromisoformat(opened["320115-housing"]["due_on"]), 5).date
        assert tasks["320115-housing"]["due_on"] == housing_due.isoformat()
        assert tasks["320115-housing"]["suspended_working_days"] == 5
        # the task already decided keeps its date
        assert tasks["320115-police"]["due_on"] == opened["320115-police"]["due_on"]
        listed = call("GET", "/v1/joint-tasks", JIANGNING_HOUSING).body["items"]
        assert [t["due_on"] for t in listed if t["case_id"] == case_id] == [housing_due.isoformat()]


class TestExtension:
    REASON = "需要实地核查家庭财产状况"

    def request(self, case_id: str, who: dict[str, str] = XUANWU_CIVIL, reason: str = REASON) -> Reply:
        return call("POST", f"/v1/cases/{case_id}/extension-request", who, body={"reason": reason})

    def pending_of(self, who: dict[str, str]) -> list[str]:
        listed = call("GET", "/v1/supervision/extension-requests", who)
        assert listed.status == 200, listed.body
        return [entry["case_id"] for entry in listed.body["items"]]

    def test_the_department_asks_a_supervisor_approves_and_only_then_the_limit_moves(self) -> None:
        case_id = accepted_case()
        before = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["deadlines"]
        snapshot = table_snapshot()
        no_reason = call("POST", f"/v1/cases/{case_id}/extension-request", XUANWU_CIVIL, body={})
        assert no_reason.status == 422
        assert self.request(case_id, CITIZEN_A).status == 403
        assert self.request(case_id, XUANWU_POLICE).status == 404
        assert self.request(case_id, NANJING_SUPERVISOR).status == 403
        assert table_snapshot() == snapshot
        asked = self.request(case_id)
        assert asked.status == 200, asked.body
        assert asked.body["extension_request"]["working_days"] == 10
        assert asked.body["extension_request"]["reason"] == self.REASON
        assert asked.body["deadlines"] == before  # nothing moves before approval
        assert asked.body["timeline"][-1]["action"] == "request_extension"
        # the applicant is not told yet: no request on their view, no message
        seen = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
        assert seen["extension_request"] is None
        assert seen["deadlines"]["legal_due_on"] == before["legal_due_on"]
        [requested] = outbox("case.extension_requested", case_id)
        assert requested["type"] not in HANDLED_EVENT_TYPES
        again = self.request(case_id, reason="再次申请")
        assert (again.status, again.code) == (409, "case.extension_already_requested")
        # supervisors of the region see it waiting; others do not
        assert case_id in self.pending_of(NANJING_SUPERVISOR)
        assert case_id not in self.pending_of(SUZHOU_SUPERVISOR)
        assert call("GET", "/v1/supervision/extension-requests", XUANWU_CIVIL).status == 403
        # staff cannot approve, their own request least of all; nor can another region's supervisor
        snapshot = table_snapshot()
        assert call("POST", f"/v1/cases/{case_id}/extend", XUANWU_CIVIL, body={}).status == 403
        assert call("POST", f"/v1/cases/{case_id}/extend", SUZHOU_SUPERVISOR, body={}).status == 404
        assert call("POST", f"/v1/cases/{case_id}/extend", CITIZEN_A, body={}).status == 403
        assert table_snapshot() == snapshot
        approved = call("POST", f"/v1/cases/{case_id}/extend", NANJING_SUPERVISOR)
        assert approved.status == 200, approved.body
        deadlines = approved.body["deadlines"]
        assert deadlines["extension"]["working_days"] == 10
        assert deadlines["extension"]["reason"] == self.REASON
        assert deadlines["legal_due_on"] == CAL.add_working_days(dt.date(2026, 9, 21), 40).date.isoformat()
        assert deadlines["promised_due_on"] == before["promised_due_on"]
        assert approved.body["extension_request"] is None
        assert case_id not in self.pending_of(NANJING_SUPERVISOR)
        [event] = outbox("case.extended", case_id)
        assert self.REASON in message_of(event)[1]
        twice = call("POST", f"/v1/cases/{case_id}/extend", NANJING_SUPERVISOR)
        assert (twice.status, twice.code) == (409, "case.extension_not_requested")
        more = self.request(case_id, reason="还需延长")
        assert (more.status, more.code) == (409, "case.clock_already_extended")

    def test_a_rejected_request_leaves_the_limit_and_may_be_asked_again(self) -> None:
        case_id = accepted_case()
        before = call("GET", f"/v1/cases/{case_id}", XUANWU_CIVIL).body["deadlines"]
        assert self.request(case_id).status == 200
        reject = f"/v1/cases/{case_id}/extension-request/reject"
        assert call("POST", reject, NANJING_SUPERVISOR, body={}).status == 422
        assert call("POST", reject, XUANWU_CIVIL, body={"reason": "自己驳回"}).status == 403
        rejected = call("POST", reject, NANJING_SUPERVISOR, body={"reason": "核查可在原期限内完成"})
        assert rejected.status == 200, rejected.body
        assert rejected.body["deadlines"] == before
        assert rejected.body["extension_request"] is None
        assert "核查可在原期限内完成" in rejected.body["timeline"][-1]["reason"]
        [event] = outbox("case.extension_rejected", case_id)
        assert event["data"]["rejection_reason"] == "核查可在原期限内完成"
        assert event["data"]["requested_by_subject_id"] == XUANWU_CIVIL["sub"]
        late = call("POST", f"/v1/cases/{case_id}/extend", NANJING_SUPERVISOR)
        assert (late.status, late.code) == (409, "case.extension_not_requested")
        assert self.request(case_id, reason="补充理由后再次申请").status == 200

    def test_nobody_approves_their_own_request(self) -> None:
        case_id = accepted_case()
        assert self.request(case_id).status == 200
        # the same person later holding a supervisor account of the region
        same_person = principal("supervisor", XUANWU_CIVIL["sub"], region_code="320100")
        reply = call("POST", f"/v1/cases/{case_id}/extend", same_person)
        assert (reply.status, reply.code) == (403, "case.extension_self_approval")
        assert call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["deadlines"]["extension"] is None


class TestJointApproval:
    def test_tasks_in_parallel_then_one_decision_by_the_lead(self) -> None:
        case_id = accepted_joint_case()
        lead_view = call("GET", f"/v1/cases/{case_id}", JIANGNING_MARKET).body
        assert {t["department_id"] for t in lead_view["joint_tasks"]} == {"320115-police", "320115-housing"}
        # each task carries its department's name as registered, shown instead of the id
        assert {t["department_id"]: t["department_name"] for t in lead_view["joint_tasks"]}["320115-police"] == (
            "南京市公安局江宁分局"
        )
        assert lead_view["deadlines"]["joint"] is True
        assert lead_view["deadlines"]["legal_days"] == 45
        # each co-department sees only its own task
        police_view = call("GET", f"/v1/cases/{case_id}", JIANGNING_POLICE)
        assert police_view.status == 200
        assert [t["department_id"] for t in police_view.body["joint_tasks"]] == ["320115-police"]
        assert call("GET", f"/v1/cases/{case_id}", SUZHOU_CIVIL).status == 404
        # the lead cannot decide while tasks are open
        before = table_snapshot()
        early = decide(case_id, JIANGNING_MARKET)
        assert (early.status, early.code) == (409, "case.joint_tasks_open")
        assert table_snapshot() == before
        # co-departments cannot decide the case, only their task
        assert decide(case_id, JIANGNING_POLICE).status == 403
        denied = call(
            "POST",
            f"/v1/cases/{case_id}/joint-task",
            JIANGNING_HOUSING,
            body={"outcome": "denied", "reason": "经营场所结构安全不符合要求"},
        )
        assert denied.status == 200, denied.body
        [event] = outbox("case.joint_task_decided", case_id)
        owner, body = message_of(event)
        assert owner == JIANGNING_MARKET["sub"]
        assert "经营场所结构安全不符合要求" in body
        again = call(
            "POST", f"/v1/cases/{case_id}/joint-task", JIANGNING_HOUSING, body={"outcome": "approved", "reason": "改判"}
        )
        assert (again.status, again.code) == (409, "case.task_already_decided")
        agreed = call(
            "POST",
            f"/v1/cases/{case_id}/joint-task",
            JIANGNING_POLICE,
            body={"outcome": "approved", "reason": "无异议"},
        )
        assert agreed.status == 200
        final = decide(case_id, JIANGNING_MARKET, "denied", "住建部门意见：经营场所结构安全不符合要求")
        assert final.status == 200, final.body
        housing, police = "南京市江宁区住房和城乡建设局", "南京市公安局江宁分局"
        assert sorted(final.body["decision"]["task_opinions"]) == sorted(
            [f"{housing}：不同意（经营场所结构安全不符合要求）", f"{police}：同意（无异议）"]
        )
        notes = [e["reason"] for e in final.body["timeline"] if e["action"] == "joint_opinion"]
        assert notes == [
            f"并联审批（{housing}）不同意：经营场所结构安全不符合要求",
            f"并联审批（{police}）同意：无异议",
        ]
        assert len(outbox("case.decided", case_id)) == 1

    def test_a_task_opinion_clears_that_tasks_limit_only(self) -> None:
        """Each co-department's limit is published for supervision (D-116): opened with the
        case's acceptance, cleared by that department's opinion, the other task's kept."""
        case_id = accepted_joint_case()
        opened = {
            e["data"]["subject_id"]: e["data"]
            for e in limit_events("limit.set", case_id)
            if e["data"]["name"] == "task"
        }
        police, housing = f"{case_id}:320115-police", f"{case_id}:320115-housing"
        assert set(opened) == {police, housing}
        assert opened[police]["department_id"] == "320115-police"
        assert opened[police]["limit_days"] == 15  # the item promises 15 working days: the cap
        started = dt.date.fromisoformat(opened[police]["started_on"])
        assert opened[police]["due_on"] == CAL.add_working_days(started, 15).date.isoformat()
        assert opened[police]["region_code"] == "320115"
        agreed = call(
            "POST",
            f"/v1/cases/{case_id}/joint-task",
            JIANGNING_POLICE,
            body={"outcome": "approved", "reason": "无异议"},
        )
        assert agreed.status == 200, agreed.body
        cleared = [e["data"] for e in limit_events("limit.cleared", case_id)]
        assert [(c["subject_id"], c["reason"]) for c in cleared] == [(police, "task_approved")]
        assert cleared[0]["version"] > opened[police]["version"]

    def test_a_department_without_a_task_is_refused(self) -> None:
        case_id = accepted_case()
        opinion = {"outcome": "approved", "reason": "同意"}
        # a department that cannot see the case learns nothing about it, joint or not
        reply = call("POST", f"/v1/cases/{case_id}/joint-task", XUANWU_POLICE, body=opinion)
        assert (reply.status, reply.code) == (404, "case.not_found")
        reply = call("POST", f"/v1/cases/{case_id}/joint-task", XUANWU_CIVIL, body=opinion)
        assert (reply.status, reply.code) == (409, "case.not_a_joint_case")
        joint = accepted_joint_case()
        reply = call("POST", f"/v1/cases/{joint}/joint-task", XUANWU_CIVIL, body=opinion)
        assert (reply.status, reply.code) == (404, "case.not_found")
        reply = call("POST", f"/v1/cases/{joint}/joint-task", JIANGNING_MARKET, body=opinion)
        assert (reply.status, reply.code) == (403, "case.task_not_yours")

    def test_each_co_department_lists_only_its_own_open_tasks(self) -> None:
        case_id = accepted_joint_case()

        def listed(who: dict[str, str], **query: str) -> Reply:
            reply = call("GET", "/v1/joint-tasks", who, query=query or None)
            assert reply.status == 200, reply.body
            return reply

        police = [t for t in listed(JIANGNING_POLICE).body["items"] if t["case_id"] == case_id]
        assert [t["department_id"] for t in police] == ["320115-police"]
        [task] = police
        detail = call("GET", f"/v1/cases/{case_id}", JIANGNING_MARKET).body
        assert task["case_number"] == detail["case_number"]
        assert task["item_name"] == "开办餐饮店联合审批"
        assert task["due_on"] == next(
            t["due_on"] for t in detail["joint_tasks"] if t["department_id"] == "320115-police"
        )
        assert any(t["case_id"] == case_id for t in listed(JIANGNING_HOUSING).body["items"])
        assert not any(t["case_id"] == case_id for t in listed(JIANGNING_MARKET).body["items"])
        assert listed(XUANWU_POLICE).body["items"] == []
        assert call("GET", "/v1/joint-tasks", CITIZEN_A).status == 403
        assert call("GET", "/v1/joint-tasks", NANJING_SUPERVISOR).status == 403
        # a task leaves its department's list once its opinion is given
        opinion = {"outcome": "approved", "reason": "消防与治安条件符合要求"}
        assert call("POST", f"/v1/cases/{case_id}/joint-task", JIANGNING_POLICE, body=opinion).status == 200
        assert not any(t["case_id"] == case_id for t in listed(JIANGNING_POLICE).body["items"])
        assert any(t["case_id"] == case_id for t in listed(JIANGNING_HOUSING).body["items"])
        # and every open task leaves when the applicant withdraws
        withdrawn = call("POST", f"/v1/cases/{case_id}/withdraw", CITIZEN_A, body={"reason": "不再开店"})
        assert withdrawn.status == 200, withdrawn.body
        assert not any(t["case_id"] == case_id for t in listed(JIANGNING_HOUSING).body["items"])

    def test_the_work_list_pages_with_a_cursor_soonest_due_first(self) -> None:
        first = accepted_joint_case()
        with frozen_at(MONDAY + dt.timedelta(days=1)):
            second = accepted_joint_case()
        seen: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query = {"limit": "1", **({"cursor": cursor} if cursor else {})}
            page = call("GET", "/v1/joint-tasks", JIANGNING_HOUSING, query=query)
            assert page.status == 200, page.body
            assert len(page.body["items"]) <= 1
            seen.extend(page.body["items"])
            cursor = page.body["next_cursor"]
            if not cursor:
                break
        ids = [t["case_id"] for t in seen]
        assert ids.index(first) < ids.index(second)
        assert [t["due_on"] for t in seen] == sorted(t["due_on"] for t in seen)
        elsewhere = call("GET", "/v1/joint-tasks", JIANGNING_HOUSING, query={"limit": "1"}).body["next_cursor"]
        stolen = call("GET", "/v1/joint-tasks", JIANGNING_POLICE, query={"cursor": elsewhere})
        assert (stolen.status, stolen.code) == (400, "invalid_cursor")
        assert call("GET", "/v1/joint-tasks", JIANGNING_HOUSING, query={"cursor": "not-a-cursor"}).status == 400

    def test_a_joint_case_asks_for_fifteen_more_days(self) -> None:
        case_id = accepted_joint_case()
        reply = call("POST", f"/v1/cases/{case_id}/extension-request", JIANGNING_MARKET, body={"reason": "需联合踏勘"})
        assert reply.status == 200, reply.body
        assert reply.body["extension_request"]["working_days"] == 15
        assert (
            call("POST", f"/v1/cases/{case_id}/extension-request", JIANGNING_POLICE, body={"reason": "协办"}).status
            == 403
        )


class TestLimitFacts:
    """Every move of a case's limits reaches supervision as a fact in the transition's own
    transaction (D-116): started at acceptance, paused by a suspension, moved by the
    resumption and the extension, cleared by the decision."""

    def test_accept_suspend_resume_extend_decide(self) -> None:
        case_id = accepted_case()

        def latest(event_type: str) -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for event in limit_events(event_type, case_id):
                found[event["data"]["name"]] = event["data"]  # in version order: the newest wins
            return found

        started = latest("limit.set")
        assert {n: (d["limit_days"], d["paused"], d["started_on"]) for n, d in started.items()} == {
            "legal": (30, False, "2026-09-21"),
            "promised": (20, False, "2026-09-21"),
        }
        assert started["legal"]["label"] == call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body["case_number"]
        assert started["legal"]["handler_subject_id"] == XUANWU_CIVIL["sub"]
        suspend = {"kind": "expert_review", "reason": "组织专家评审", "expected_working_days": 5}
        assert call("POST", f"/v1/cases/{case_id}/suspend", XUANWU_CIVIL, body=suspend).status == 200
        assert {d["paused"] for d in latest("limit.set").values()} == {True}
        with frozen_at(MONDAY + dt.timedelta(days=7)):
            assert call("POST", f"/v1/cases/{case_id}/resume", XUANWU_CIVIL).status == 200
        resumed = latest("limit.set")
        stopped = CAL.working_days_between(START_DAY, START_DAY + dt.timedelta(days=7)).working_days  # 中秋 in between
        assert {(d["paused"], d["paused_days"]) for d in resumed.values()} == {(False, stopped)}
        assert resumed["legal"]["due_on"] == CAL.add_working_days(START_DAY, 30 + stopped).date.isoformat()
        count = len(limit_events("limit.set", case_id))
        assert (
            call("POST", f"/v1/cases/{case_id}/extension-request", XUANWU_CIVIL, body={"reason": "需要实地核查"}).status
            == 200
        )
        assert len(limit_events("limit.set", case_id)) == count  # asking moves nothing
        assert call("POST", f"/v1/cases/{case_id}/extend", NANJING_SUPERVISOR).status == 200
        extended = limit_events("limit.set", case_id)[count:]
        assert [(d["data"]["name"], d["data"]["limit_days"]) for d in extended] == [("legal", 40)]
        decided = call(
            "POST", f"/v1/cases/{case_id}/decide", XUANWU_CIVIL, body={"outcome": "denied", "reason": "不符"}
        )
        assert decided.status == 200
        assert {(n, d["reason"]) for n, d in latest("limit.cleared").items()} == {
            ("legal", "denied"),
            ("promised", "denied"),
        }
        versions = [e["data"]["version"] for e in limit_events("limit.set", case_id) if e["data"]["name"] == "legal"]
        assert versions == sorted(set(versions))  # each a newer version than the last
