"""A department system moves a case through its signed messages (issue 19
acceptance 1): the same use cases as staff, and nothing from a forged,
replayed, stale or unsigned message."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.exchange.repository import ExchangeRepository
from shared.exchange.signing import canonical, sign, signing_kid, verify
from shared.platform.clock import now
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_batch
from tests.unit.cases_fixtures import (
    AGENT,
    CITIZEN_A,
    ENTERPRISE_ITEM,
    attach,
    cases_cloud,
    new_case,
    run_pre_review,
    submit,
)
from tests.unit.exchange_fixtures import DECISION, FORGER, KEY, KID, LICENCE, PARTNER, exchange_table, message


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with cases_cloud():
        exchange_table(monkeypatch)
        yield


def deliver(*messages: dict[str, Any] | str, receive_count: int = 1) -> dict[str, Any]:
    bodies = [m if isinstance(m, str) else json.dumps(m, ensure_ascii=False) for m in messages]
    result: dict[str, Any] = load_function("department_system_events").handler(
        sqs_batch(bodies, receive_count=receive_count, queue="DepartmentSystemInboundQueue"), FakeContext()
    )
    return result


def submitted_tax_registration() -> str:
    """The enterprise's agent applies for the province's 税务登记 (the tax department's item)."""
    case_id = str(new_case(AGENT, item_code=ENTERPRISE_ITEM)["case_id"])
    form = call("PUT", f"/v1/cases/{case_id}/form", AGENT, body={"form": {"accounting_method": "独立核算"}})
    assert form.status == 200, form.body
    for slot in ("business_licence", "bank_account"):
        assert attach(case_id, slot, AGENT).status == 200
    assert submit(case_id, AGENT).status == 200
    run_pre_review(case_id)
    return case_id


def state(case_id: str) -> str:
    return str(call("GET", f"/v1/cases/{case_id}", AGENT).body["state"])


def parked_reasons() -> list[str]:
    return sorted(p["reason"] for p in ExchangeRepository().parked(PARTNER))


def test_the_signature_covers_the_canonical_body_whatever_the_key_order() -> None:
    signed = message("01JDQ90F3W7C8M2T6R4K9N5XZ1", "accepted", {"note": "受理"})
    reordered = dict(reversed(list(signed.items())))
    assert canonical(reordered) == canonical(signed)
    assert verify(KEY.public_key(), reordered, signed["signature"])
    assert not verify(KEY.public_key(), {**signed, "case_id": "01JDQ90F3W7C8M2T6R4K9N5XZ2"}, signed["signature"])
    assert not verify(FORGER.public_key(), signed, signed["signature"])
    header, _, value = signed["signature"].split(".")
    assert not verify(KEY.public_key(), signed, f"{header}.{value}.")  # not detached
    none_alg = "eyJhbGciOiJub25lIiwia2lkIjoidGF4LTIwMjYifQ.." + value
    assert not verify(KEY.public_key(), signed, none_alg)


def test_the_department_system_accepts_decides_and_completes_and_the_applicant_sees_it(cloud: None) -> None:
    case_id = submitted_tax_registration()
    assert state(case_id) == "pre_review_passed"

    # the 决定 overtakes the 受理: SQS delivers it again (not parked) until the case is accepted
    decision = message(case_id, "decided", DECISION)
    assert len(deliver(decision)["batchItemFailures"]) == 1
    assert deliver(message(case_id, "accepted", {"note": "材料齐全，予以受理"})) == {"batchItemFailures": []}
    assert state(case_id) == "accepted"
    assert deliver(decision, receive_count=2) == {"batchItemFailures": []}
    detail = call("GET", f"/v1/cases/{case_id}", AGENT).body
    assert detail["state"] == "approved"
    assert "苏税登字〔2026〕0001号" in detail["decision"]["reason"]
    assert deliver(message(case_id, "completed")) == {"batchItemFailures": []}
    assert state(case_id) == "completed"
    # its 证照 is logged and changes nothing: the e-licence comes from the approval (D-300)
    assert deliver(message(case_id, "licence_issued", LICENCE)) == {"batchItemFailures": []}
    assert state(case_id) == "completed"

    # the applicant's timeline names the department system as the actor, and still verifies
    timeline = call("GET", f"/v1/cases/{case_id}", AGENT).body["timeline"]
    assert [e["action"] for e in timeline][-3:] == ["accept", "approve", "complete"]
    assert call("GET", f"/v1/cases/{case_id}/timeline/verify", AGENT).body["valid"] is True
    # every applied message is in the partner's hash-chained log, raw
    log = ExchangeRepository().log(PARTNER)
    assert [e.kind for e in log] == ["accepted", "decided", "completed", "licence_issued"]
    assert json.loads(log[1].raw)["body"]["document_number"] == DECISION["document_number"]
    assert json.loads(log[3].raw)["body"]["licence_number"] == LICENCE["licence_number"]
    assert ExchangeRepository().verify_log(PARTNER).valid


def test_forged_replayed_stale_and_unsigned_messages_change_nothing(cloud: None) -> None:
    case_id = submitted_tax_registration()
    genuine = message(case_id, "accepted")
    assert deliver(genuine)["batchItemFailures"] == []
    before = call("GET", f"/v1/cases/{case_id}", AGENT).body

    denial = {**DECISION, "outcome": "denied"}
    forged = message(case_id, "decided", denial, key=FORGER)
    tampered = {**message(case_id, "decided", DECISION), "body": denial}
    stale = message(case_id, "decided", denial, sent_at=now() - dt.timedelta(minutes=6))
    unsigned = {k: v for k, v in message(case_id, "decided", denial).items() if k != "signature"}
    unknown_key = {**message(case_id, "decided", denial), "partner": "someone-else"}
    someone_elses_case = str(new_case(CITIZEN_A)["case_id"])  # Xuanwu civil affairs' case
    someone_elses = message(someone_elses_case, "accepted")
    someone_elses_licence = message(someone_elses_case, "licence_issued", LICENCE)
    # the sample in events/ is signed by a key the registry does not hold
    sample = json.loads((ROOT / "events" / "department_system_events" / "sqs-tax-decided.json").read_text())
    signed_elsewhere = {**json.loads(sample["Records"][0]["body"]), "case_id": case_id}
    result = deliver(
        genuine,
        forged,
        tampered,
        stale,
        unsigned,
        unknown_key,
        "not json",
        someone_elses,
        someone_elses_licence,
        signed_elsewhere,
    )

    assert result == {"batchItemFailures": []}  # parked, not retried
    assert call("GET", f"/v1/cases/{case_id}", AGENT).body == before
    assert parked_reasons() == [
        "bad_signature",
        "bad_signature",
        "bad_signature",
        "not_its_case",
        "not_its_case",
        "replayed",
        "stale",
        "unsigned",
    ]
    assert sorted(p["reason"] for p in ExchangeRepository().parked("unknown")) == ["malformed", "unknown_partner"]
    assert [e.kind for e in ExchangeRepository().log(PARTNER)] == ["accepted"]


def test_a_signature_names_its_key_so_a_key_can_be_rotated() -> None:
    signed = message("01JDQ90F3W7C8M2T6R4K9N5XZ1", "accepted")
    assert signing_kid(signed["signature"]) == KID
    next_key = sign(FORGER, "tax-2027", signed)
    assert signing_kid(next_key) == "tax-2027"
    assert verify(FORGER.public_key(), signed, next_key)
