"""The management platform's audit log and claim tasks (issue 19, acceptance 4 and 5, D-290,
D-292): admin_events and admin_api in-process against moto, the catalogue seeded with the
demo divisions and departments and one basic item the province publishes."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.seed import licence_types
from infra.seed.departments import DEPARTMENTS, SEED_REGIONS, department_id
from infra.seed.items import BASIC_ITEMS, implementation_code, new_item_bodies
from infra.seed.regions import ALL as ALL_REGIONS
from infra.template import ROOT
from shared.admin import service as admin_service_module
from shared.catalog.codes import parent_region, region_level
from shared.catalog.models import Region
from shared.catalog.service import CatalogService
from shared.catalog.writes import NewDepartment, NewItem, PublishRequest
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item, outbox_events, to_item
from shared.platform.principal import Principal, Role
from tests.support.api import call, invoke
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments

ADMIN_TABLE = "admin-test"
CATALOG_TABLE = "catalog-admin-test"
PROVINCE = Principal(subject_id="01JDQ90F3W7C8M2T6R4K9N5XA4", role=Role.OPERATOR, region_code="320000")
NANJING = Principal(subject_id="01JDQ90F3W7C8M2T6R4K9N5P01", role=Role.OPERATOR, region_code="320100")
XUANWU = Principal(subject_id="01JDQ90F3W7C8M2T6R4K9N5P02", role=Role.OPERATOR, region_code="320102")
# a basic item of the demo catalogue; only the province's implementation is loaded
BASIC = next(b for b in BASIC_ITEMS if {"320000", "320100"} <= {i.region_code for i in b.implementations})
SAMPLE = ROOT / "events" / "admin_events" / "sqs-workforce-account-changed.json"


@pytest.fixture
def cloud() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**create_table_arguments("AdminTable", ADMIN_TABLE))
        dynamodb.create_table(**create_table_arguments("CatalogTable", CATALOG_TABLE))
        dlq = boto3.client("sqs").create_queue(QueueName="admin-dlq-test")["QueueUrl"]
        for name, value in {
            "ADMIN_TABLE": ADMIN_TABLE,
            "CATALOG_TABLE": CATALOG_TABLE,
            "CLAIM_LIMIT_DAYS": "10",
            "DLQ_URL": dlq,
            "MAX_RECEIVES": "3",
        }.items():
            patch.setenv(name, value)
        reset_settings()
        aws.reset_clients()
        admin_service_module.admin_service.cache_clear()
        seed_catalogue()
        try:
            yield
        finally:
            reset_settings()
            admin_service_module.admin_service.cache_clear()


def seed_catalogue() -> None:
    """The demo divisions and departments and the province's implementation, published (the
    demo seed's steps, without its hundreds of divisions and items)."""
    service = CatalogService()
    names = dict(ALL_REGIONS)
    service.register_regions(
        [
            Region(code=c, name=names[c], level=region_level(c), parent_code=parent_region(c))
            for c in sorted({*SEED_REGIONS, *(d.region_code for d in DEPARTMENTS)})
        ]
    )
    licence_types.project(service)
    service.register_departments(
        [
            NewDepartment(id=d.id, name=d.name, uscc=d.uscc, region_code=d.region_code, sector=d.sector)
            for d in DEPARTMENTS
        ]
    )
    for body in (province_body(), nanjing_body()):  # Nanjing implements it already: no task for it
        new = NewItem.model_validate(body)
        service.create_item(new, actor="seed")
        service.publish(new.implementation_code, PublishRequest(note="发布"), actor="seed")


def nanjing_body() -> dict[str, Any]:
    return next(b for b in new_item_bodies() if b["basic_code"] == BASIC.basic_code and b["region_code"] == "320100")


def province_body() -> dict[str, Any]:
    return next(b for b in new_item_bodies() if b["basic_code"] == BASIC.basic_code and b["region_code"] == "320000")


def catalog_outbox() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=CATALOG_TABLE, **OUTBOX_ITEMS)["Items"]
    return [e for item in items for e in outbox_events(from_item(item))]


def admin_outbox(event_type: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=ADMIN_TABLE, **OUTBOX_ITEMS)["Items"]
    return [e for i in items for e in outbox_events(from_item(i)) if e["type"] == event_type]


