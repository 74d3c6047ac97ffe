"""Review and decision (C14), the legal clock over HTTP (suspend, resume,
extend) and joint approval (C17), against moto in-process."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.items import new_item_bodies
from shared.cases.models import DecideRequest, DecisionOutcome
from shared.cases.review import ReviewService
from shared.catalog.service import CatalogService
from shared.notifications.consumers import message_for
from shared.platform.clock import frozen_at
from shared.platform.errors import AppError
from shared.platform.events import Envelope
from shared.platform.principal import Principal
from shared.workdays.rules import Calendar
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    CITIZEN_B,
    MATERIALS_BUCKET,
    NANJING_SUPERVISOR,
    SUZHOU_CIVIL,
    SUZHOU_SUPERVISOR,
    XUANWU_CIVIL,
    XUANWU_POLICE,
    Reply,
    attach,
    call,
    cases_cloud,
    complete_subsistence_case,
    outbox,
    principal,
    run_pre_review,
    submit,
    table_snapshot,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
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
    """One write at a time per backend call, as DynamoDB applies a condition and its
    write atomically (moto's in-process backend does not lock)."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("transact_write_items", "put_item", "update_item", "get_item"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


def accepted_case(who: dict[str, str] = XUANWU_CIVIL) -> str:
    case_id = complete_subsistence_case()
    assert submit(case_id).status == 200
    run_pre_review(case_id)
    reply = call("POST", f"/v1/cases/{case_id}/accept", who, body={"note": "材料齐全"})
    assert reply.status == 200, reply.body
    return case_id


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


class TestDecision:
    def test_approval_produces_the_decision_document_the_applicant_can_download(self) -> None:
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
        assert decide(accepted, SUZHOU_CIVIL).status == 403
        assert decide(accepted, XUANWU_POLICE).status == 403
        assert decide(accepted, CITIZEN_B).status in {403, 404}
        assert decide(accepted, CITIZEN_A).status == 403
        assert decide(accepted, NANJING_SUPERVISOR).status == 403
        bad = call("POST", f"/v1/cases/{accepted}/decide", XUANWU_CIVIL, body={"outcome": "approved"})
        assert bad.status == 422
        assert table_snapshot() == before

    @pytest.mark.usefixtures("serialised_dynamodb")
    def test_two_staff_deciding_at_once_exactly_one_wins(self) -> None:
        case_id = accepted_case()
        service = ReviewService()
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

    def test_extension_needs_a_supervisor_of_the_region(self) -> None:
        case_id = accepted_case()
        body = {"reason": "需要实地核查家庭财产状况"}
        snapshot = table_snapshot()
        by_staff = call("POST", f"/v1/cases/{case_id}/extend", XUANWU_CIVIL, body=body)
        assert by_staff.status == 403
        assert call("POST", f"/v1/cases/{case_id}/extend", SUZHOU_SUPERVISOR, body=body).status == 403
        assert call("POST", f"/v1/cases/{case_id}/extend", CITIZEN_A, body=body).status == 403
        assert table_snapshot() == snapshot
        extended = call("POST", f"/v1/cases/{case_id}/extend", NANJING_SUPERVISOR, body=body)
        assert extended.status == 200, extended.body
        deadlines = extended.body["deadlines"]
        assert deadlines["extension"]["working_days"] == 10
        assert deadlines["extension"]["reason"] == "需要实地核查家庭财产状况"
        assert deadlines["legal_due_on"] == CAL.add_working_days(dt.date(2026, 9, 21), 40).date.isoformat()
        again = call("POST", f"/v1/cases/{case_id}/extend", NANJING_SUPERVISOR, body=body)
        assert (again.status, again.code) == (409, "case.clock_already_extended")
        [event] = outbox("case.extended", case_id)
        assert "需要实地核查家庭财产状况" in message_of(event)[1]


class TestJointApproval:
    def test_tasks_in_parallel_then_one_decision_by_the_lead(self) -> None:
        case_id = accepted_joint_case()
        lead_view = call("GET", f"/v1/cases/{case_id}", JIANGNING_MARKET).body
        assert {t["department_id"] for t in lead_view["joint_tasks"]} == {"320115-police", "320115-housing"}
        assert lead_view["deadlines"]["joint"] is True
        assert lead_view["deadlines"]["legal_days"] == 45
        # each co-department sees only its own task
        police_view = call("GET", f"/v1/cases/{case_id}", JIANGNING_POLICE)
        assert police_view.status == 200
        assert [t["department_id"] for t in police_view.body["joint_tasks"]] == ["320115-police"]
        assert call("GET", f"/v1/cases/{case_id}", SUZHOU_CIVIL).status == 403
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
        assert len(final.body["decision"]["task_opinions"]) == 2
        assert len(outbox("case.decided", case_id)) == 1

    def test_a_department_without_a_task_is_refused(self) -> None:
        case_id = accepted_case()
        reply = call(
            "POST", f"/v1/cases/{case_id}/joint-task", XUANWU_POLICE, body={"outcome": "approved", "reason": "同意"}
        )
        assert (reply.status, reply.code) == (409, "case.not_a_joint_case")
        joint = accepted_joint_case()
        reply = call(
            "POST", f"/v1/cases/{joint}/joint-task", XUANWU_CIVIL, body={"outcome": "approved", "reason": "同意"}
        )
        assert (reply.status, reply.code) == (403, "case.task_not_yours")
