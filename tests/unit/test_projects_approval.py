"""Investment projects (issue 21, part 2 of the projects slice): approval (核准) as ONE joint
approval case of the cases context, the project following it through the case events, change
filings and the lists.

In-process against moto: the cases cloud (cases_fixtures) with the Projects table and bucket,
the demo joint approval item of 江宁区 published; projects_api and case_api run as API Gateway
would call them, and the case events are fed to projects_worker as its queue would."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.seed import load_catalog
from infra.seed.items import PROJECT_APPROVAL, new_item_bodies
from infra.template import ROOT
from shared.catalog.service import CatalogService
from shared.platform.clock import frozen_at
from shared.platform.dynamo import from_item, outbox_events
from shared.projects.consumers import CASE_EVENTS
from shared.projects.service import projects_service
from tests.support.api import Reply, call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function, sqs_event
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments
from tests.unit.cases_fixtures import AGENT, CITIZEN_A, cases_cloud, outbox, principal, run_pre_review

PROJECTS_TABLE = "projects-test"
PROJECTS_BUCKET = "projects-test-bucket"
MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
APPROVAL_BODY = next(b for b in new_item_bodies() if b["basic_code"] == PROJECT_APPROVAL)
DRC = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XP1", department_id="320115-drc", region_code="320115")
RESOURCES = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XP2", department_id="320115-resources", region_code="320115")
ECOLOGY = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XP3", department_id="320115-ecology", region_code="320115")
HOUSING = principal("staff", "01JDQ90F3W7C8M2T6R4K9N5XP4", department_id="320115-housing", region_code="320115")
SUZHOU_AGENT = principal("agent", "01JDQ90F3W7C8M2T6R4K9N5XP5", acting_for="91320505MA27QH4N9H", scope="cases")
# 热电联产 in 江宁: the catalogue's 火电站 entry (国发〔2016〕72号) → approval
POWER_PLANT: dict[str, Any] = {
    "name": "江宁燃气热电联产项目",
    "region_code": "320115",
    "industry": "44",
    "total_investment_fen": 1_800_000_000_00,
    "construction_content": "建设 2 台 40 万千瓦级燃气—蒸汽联合循环热电联产机组",
    "start_year": 2027,
}
FACTORY = POWER_PLANT | {
    "name": "江宁智能装备制造基地",
    "industry": "34",
    "construction_content": "新建厂房 3.2 万平方米",
}

MOVE = {"region_code": "320102", "reason": "选址调整"}


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with cases_cloud(), pytest.MonkeyPatch.context() as patch:
        boto3.client("dynamodb").create_table(**create_table_arguments("ProjectsTable", PROJECTS_TABLE))
        boto3.client("s3").create_bucket(
            Bucket=PROJECTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        patch.setenv("PROJECTS_TABLE", PROJECTS_TABLE)
        patch.setenv("PROJECTS_BUCKET", PROJECTS_BUCKET)
        from shared.platform.config import reset_settings

        reset_settings()
        projects_service.cache_clear()
        load_catalog(CatalogService(), [APPROVAL_BODY])
        yield
        projects_service.cache_clear()


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


def register(body: dict[str, Any] = POWER_PLANT, who: dict[str, str] = AGENT) -> dict[str, Any]:
    reply = call("POST", "/v1/projects", who, body=body)
    assert reply.status == 201, reply.body
    return reply.body


def feed_worker(case_id: str, *, twice: bool = False) -> dict[str, Any]:
    """Deliver every event of the case so far to projects_worker (as ProjectCasesQueue would)."""
    worker = load_function("projects_worker")
    events = routed(case_id)
    result: dict[str, Any] = worker.handler(
        sqs_event(events + (events if twice else []), queue="ProjectCasesQueue"), FakeContext()
    )
    return result


def routed(case_id: str) -> list[dict[str, Any]]:
    """The case's events ProjectCasesRule routes to the worker (template.yaml)."""
    return [e for e in outbox(subject=case_id) if e["type"] in CASE_EVENTS]