def consume(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = load_function("admin_events").handler(
        sqs_event(envelopes, queue="AdminEventsQueue"), FakeContext()
    )
    return result


def workforce_sample() -> dict[str, Any]:
    body = json.loads(json.loads(SAMPLE.read_text(encoding="utf-8"))["Records"][0]["body"])
    detail = dict(body["detail"])
    # an operator account has no department: a null inside the data must verify as well
    detail["data"] = detail["data"] | {"role": "staff", "department_id": None}
    return detail


def verify(who: Principal = PROVINCE) -> dict[str, Any]:
    reply = call("GET", "/v1/admin/audit/verify", who)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def test_every_action_is_chained_once_and_a_changed_entry_breaks_the_check(cloud: None) -> None:
    province = next(e for e in catalog_outbox() if e["data"]["region_code"] == "320000")
    account = workforce_sample()
    assert consume([account, province]) == {"batchItemFailures": []}
    assert consume([account]) == {"batchItemFailures": []}  # a redelivery adds nothing
    assert verify() == {"valid": True, "length": 2, "head": verify()["head"], "broken_at": None}

    page = call("GET", "/v1/admin/audit", PROVINCE).body["items"]
    assert [e["event_type"] for e in page] == ["catalog.item_published", "identity.workforce_account_changed"]
    assert page[1]["actor"] == account["data"]["by"]
    assert page[0]["prev_hash"] == page[1]["hash"]
    xuanwu = call("GET", "/v1/admin/audit", XUANWU).body["items"]
    assert [e["event_type"] for e in xuanwu] == ["identity.workforce_account_changed"]  # its own county only

    # someone with table access rewrites the first entry's data: the chain says where
    dynamodb = boto3.client("dynamodb")
    stored = from_item(
        dynamodb.get_item(TableName=ADMIN_TABLE, Key=to_item({"pk": "AUDIT", "sk": "E#0000000001"}))["Item"]
    )
    stored["data_json"] = stored["data_json"].replace('"role": "staff"', '"role": "operator"')
    dynamodb.put_item(TableName=ADMIN_TABLE, Item=to_item(stored))
    assert verify() | {"head": ""} == {"valid": False, "length": 2, "head": "", "broken_at": 1}


def test_the_verify_sample_is_served_to_operators_only(cloud: None) -> None:
    sample = json.loads((ROOT / "events" / "admin_api" / "audit-verify.json").read_text(encoding="utf-8"))
    assert invoke(sample).body == {"valid": True, "length": 0, "head": "0" * 64, "broken_at": None}
    staff = copy.deepcopy(sample)
    staff["requestContext"]["authorizer"] |= {"role": "staff", "department_id": "320102-civil"}
    assert invoke(staff).status == 403


def test_a_province_publication_opens_one_claim_per_concerned_department_and_a_claim_closes_it(cloud: None) -> None:
    published = catalog_outbox()
    consume(published)
    consume(published)  # redelivered: no second task, no second limit
    limits = admin_outbox("limit.set")
    claims = sorted(limit["subject"] for limit in limits)
    sector_departments = [department_id(r, BASIC.department) for r in ("320102", "320115", "320500")]
    assert claims == sorted(f"{d[:6]}.{d}.{BASIC.basic_code}" for d in sector_departments)
    assert {limit["data"]["limit_days"] for limit in limits} == {10}
    assert all(limit["data"]["due_on"] > limit["data"]["started_on"] for limit in limits)

    nanjing = call("GET", "/v1/admin/claims", NANJING).body["items"]
    assert [c["department_id"] for c in nanjing] == sector_departments[:2]  # not Suzhou's
    assert nanjing[0]["implementation_code"] == implementation_code(BASIC, "320102")
    xuanwu_claim = f"320102.{sector_departments[0]}.{BASIC.basic_code}"
    suzhou_claim = f"320500.{sector_departments[2]}.{BASIC.basic_code}"
    body = province_body() | {
        "implementation_code": implementation_code(BASIC, "320102"),
        "department_id": sector_departments[0],
        "region_code": "320102",
    }
    assert call("POST", f"/v1/admin/claims/{suzhou_claim}/claim", XUANWU, body=body).status == 404
    renamed = call("POST", f"/v1/admin/claims/{xuanwu_claim}/claim", XUANWU, body=body | {"name": "另一个名称"})
    assert renamed.status == 422, renamed.body  # 三级四同: the catalogue's own check
    wrong = call("POST", f"/v1/admin/claims/{xuanwu_claim}/claim", XUANWU, body=body | {"region_code": "320115"})
    assert (wrong.status, wrong.code) == (422, "admin.claim_mismatch")

    claimed = call("POST", f"/v1/admin/claims/{xuanwu_claim}/claim", XUANWU, body=body)
    assert claimed.status == 200, claimed.body
    assert (claimed.body["status"], claimed.body["implementation_code"]) == ("claimed", body["implementation_code"])
    again = call("POST", f"/v1/admin/claims/{xuanwu_claim}/claim", XUANWU, body=body)
    assert (again.status, again.code) == (409, "admin.claim_done")
    assert [c["subject"] for c in admin_outbox("limit.cleared")] == [xuanwu_claim]
    (done,) = admin_outbox("admin.claim_claimed")
    assert (done["data"]["by"], done["data"]["late"]) == (XUANWU.subject_id, False)
    consume([done])
    assert verify()["length"] == 3  # the two publications and the claim


def test_the_rule_subscribes_to_exactly_what_the_consumer_handles() -> None:
    from infra.template import sam_template
    from shared.admin.api import admin_consumer

    resources = sam_template()["Resources"]
    pattern = resources["AdminEventsRule"]["Properties"]["EventPattern"]
    assert sorted(pattern["detail-type"]) == sorted(admin_consumer.event_types)
    assert set(pattern["source"]) == {"jszw.identity", "jszw.catalog", "jszw.admin"}
    # claim limits reach supervision (the one clock)
    assert "jszw.admin" in resources["LimitsWatcherRule"]["Properties"]["EventPattern"]["source"]
