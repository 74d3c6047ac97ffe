"""High-frequency queries (issue 18 acceptance 5): the holder queries their own data held by
a department through its adapter (signed HTTPS against the local simulator), the answer is
reused briefly, every query is in the holder's log, and a department that is down or slower
than its budget answers 503 with Retry-After within the budget while the others answer."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from infra.local.partners import department_queries as sim
from infra.local.partners.department_queries import DepartmentQuerySimulator
from infra.seed.identity.people import DEMO_ENTERPRISE, POPULATION, ZHANG_WEI
from infra.template import ROOT
from shared.identity.models import Account, AccountKind
from shared.identity.protection import sealer
from shared.identity.repository import account_key
from shared.platform import aws, sealing
from shared.platform.config import reset_settings
from shared.platform.dynamo import to_item
from shared.platform.partner_http import partner_secret
from shared.platform.principal import Role
from shared.platform.privacy import mask_id_number, mask_phone
from shared.queries import adapters, service
from tests.support.api import call, invoke
from tests.support.apigw import as_role
from tests.support.template_tables import create_table_arguments

SECRET = "department-query-shared-secret-0123456789"
BUDGET_S = 0.3
HOLDER = "01JDQ90F3W7C8M2T6R4K9N5XA1"
CITIZEN = as_role("citizen", sub=HOLDER)
UNVERIFIED = as_role("citizen", sub="01JDQ90F3W7C8M2T6R4K9N5XB2")
AGENT = as_role("agent", sub="01JDQ90F3W7C8M2T6R4K9N5XC3", acting_for=DEMO_ENTERPRISE.uscc)
STAFF = as_role("staff", department_id="320102-civil", region_code="320102")


def _forget() -> None:
    reset_settings()
    aws.reset_clients()
    sealing.sealer.cache_clear()
    partner_secret.cache_clear()
    adapters.departments.cache_clear()
    service.queries_service.cache_clear()


@pytest.fixture
def simulator() -> Iterator[DepartmentQuerySimulator]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**create_table_arguments("QueriesTable", "queries-test"))
        dynamodb.create_table(**create_table_arguments("IdentityTable", "identity-test"))
        key = boto3.client("kms").create_key(Description="personal data")["KeyMetadata"]["KeyId"]
        secret = boto3.client("secretsmanager").create_secret(Name="dq", SecretString=SECRET)["ARN"]
        partner = DepartmentQuerySimulator(secret=SECRET.encode(), slow_s=1.0)
        for name, value in {
            "QUERIES_TABLE": "queries-test",
            "IDENTITY_TABLE": "identity-test",
            "PERSONAL_DATA_KEY_ID": key,
            "DEPARTMENT_QUERY_URL": partner.serve(),
            "DEPARTMENT_QUERY_SECRET_ARN": secret,
            "QUERY_TIMEOUT_S": str(BUDGET_S),
        }.items():
            patch.setenv(name, value)
        _forget()
        _seed_person(HOLDER, ZHANG_WEI.id_number, ZHANG_WEI.name)
        try:
            yield partner
        finally:
            partner.stop()
            _forget()


def _seed_person(subject_id: str, id_number: str, name: str) -> None:
    """A real-name account as identity keeps it (ID number sealed with the data key)."""
    account = Account(
        subject_id=subject_id,
        kind=AccountKind.PERSON,
        role=Role.CITIZEN,
        name=name,
        id_number_masked=mask_id_number(id_number),
        phone_masked=mask_phone("13800000001"),
        id_hash="h" * 64,
        phone_hash="p" * 64,
        sealed=sealer().seal(subject_id, {"id_number": id_number, "phone": "13800000001"}),
        created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
    )
    boto3.client("dynamodb").put_item(
        TableName="identity-test", Item=to_item({**account_key(subject_id), **account.model_dump(mode="json")})
    )


def test_the_catalogue_offers_enterprises_only_their_kinds(simulator: DepartmentQuerySimulator) -> None:
    mine = call("GET", "/v1/me/queries", CITIZEN)
    assert mine.status == 200
    assert [k["kind"] for k in mine.body["items"]] == [
        "housing_fund",
        "social_security",
        "traffic_violations",
        "exam_scores",
    ]
    theirs = call("GET", "/v1/me/queries", AGENT)
    assert "exam_scores" not in [k["kind"] for k in theirs.body["items"]]
    assert call("GET", "/v1/me/queries", STAFF).status == 403


def test_a_citizen_gets_their_own_record_then_the_recent_answer_and_sees_both_in_the_log(
    simulator: DepartmentQuerySimulator,
) -> None:
    first = call("GET", "/v1/me/queries/housing_fund", CITIZEN)
    assert first.status == 200, first.body
    assert first.body["cached"] is False
    assert first.body["department"] == "江苏省住房公积金管理中心"
    assert first.body["data"]["status"] == "正常缴存"
    assert float(first.body["data"]["balance"]) > 0
    (asked,) = simulator.requests
    assert asked.body == {"subject": {"type": "person", "id_number": ZHANG_WEI.id_number}}
    assert asked.headers["x-jszw-signature"].startswith("hmac-sha256=")

    again = call("GET", "/v1/me/queries/housing_fund", CITIZEN)
    assert again.status == 200
    assert again.body["cached"] is True
    assert again.body["data"] == first.body["data"]
    assert len(simulator.requests) == 1  # the department was not asked twice

    log = call("GET", "/v1/me/query-log", CITIZEN)
    assert [(e["kind"], e["outcome"]) for e in log.body["items"]] == [
        ("housing_fund", "cached"),
        ("housing_fund", "answered"),
    ]
    assert call("GET", "/v1/me/query-log", AGENT).body["items"] == []  # the enterprise's log is another


def test_a_slow_department_answers_503_within_its_budget_and_the_others_still_answer(
    simulator: DepartmentQuerySimulator,
) -> None:
    # the department answers after 2.5 s; the budget is 0.3 s. The bounds below sit between the two with room
    # for a loaded machine (a 0.3 s + 0.4 s bound failed at 0.97 s under load): what counts is that the
    # caller never waits for the slow department
    simulator.slow_paths, simulator.slow_s = {sim.TRAFFIC}, 2.5
    started = time.monotonic()
    slow = call("GET", "/v1/me/queries/traffic_violations", CITIZEN, headers={"Accept-Language": "en"})
    took = time.monotonic() - started
    assert slow.status == 503
    assert slow.code == "query.department_unavailable"
    assert int(slow.headers["Retry-After"]) >= 1
    assert "retry in" in slow.body["message"]
    assert took < 1.5, took  # the budget, not the department's 2.5 s

    started = time.monotonic()
    fine = call("GET", "/v1/me/queries/social_security", CITIZEN)
    assert fine.status == 200
    assert fine.body["data"]["records"]
    assert time.monotonic() - started < 1.5  # not held up by the slow kind

    outcomes = [(e["kind"], e["outcome"]) for e in call("GET", "/v1/me/query-log", CITIZEN).body["items"]]
    assert outcomes == [("social_security", "answered"), ("traffic_violations", "unavailable")]


def test_a_department_that_is_down_is_a_503_never_a_500_and_nothing_is_cached(
    simulator: DepartmentQuerySimulator,
) -> None:
    simulator.fail_status = 502
    down = call("GET", "/v1/me/queries/exam_scores", CITIZEN)
    assert down.status == 503
    assert "Retry-After" in down.headers
    simulator.fail_status = None
    back = call("GET", "/v1/me/queries/exam_scores", CITIZEN)
    assert back.status == 200
    assert back.body["cached"] is False
    assert back.body["data"]["exams"][0]["result"] == "合格"


def test_an_agent_queries_the_enterprises_records_only(simulator: DepartmentQuerySimulator) -> None:
    reply = call("GET", "/v1/me/queries/social_security", AGENT)
    assert reply.status == 200, reply.body
    assert reply.body["data"]["unit_name"] == DEMO_ENTERPRISE.name
    assert simulator.requests[-1].body == {"subject": {"type": "enterprise", "uscc": DEMO_ENTERPRISE.uscc}}
    assert call("GET", "/v1/me/queries/exam_scores", AGENT).code == "query.not_for_subject"
    assert [e["by_subject_id"] for e in call("GET", "/v1/me/query-log", AGENT).body["items"]] == [AGENT["sub"]]


def test_only_a_real_name_holder_and_only_known_kinds(simulator: DepartmentQuerySimulator) -> None:
    assert call("GET", "/v1/me/queries/housing_fund", UNVERIFIED).code == "query.not_real_name"
    assert call("GET", "/v1/me/queries/lottery", CITIZEN).code == "query.unknown_kind"
    assert call("GET", "/v1/me/queries/housing_fund", STAFF).status == 403
    assert simulator.requests == []


def test_the_table_holds_no_id_number(simulator: DepartmentQuerySimulator) -> None:
    for kind in ("housing_fund", "social_security", "traffic_violations", "exam_scores"):
        assert call("GET", f"/v1/me/queries/{kind}", CITIZEN).status == 200
    items = boto3.client("dynamodb").scan(TableName="queries-test")["Items"]
    assert len(items) == 8  # four cached answers, four log entries
    assert ZHANG_WEI.id_number not in json.dumps(items, ensure_ascii=False)


def test_the_simulator_has_a_realistic_record_of_every_kind_for_every_demo_person() -> None:
    for person in POPULATION:
        fund = sim.person_record(sim.HOUSING_FUND, person.id_number)
        assert fund["account_masked"].endswith(person.id_number[-4:])
        assert person.id_number not in json.dumps(fund)
        assert sim.person_record(sim.SOCIAL_SECURITY, person.id_number)["records"]
        traffic = sim.person_record(sim.TRAFFIC, person.id_number)
        assert 0 <= traffic["driver_licence"]["points_left"] <= 12
        assert sim.person_record(sim.EXAMS, person.id_number)["exams"]


def test_the_sample_events_run_through_the_function(simulator: DepartmentQuerySimulator) -> None:
    folder = ROOT / "events" / "queries_api"
    answered = invoke(json.loads((folder / "query-housing-fund.json").read_text(encoding="utf-8")))
    assert answered.status == 200
    assert answered.body["kind"] == "housing_fund"
    log = invoke(json.loads((folder / "query-log.json").read_text(encoding="utf-8")))
    assert [e["outcome"] for e in log.body["items"]] == ["answered"]