def project(project_id: str, who: dict[str, str] = AGENT) -> dict[str, Any]:
    reply = call("GET", f"/v1/projects/{project_id}", who)
    assert reply.status == 200, reply.body
    return reply.body


def opened(project_id: str) -> str:
    reply = call("POST", f"/v1/projects/{project_id}/approval", AGENT)
    assert reply.status == 201, reply.body
    case_id = str(reply.body["approval"]["case_id"])
    run_pre_review(case_id)
    return case_id


def opinion(case_id: str, who: dict[str, str], outcome: str = "approved") -> Reply:
    return call("POST", f"/v1/cases/{case_id}/joint-task", who, body={"outcome": outcome, "reason": "符合要求"})


class TestApproval:
    def test_an_approval_project_opens_one_joint_case_and_completes_when_it_does(self) -> None:
        registered = register()
        assert registered["state"] == "approval_required"
        project_id = registered["project_id"]
        reply = call("POST", f"/v1/projects/{project_id}/approval", AGENT)
        assert reply.status == 201, reply.body
        assert reply.body["state"] == "approving"
        approval = reply.body["approval"]
        assert approval["lead_department_id"] == "320115-drc"
        assert approval["item_name"] == "企业投资项目核准并联审批"
        case_id = approval["case_id"]
        # the case is the enterprise's own, with the project's data in its form
        case = call("GET", f"/v1/cases/{case_id}", AGENT).body
        assert case["form"]["project_code"] == registered["code"]
        assert case["applicant_uscc"] == "91320102MA1W8K3R68"
        # a second request is refused: one project, one open approval
        again = call("POST", f"/v1/projects/{project_id}/approval", AGENT)
        assert (again.status, again.code) == (409, "projects.not_awaiting_approval")

        run_pre_review(case_id)
        assert call("POST", f"/v1/cases/{case_id}/accept", DRC, body={"note": "启动并联审批"}).status == 200
        feed_worker(case_id)
        view = project(project_id)["approval"]
        assert {t["department_id"]: t["state"] for t in view["tasks"]} == {
            "320115-resources": "open",
            "320115-ecology": "open",
            "320115-housing": "open",
        }
        assert view["case_state"] == "accepted"
        assert view["legal_due_on"]

        for who in (RESOURCES, ECOLOGY, HOUSING):
            assert opinion(case_id, who).status == 200
        decided = call("POST", f"/v1/cases/{case_id}/decide", DRC, body={"outcome": "approved", "reason": "同意核准"})
        assert decided.status == 200, decided.body
        feed_worker(case_id)
        middle = project(project_id)
        assert middle["state"] == "approving"  # decided, not yet completed (办结)
        assert {t["state"] for t in middle["approval"]["tasks"]} == {"approved"}
        assert call("POST", f"/v1/cases/{case_id}/complete", DRC, body={}).status == 200

        result = feed_worker(case_id, twice=True)  # every event again: idempotent
        assert result == {"batchItemFailures": []}
        done = project(project_id)
        assert done["state"] == "approved"
        assert done["approval"]["outcome"] == "approved"
        assert done["approval"]["case_state"] == "completed"
        # the region's development and reform commission reads the project with its case too
        assert project(project_id, DRC)["approval"]["case_id"] == case_id
        told = [e["type"] for e in projects_outbox(project_id)]
        assert told.count("project.approval_opened") == 1
        assert told.count("project.approved") == 1

    def test_a_denied_approval_denies_the_project_and_events_out_of_order_agree(self) -> None:
        project_id = register()["project_id"]
        case_id = opened(project_id)
        assert call("POST", f"/v1/cases/{case_id}/accept", DRC).status == 200
        for who in (RESOURCES, ECOLOGY):
            assert opinion(case_id, who).status == 200
        assert opinion(case_id, HOUSING, "denied").status == 200
        denied = call("POST", f"/v1/cases/{case_id}/decide", DRC, body={"outcome": "denied", "reason": "不符合规划"})
        assert denied.status == 200
        worker = load_function("projects_worker")
        newest_first = list(reversed(routed(case_id)))
        worker.handler(sqs_event(newest_first, queue="ProjectCasesQueue"), FakeContext())
        view = project(project_id)
        assert view["state"] == "approval_denied"
        assert {t["department_id"]: t["state"] for t in view["approval"]["tasks"]}["320115-housing"] == "denied"
        assert view["approval"]["case_state"] == "denied"

    def test_a_withdrawn_case_lets_the_project_open_another(self) -> None:
        project_id = register()["project_id"]
        case_id = opened(project_id)
        withdrawn = call("POST", f"/v1/cases/{case_id}/withdraw", AGENT, body={"reason": "补充可研报告后重新申请"})
        assert withdrawn.status == 200, withdrawn.body
        feed_worker(case_id)
        assert project(project_id)["state"] == "approval_required"
        second = call("POST", f"/v1/projects/{project_id}/approval", AGENT)
        assert second.status == 201
        assert second.body["approval"]["case_id"] != case_id

    def test_only_an_approval_project_of_the_caller_opens_a_case(self) -> None:
        filed = register(FACTORY)
        reply = call("POST", f"/v1/projects/{filed['project_id']}/approval", AGENT)
        assert (reply.status, reply.code) == (409, "projects.not_awaiting_approval")
        assert "（filed）" in reply.body["message"]
        pending = register()["project_id"]
        assert call("POST", f"/v1/projects/{pending}/approval", SUZHOU_AGENT).status == 404
        assert call("POST", f"/v1/projects/{pending}/approval", DRC).status == 403  # staff do not apply
        # no division at or above 苏州 publishes the item: nothing is opened, the project can try later
        suzhou = register(POWER_PLANT | {"region_code": "320505"})["project_id"]
        reply = call("POST", f"/v1/projects/{suzhou}/approval", AGENT)
        assert (reply.status, reply.code) == (404, "projects.no_approval_item")
        assert project(suzhou)["state"] == "approval_required"

    def test_a_case_no_project_opened_is_ignored(self) -> None:
        sample = json.loads((ROOT / "events" / "projects_worker" / "sqs-case-joint-task-decided.json").read_text())
        worker = load_function("projects_worker")
        assert worker.handler(sample, FakeContext()) == {"batchItemFailures": []}  # read, ignored, not parked


