"""After approval, before 办结 (网上批、快递送): the case walks through payment,
licence and delivery as its item and delivery choice need, moved on by the
other contexts' events through the case-progress worker."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.seed import load_catalog
from infra.seed.items import new_item_bodies
from infra.template import ROOT
from shared.cases import steps
from shared.cases.application import DELIVERY_SEALING
from shared.cases.models import AcceptRequest, Case, DeliveryChoice, DeliveryMethod, FulfilmentStep
from shared.cases.service import CasesService, cases_service
from shared.catalog.service import CatalogService
from shared.platform import sealing
from shared.platform.clock import frozen_at
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.platform.principal import Principal
from shared.workdays.rules import Calendar
from tests.support.api import Reply, call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    XUANWU_CIVIL,
    attach,
    cases_cloud,
    dlq_messages,
    limit_facts,
    outbox,
    principal,
    run_pre_review,
    sqs_event,
    submit,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
JIANGNING_MARKET = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM1", department_id="320115-market", region_code="320115")


def _body(name: str, region_code: str) -> dict[str, Any]:
    return next(b for b in new_item_bodies() if b["name"] == name and b["region_code"] == region_code)


# 个体工商户设立登记 in 江宁: produces a 营业执照; a demo fee after approval is added here
SOLE_TRADER = _body("个体工商户设立登记", "320115") | {
    "fees": [{"name": "演示工本费", "amount_fen": 5000, "currency": "CNY", "non_tax": True}]
}
SOLE_TRADER_CODE = str(SOLE_TRADER["implementation_code"])
# 个体工商户设立登记 in 苏州 with the fee paid before acceptance
SOLE_TRADER_PREPAID = _body("个体工商户设立登记", "320500") | {
    "fees": [{"name": "演示证件费", "amount_fen": 2000, "currency": "CNY", "non_tax": True}],
    "fee_timing": "before_acceptance",
}
SUZHOU_MARKET = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XM4", department_id="320500-market", region_code="320500")
FORM = {"applicant_name": "张伟", "id_number": "320102198803150213", "premises_address": "南京市江宁区天元中路 1 号"}
COURIER = {
    "method": "courier",
    "address": "南京市江宁区天元中路 1 号 3 栋",
    "region_code": "320115",
    "recipient_name": "张伟",
    "recipient_phone": "13800000001",
}


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with cases_cloud():
        load_catalog(CatalogService(), [SOLE_TRADER, SOLE_TRADER_PREPAID])
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


def _submitted_case(item_code: str = SOLE_TRADER_CODE, delivery: dict[str, Any] | None = None) -> str:
    created = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": item_code, "delivery": delivery or COURIER})
    assert created.status == 201, created.body
    case_id = str(created.body["case_id"])
    assert call("PUT", f"/v1/cases/{case_id}/form", CITIZEN_A, body={"form": FORM}).status == 200
    for slot in ("application_form", "id_card", "premises_proof"):
        assert attach(case_id, slot, CITIZEN_A).status == 200
    assert submit(case_id).status == 200
    run_pre_review(case_id)
    return case_id


def _approved_case(delivery: dict[str, Any] | None = None) -> str:
    case_id = _submitted_case(delivery=delivery)
    assert call("POST", f"/v1/cases/{case_id}/accept", JIANGNING_MARKET, body={}).status == 200
    decided = call(
        "POST", f"/v1/cases/{case_id}/decide", JIANGNING_MARKET, body={"outcome": "approved", "reason": "符合登记条件"}
    )
    assert decided.status == 200, decided.body
    return case_id


def _done(event_type: str, case_id: str, **data: str) -> dict[str, Any]:
    """The event another context publishes when its step is done."""
    source = event_type.split(".")[0].replace("payment", "payments").replace("licence", "licences")
    source = source.replace("shipment", "delivery")
    return Envelope(type=event_type, source=source, subject=case_id, data={"case_id": case_id, **data}).model_dump(
        mode="json"
    )


def _progress(*envelopes: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = load_function("case_progress_worker").handler(sqs_event(list(envelopes)), FakeContext())
    return result


def _case(case_id: str, who: dict[str, str] = CITIZEN_A) -> dict[str, Any]:
    reply = call("GET", f"/v1/cases/{case_id}", who)
    assert reply.status == 200, reply.body
    return dict(reply.body)


class TestPlan:
    def _case(self, *, fees: int, timing: str, licence: str | None, method: DeliveryMethod) -> Case:
        body = SOLE_TRADER | {
            "fees": [{"name": "费", "amount_fen": fees}] if fees else [],
            "fee_timing": timing,
            "result_licence_type_code": licence,
        }
        item = {
            "implementation_code": body["implementation_code"],
            "name": body["name"],
            "version": 1,
            "department_id": body["department_id"],
            "department_name": "江宁区市场监督管理局",
            "region_code": "320115",
            "region_name": "江宁区",
            "exercise_level": 4,
            "legal_limit_days": 3,
            "promised_limit_days": 1,
            "immediate": False,
            "channel": "no_visit",
            "applicant_kinds": ["natural_person"],
            "materials": [],
            "form_schema": {},
            "fees": body["fees"],
            "fee_timing": timing,
            "result_licence_type_code": licence,
        }
        return Case.model_validate(
            {
                "case_id": "01JDQ90F3W7C8M2T6R4K9N5XZ0",
                "case_number": "320115-20260921-0-000001",
                "version": 1,
                "state": "approved",
                "applicant": {"subject_id": "01JDQ90F3W7C8M2T6R4K9N5XA1", "kind": "natural_person"},
                "item": item,
                "delivery": DeliveryChoice(method=method).model_dump(),
                "created_at": MONDAY,
                "updated_at": MONDAY,
            }
        )

    @pytest.mark.parametrize("fees", [0, 5000])
    @pytest.mark.parametrize("timing", ["after_approval", "before_acceptance"])
    @pytest.mark.parametrize("licence", [None, "11100000000010010X001"])
    @pytest.mark.parametrize("method", list(DeliveryMethod))
    def test_steps_follow_the_item_and_the_delivery_choice_in_order(
        self, fees: int, timing: str, licence: str | None, method: DeliveryMethod
    ) -> None:
        planned = steps.plan(self._case(fees=fees, timing=timing, licence=licence, method=method))
        expected = [
            *([FulfilmentStep.PAYMENT] if fees and timing == "after_approval" else []),
            *([FulfilmentStep.LICENCE] if licence else []),
            *([FulfilmentStep.DELIVERY] if method is DeliveryMethod.COURIER else []),
        ]
        assert planned == expected


class TestCourierChoice:
    def test_the_recipient_is_sealed_and_shown_masked(self) -> None:
        created = call("POST", "/v1/cases", CITIZEN_A, body={"item_code": SOLE_TRADER_CODE, "delivery": COURIER})
        assert created.status == 201, created.body
        shown = created.body["delivery"]
        assert shown == {
            "method": "courier",
            "address": COURIER["address"],
            "region_code": "320115",
            "recipient": "张* 138****0001",
            "hall_id": None,  # only a pickup at a hall names one (D-219)
        }
        assert "13800000001" not in str(created.body)

    def test_courier_delivery_needs_the_region_and_a_recipient(self) -> None:
        reply = call(
            "POST",
            "/v1/cases",
            CITIZEN_A,
            body={"item_code": SOLE_TRADER_CODE, "delivery": {"method": "courier", "address": "南京市江宁区某路 1 号"}},
        )
        assert (reply.status, reply.body["code"]) == (422, "case.invalid_delivery")
        assert sorted((e["field"], e["code"]) for e in reply.body["errors"]) == [
            ("delivery.recipient_name", "case.recipient_required"),
            ("delivery.recipient_phone", "case.recipient_required"),
            ("delivery.region_code", "case.address_region_required"),
        ]


class TestAfterApproval:
    def test_payment_then_licence_then_delivery_then_completed(self) -> None:
        case_id = _approved_case()
        # approved: the fee is due at once, in the approval's transaction
        case = _case(case_id)
        assert (case["state"], case["pending_steps"], case["fee_total_fen"]) == (
            "awaiting_payment",
            ["payment", "licence", "delivery"],
            5000,
        )
        assert case["required_actions"][0]["action"] == "pay"
        [fee_due] = outbox("case.fee_due", case_id)
        assert (fee_due["data"]["stage"], fee_due["data"]["total_fen"]) == ("after_approval", 5000)

        assert _progress(_done("payment.paid", case_id, order_id="PO-1")) == {"batchItemFailures": []}
        assert _case(case_id)["state"] == "awaiting_licence"
        [licence_due] = outbox("case.licence_due", case_id)
        assert licence_due["data"]["issuer_uscc"] == SOLE_TRADER_CODE[:18]
        assert licence_due["data"]["licence_type_code"] == SOLE_TRADER["result_licence_type_code"]

        assert _progress(_done("licence.issued", case_id, licence_id="LIC-1")) == {"batchItemFailures": []}
        assert _case(case_id)["state"] == "awaiting_delivery"
        [delivery_due] = outbox("case.delivery_due", case_id)
        assert delivery_due["data"]["contents"] == ["decision_document", "licence_certificate"]
        assert delivery_due["data"]["address_region_code"] == "320115"
        assert "13800000001" not in str(delivery_due)
        recipient = sealing.sealer(DELIVERY_SEALING).unseal(case_id, delivery_due["data"]["recipient_sealed"])
        assert recipient == {"name": "张伟", "phone": "13800000001"}

        assert _progress(_done("shipment.delivered", case_id, shipment_id="SH-1")) == {"batchItemFailures": []}
        done = _case(case_id)
        assert (done["state"], done["pending_steps"]) == ("completed", [])
        assert [(r["step"], r["reference"]) for r in done["fulfilment"]] == [
            ("payment", "PO-1"),
            ("licence", "LIC-1"),
            ("delivery", "SH-1"),
        ]
        assert len(outbox("case.completed", case_id)) == 1
        actions = [entry["action"] for entry in done["timeline"]]
        assert actions[-4:] == ["await_payment", "await_licence", "await_delivery", "complete"]

    def test_a_redelivered_event_changes_nothing(self) -> None:
        case_id = _approved_case()
        paid = _done("payment.paid", case_id, order_id="PO-2")
        _progress(paid)
        before = _case(case_id)
        assert _progress(paid, paid) == {"batchItemFailures": []}
        after = _case(case_id)
        assert (after["state"], after["version"]) == (before["state"], before["version"])
        assert len(outbox("case.licence_due", case_id)) == 1

    def test_electronic_delivery_completes_with_the_licence(self) -> None:
        case_id = _approved_case(delivery={"method": "electronic"})
        _progress(_done("payment.paid", case_id, order_id="PO-3"))
        _progress(_done("licence.issued", case_id, licence_id="LIC-3"))
        assert _case(case_id)["state"] == "completed"
        assert outbox("case.delivery_due", case_id) == []

    def test_staff_cannot_complete_a_case_still_waiting_for_a_step(self) -> None:
        case_id = _approved_case()
        reply = call("POST", f"/v1/cases/{case_id}/complete", JIANGNING_MARKET, body={})
        assert (reply.status, reply.body["code"]) == (409, "case.transition_not_allowed")
        assert _case(case_id)["state"] == "awaiting_payment"

    def test_a_bad_event_is_parked_and_its_peers_succeed(self) -> None:
        case_id = _approved_case()
        orphan = _done("payment.paid", "01JDQ90F3W7C8M2T6R4K9N5XZZ", order_id="PO-X")
        no_reference = _done("payment.paid", case_id)
        good = _done("payment.paid", case_id, order_id="PO-4")
        batch = sqs_event([orphan, no_reference, good])
        result = load_function("case_progress_worker").handler(batch, FakeContext())
        assert result == {"batchItemFailures": []}  # parked, not retried
        assert _case(case_id)["state"] == "awaiting_licence"
        parked = [m for m in dlq_messages() if case_id in m["Body"] or "PO-X" in m["Body"]]
        reasons = sorted(m["MessageAttributes"]["failure_reason"]["StringValue"] for m in parked)
        assert reasons == [
            "PermanentFailure: payment.paid for unknown case 01JDQ90F3W7C8M2T6R4K9N5XZZ",
            "PermanentFailure: payment.paid without case_id or order_id",
        ]

    def test_a_denial_has_no_steps(self) -> None:
        case_id = _submitted_case()
        assert call("POST", f"/v1/cases/{case_id}/accept", JIANGNING_MARKET, body={}).status == 200
        denied = call(
            "POST", f"/v1/cases/{case_id}/decide", JIANGNING_MARKET, body={"outcome": "denied", "reason": "场所不符"}
        )
        assert (denied.body["state"], denied.body["pending_steps"]) == ("denied", [])
        assert denied.body["licence_clock"] is None
        assert outbox("case.fee_due", case_id) == []


class TestFeesBeforeAcceptance:
    def test_acceptance_waits_for_the_payment(self) -> None:
        case_id = _submitted_case(str(SOLE_TRADER_PREPAID["implementation_code"]), {"method": "electronic"})
        [fee_due] = outbox("case.fee_due", case_id)
        assert (fee_due["data"]["stage"], fee_due["data"]["total_fen"]) == ("before_acceptance", 2000)

        refused: Reply = call("POST", f"/v1/cases/{case_id}/accept", SUZHOU_MARKET, body={})
        assert (refused.status, refused.body["code"]) == (409, "case.fee_unpaid")
        assert "2000" in refused.body["message"]

        _progress(_done("payment.paid", case_id, order_id="PO-5"))
        paid = _case(case_id)
        assert (paid["state"], paid["fulfilment"][0]["reference"]) == ("pre_review_passed", "PO-5")
        accepted = call("POST", f"/v1/cases/{case_id}/accept", SUZHOU_MARKET, body={})
        assert (accepted.status, accepted.body["state"]) == (200, "accepted")

    def test_there_is_one_accept_whichever_service_object_the_caller_holds(self) -> None:
        # (CasesService.accept used to lack the fee rule that only ReviewService.accept had)
        case_id = _submitted_case(str(SOLE_TRADER_PREPAID["implementation_code"]), {"method": "electronic"})
        staff = Principal.from_context(SUZHOU_MARKET)
        for service in (CasesService(), cases_service()):
            with pytest.raises(Conflict) as refused:
                service.accept(staff, case_id, AcceptRequest(), correlation_id=None)
            assert refused.value.code == "case.fee_unpaid"
        assert _case(case_id)["state"] == "pre_review_passed"

    def test_other_departments_still_cannot_act(self) -> None:
        case_id = _submitted_case(str(SOLE_TRADER_PREPAID["implementation_code"]), {"method": "electronic"})
        reply = call("POST", f"/v1/cases/{case_id}/accept", XUANWU_CIVIL, body={})
        assert (reply.status, reply.code) == (404, "case.not_found")


class TestSampleEvent:
    def test_the_sample_for_an_unknown_case_is_parked_with_its_reason(self) -> None:
        sample = json.loads((ROOT / "events" / "case_progress_worker" / "sqs-licence-issued.json").read_text("utf-8"))
        assert load_function("case_progress_worker").handler(sample, FakeContext()) == {"batchItemFailures": []}
        parked = [m for m in dlq_messages() if "01JDQ90F3W7C8M2T6R4K9N5XZ1" in m["Body"]]
        assert [m["MessageAttributes"]["failure_reason"]["StringValue"] for m in parked] == [
            "PermanentFailure: licence.issued for unknown case 01JDQ90F3W7C8M2T6R4K9N5XZ1"
        ]


class TestLicenceClock:
    """行政许可法 第44条: the certificate within 10 working days of the approval, warned
    like the other limits and resolved when `licence.issued` comes back."""

    def test_the_licence_is_due_in_ten_working_days_and_watched_until_it_is_issued(self) -> None:
        case_id = _approved_case(delivery={"method": "electronic"})
        stored = cases_service().repository.get(case_id)
        assert stored is not None
        assert stored.licence_clock is not None
        due = Calendar().add_working_days(MONDAY.date(), 10).date
        assert (stored.licence_clock.started_on, stored.licence_clock.due_on) == (MONDAY.date(), due)
        # the limit travels to supervision, which warns on it (tests/unit/test_supervision_warnings.py)
        [started] = [e["data"] for e in limit_facts("limit.set", case_id) if e["data"]["name"] == "licence"]
        assert (started["limit_days"], started["due_on"], started["paused"]) == (10, due.isoformat(), False)
        assert {e["data"]["name"] for e in limit_facts("limit.cleared", case_id)} == {"legal", "promised"}
        # paid: still waiting for the licence, its limit still runs
        assert _progress(_done("payment.paid", case_id, order_id="PO-44")) == {"batchItemFailures": []}
        assert "licence" not in {e["data"]["name"] for e in limit_facts("limit.cleared", case_id)}
        assert _progress(_done("licence.issued", case_id, licence_id="LIC-44")) == {"batchItemFailures": []}
        [cleared] = [e["data"] for e in limit_facts("limit.cleared", case_id) if e["data"]["name"] == "licence"]
        assert cleared["reason"] == "licence_issued"
        # D-340: each step that moved limits published one event for them: the acceptance (legal and
        # promised start), the approval (both cleared, the licence limit started), the issue (cleared)
        moved = sorted(
            (e["type"], len(e["data"].get("limits_set", [])), len(e["data"].get("limits_cleared", [])))
            for e in outbox(subject=case_id)
            if e["type"].startswith("limit")
        )
        assert moved == [("limit.cleared", 0, 0), ("limits.changed", 1, 2), ("limits.changed", 2, 0)]

    def test_the_case_detail_shows_the_licence_clock_until_the_licence_is_issued(self) -> None:
        case_id = _approved_case()
        due = Calendar().add_working_days(MONDAY.date(), 10).date
        unpaid = _case(case_id)
        assert unpaid["state"] == "awaiting_payment"
        assert unpaid["licence_clock"] == {
            "started_on": MONDAY.date().isoformat(),
            "limit_days": 10,
            "due_on": due.isoformat(),
            "running": True,
        }
        assert _progress(_done("payment.paid", case_id, order_id="PO-45")) == {"batchItemFailures": []}
        waiting = _case(case_id)
        assert waiting["licence_clock"]["running"] is True
        [action] = waiting["required_actions"]
        assert (action["action"], action["due_on"]) == ("issue_licence", due.isoformat())
        assert _progress(_done("licence.issued", case_id, licence_id="LIC-45")) == {"batchItemFailures": []}
        issued = _case(case_id)
        assert issued["licence_clock"]["due_on"] == due.isoformat()
        assert issued["licence_clock"]["running"] is False