def projects_outbox(project_id: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=PROJECTS_TABLE, **OUTBOX_ITEMS)["Items"]
    found = [e for item in items for e in outbox_events(from_item(item))]
    return [e for e in found if e["subject"] == project_id]


class TestChanges:
    def test_a_big_investment_change_is_a_change_filing_with_its_notice_and_a_small_one_an_update(self) -> None:
        filed = register(FACTORY)
        project_id = filed["project_id"]
        # +25 % of 18 亿 is beyond the 20 % threshold
        big = call(
            "POST",
            f"/v1/projects/{project_id}/changes",
            AGENT,
            body={"total_investment_fen": 2_250_000_000_00, "reason": "增加二期厂房"},
        )
        assert big.status == 201, big.body
        assert (big.body["number"], big.body["kind"]) == (1, "change_filing")
        assert big.body["changed"] == {"total_investment_fen": [1_800_000_000_00, 2_250_000_000_00]}
        link = call("GET", f"/v1/projects/{project_id}/changes/1/notice", AGENT)
        assert link.status == 200
        assert link.body["sha256"] == big.body["notice_sha256"]
        stored = boto3.client("s3").get_object(Bucket=PROJECTS_BUCKET, Key=f"change-notices/{project_id}/1.pdf")
        assert stored["Body"].read().startswith(b"%PDF")
        # +10 %: an update, no notice
        small = call(
            "POST",
            f"/v1/projects/{project_id}/changes",
            AGENT,
            body={"total_investment_fen": 2_475_000_000_00, "reason": "设备价格上涨"},
        )
        assert (small.status, small.body["kind"]) == (201, "update")
        reply = call("GET", f"/v1/projects/{project_id}/changes/2/notice", AGENT)
        assert (reply.status, reply.code) == (409, "projects.no_change_notice")
        after = project(project_id)
        assert after["total_investment_fen"] == 2_475_000_000_00
        assert after["code"] == filed["code"]
        told = [e for e in projects_outbox(project_id) if e["type"] == "project.changed"]
        assert sorted((e["data"]["number"], e["data"]["kind"]) for e in told) == [(1, "change_filing"), (2, "update")]

    def test_a_new_location_is_a_change_filing_and_bad_changes_are_refused(self) -> None:
        project_id = register(FACTORY)["project_id"]
        moved = call(
            "POST", f"/v1/projects/{project_id}/changes", AGENT, body={"region_code": "320102", "reason": "选址调整"}
        )
        assert (moved.status, moved.body["kind"]) == (201, "change_filing")
        same = call(
            "POST", f"/v1/projects/{project_id}/changes", AGENT, body={"region_code": "320102", "reason": "重复"}
        )
        assert (same.status, same.code) == (422, "projects.nothing_changed")
        nowhere = call(
            "POST", f"/v1/projects/{project_id}/changes", AGENT, body={"region_code": "329999", "reason": "选址调整"}
        )
        assert (nowhere.status, nowhere.body["errors"][0]["code"]) == (422, "projects.unknown_region")
        stale = call(
            "POST",
            f"/v1/projects/{project_id}/changes",
            AGENT,
            body={"construction_content": "新建厂房 4 万平方米", "reason": "扩建", "version": 1},
        )
        assert (stale.status, stale.code) == (409, "projects.version_conflict")
        pending = register()["project_id"]
        reply = call(
            "POST", f"/v1/projects/{pending}/changes", AGENT, body={"region_code": "320102", "reason": "选址调整"}
        )
        assert (reply.status, reply.code) == (409, "projects.not_filed")
        other = call(
            "POST",
            f"/v1/projects/{project_id}/changes",
            SUZHOU_AGENT,
            body={"region_code": "320115", "reason": "选址调整"},
        )
        assert other.status == 404


class TestLists:
    def test_my_projects_and_the_public_filed_list_page(self) -> None:
        mine_before = call("GET", "/v1/projects", CITIZEN_A, query={"limit": "100"}).body["items"]
        ids = [register(FACTORY | {"name": f"江宁项目{n}"}, CITIZEN_A)["project_id"] for n in range(3)]
        register(POWER_PLANT, CITIZEN_A)  # needs approval: not in the filed list
        first = call("GET", "/v1/projects", CITIZEN_A, query={"limit": "2"})
        assert first.status == 200
        assert len(first.body["items"]) == 2
        assert first.body["next_cursor"]
        mine = call("GET", "/v1/projects", CITIZEN_A, query={"limit": "100"}).body["items"]
        assert len(mine) == len(mine_before) + 4
        assert set(ids) <= {p["project_id"] for p in mine}

        public = call("GET", "/v1/filed-projects", query={"region_code": "320115", "limit": "100"})
        assert public.status == 200
        names = {p["name"] for p in public.body["items"]}
        assert {"江宁项目0", "江宁项目1", "江宁项目2"} <= names
        assert "江宁燃气热电联产项目" not in names
        assert all(p["state"] == "filed" and "project_id" not in p for p in public.body["items"])
        assert all("owner_subject_id" not in p for p in public.body["items"])
        city = call("GET", "/v1/filed-projects", query={"region_code": "320100", "limit": "1"})
        assert city.status == 200
        assert len(city.body["items"]) == 1
        assert city.body["next_cursor"]
        assert call("GET", "/v1/filed-projects", query={"region_code": "320500"}).body["items"] == []
        bad = call("GET", "/v1/filed-projects", query={"region_code": "329999"})
        assert (bad.status, bad.body["errors"][0]["code"]) == (422, "projects.unknown_region")
