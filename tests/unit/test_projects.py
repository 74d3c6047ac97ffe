"""Investment projects (issue 21, part 1): project codes, registration, instant filing.

Handlers run in-process against moto: the Projects table and bucket from
template.yaml, the idempotency table."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from infra.template import ROOT
from shared.platform import aws
from shared.platform.config import reset_settings
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.principal import Principal, Role
from shared.projects.codes import CodeRule, Procedure, check_character, check_code, make_code
from shared.projects.models import RegisterProject
from shared.projects.service import ProjectsService, projects_service
from tests.support.api import call, invoke
from tests.support.apigw import as_role
from tests.support.template_tables import OUTBOX_ITEMS, create_table_arguments

TABLE = "projects-test"
BUCKET = "projects-test-bucket"
ENTERPRISE = "91320102MA1W8K3R68"
AGENT = as_role("agent", sub="01JDQ90F3W7C8M2T6R4K9N5XC3", acting_for=ENTERPRISE, scope="cases")
OTHER_AGENT = as_role("agent", sub="01JDQ90F3W7C8M2T6R4K9N5XC4", acting_for="91320505MA27QH4N9H", scope="cases")
JIANGNING_DRC = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5XC5", department_id="320115-drc", region_code="320115")
SUZHOU_SUPERVISOR = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5XC6", region_code="320500")
FACTORY: dict[str, Any] = {
    "name": "江宁智能装备制造基地",
    "region_code": "320115",
    "industry": "34",
    "total_investment_fen": 120_000_000_00,
    "construction_content": "新建厂房 3.2 万平方米，购置数控加工设备 120 台（套）",
    "start_year": 2027,
}
HYDROPOWER = FACTORY | {"name": "溧阳抽水蓄能水电站", "region_code": "320481", "industry": "44"}


@pytest.fixture
def cloud() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**create_table_arguments("ProjectsTable", TABLE))
        dynamodb.create_table(**create_table_arguments("IdempotencyTable", "idempotency-test"))
        boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
        for name, value in {
            "PROJECTS_TABLE": TABLE,
            "PROJECTS_BUCKET": BUCKET,
            "IDEMPOTENCY_TABLE": "idempotency-test",
            # projects_api opens approval cases through the cases context (test_projects_approval.py);
            # its settings are checked at cold start, the tables are not reached here
            "CASES_TABLE": "cases-test",
            "MATERIALS_BUCKET": "materials-test",
            "CATALOG_TABLE": "catalog-test",
            "IDENTITY_TABLE": "identity-test",
            "IDENTITY_HASH_SECRET_ARN": "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:identity-hash",
            "PERSONAL_DATA_KEY_ID": "personal-data-key",
        }.items():
            patch.setenv(name, value)
        reset_settings()
        aws.reset_clients()
        projects_service.cache_clear()
        try:
            yield
        finally:
            reset_settings()
            projects_service.cache_clear()


def outbox() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=TABLE, **OUTBOX_ITEMS)["Items"]
    return [e for item in items for e in outbox_events(from_item(item))]


# --- codes ---------------------------------------------------------------------------------


def test_a_code_has_the_national_layout_and_a_hand_computed_check() -> None:
    # by hand: digits 2026 320115 44 03 000017, weights 2^(21-i) mod 11 = 1 6 3 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2;
    # the weighted sum is 186, 186 mod 11 = 10, check = (12 - 10) mod 11 = 2
    code = make_code(year=2026, region_code="320115", industry="44", procedure=Procedure.FILING, serial=17)
    assert code == "2026-320115-44-03-000017-2"
    rule, parts = check_code(code)
    assert rule is None
    assert parts is not None
    assert (parts.year, parts.region_code, parts.industry, parts.procedure, parts.serial) == (
        2026,
        "320115",
        "44",
        Procedure.FILING,
        17,
    )


def test_the_check_is_the_resident_id_check_on_17_digits() -> None:
    # the same ISO 7064 MOD 11-2 as GB 11643: its published example ends in X
    assert check_character("34052419800101001") == "X"
    assert check_character("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("2026-320115-44-03-000017", CodeRule.LAYOUT),
        ("2026-320115-44-03-000017-3", CodeRule.CHECK),  # one wrong check character
        ("2026-320115-44-03-000071-2", CodeRule.CHECK),  # adjacent digits swapped
        ("2026-321115-44-03-000017-2", CodeRule.CHECK),  # one digit changed
        ("2026-320115-98-03-000017-2", CodeRule.INDUSTRY),
        ("2026-320115-00-03-000017-2", CodeRule.INDUSTRY),
        ("2026-320115-44-04-000017-2", CodeRule.PROCEDURE),
        ("2026-320115-44-03-000000-2", CodeRule.SERIAL),
        ("2026-3201150-4-03-000017-2", CodeRule.LAYOUT),
    ],
)
def test_the_validator_names_the_first_rule_broken(code: str, rule: CodeRule) -> None:
    assert check_code(code)[0] is rule


def test_every_single_digit_change_and_adjacent_swap_is_caught() -> None:
    code = make_code(year=2026, region_code="320115", industry="34", procedure=Procedure.APPROVAL, serial=123457)
    digits = code.replace("-", "")[:-1]
    check = code[-1]
    for i, digit in enumerate(digits):
        for other in "0123456789":
            if other != digit:
                changed = digits[:i] + other + digits[i + 1 :]
                assert check_character(changed) != check, (i, other)
        if i + 1 < len(digits) and digits[i] != digits[i + 1]:
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
            assert check_character(swapped) != check, i


# --- registration and filing ----------------------------------------------------------------


def test_a_project_outside_the_catalogue_is_filed_at_once_with_its_notice(cloud: None) -> None:
    event = json.loads((ROOT / "events" / "projects_api" / "project-register.json").read_text("utf-8"))
    reply = invoke(event)
    assert reply.status == 201, reply.body
    project = reply.body
    assert project["state"] == "filed"
    assert project["filed_at"]
    assert check_code(project["code"])[0] is None
    assert project["code"].startswith(f"{project['registered_at'][:4]}-320115-34-03-")
    assert project["enterprise_uscc"] == ENTERPRISE
    assert "owner_subject_id" not in project

    notice = call("GET", f"/v1/projects/{project['project_id']}/filing-notice", AGENT)
    assert notice.status == 200, notice.body
    stored = boto3.client("s3").get_object(Bucket=BUCKET, Key=f"filing-notices/{project['project_id']}.pdf")
    body = stored["Body"].read()
    assert body.startswith(b"%PDF-")
    assert notice.body["sha256"] == stored["Metadata"]["sha256"]
    assert project["code"].encode() in body  # the code is in the document information (keywords)

    assert sorted(e["type"] for e in outbox()) == ["project.filed", "project.registered"]
    again = invoke(event)  # the sample's Idempotency-Key: the same project, not a second code
    assert again.body["project_id"] == project["project_id"]


def test_a_project_in_the_catalogue_waits_for_approval_naming_the_entry(cloud: None) -> None:
    reply = call("POST", "/v1/projects", AGENT, body=HYDROPOWER)
    assert reply.status == 201, reply.body
    assert reply.body["state"] == "approval_required"
    assert reply.body["filed_at"] is None
    assert reply.body["code"].split("-")[3] == "02"
    assert "国发〔2016〕72号" in reply.body["catalogue_source"]
    notice = call("GET", f"/v1/projects/{reply.body['project_id']}/filing-notice", AGENT)
    assert (notice.status, notice.body["code"]) == (409, "projects.not_filed")
    assert [e["type"] for e in outbox()] == ["project.registered"]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"region_code": "320199"}, "region_code", "projects.unknown_region"),  # no such division
        ({"industry": "98"}, "industry", "projects.unknown_industry"),
        ({"start_year": 2090}, "start_year", "projects.start_year_out_of_range"),
    ],
)
def test_bad_input_is_refused_with_stable_codes(cloud: None, change: dict[str, Any], field: str, code: str) -> None:
    reply = call("POST", "/v1/projects", AGENT, body=FACTORY | change, headers={"Accept-Language": "en"})
    assert reply.status == 422, reply.body
    assert [(e["field"], e["code"]) for e in reply.body["errors"]] == [(field, code)]


def test_a_negative_investment_or_an_unknown_field_is_refused(cloud: None) -> None:
    assert call("POST", "/v1/projects", AGENT, body=FACTORY | {"total_investment_fen": -1}).status == 422
    assert call("POST", "/v1/projects", AGENT, body=FACTORY | {"owner": "x"}).status == 422


def test_only_the_owner_and_the_region_read_a_project(cloud: None) -> None:
    project_id = call("POST", "/v1/projects", AGENT, body=FACTORY).body["project_id"]
    path = f"/v1/projects/{project_id}"
    assert call("GET", path, AGENT).status == 200
    assert call("GET", path, JIANGNING_DRC).status == 200
    for stranger in (OTHER_AGENT, SUZHOU_SUPERVISOR):
        reply = call("GET", path, stranger)
        assert (reply.status, reply.body["code"]) == (404, "projects.project_not_found")
    assert call("POST", "/v1/projects", JIANGNING_DRC, body=FACTORY).status == 403
    assert call("POST", "/v1/projects", None, body=FACTORY).status == 401


def test_parallel_registrations_get_distinct_codes(cloud: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # two shards for 12 registrations at once: most must lose a race on their counter and retry.
    # moto's in-process TransactWriteItems is not atomic across threads (it checked two claims of one
    # code before writing either); DynamoDB's is, so the test gives moto that one guarantee with a lock.
    # The races that matter stay real: threads read a counter, then write, interleaved.
    atomic = threading.Lock()
    transact = DynamoDBBackend.transact_write_items

    def atomically(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        with atomic:
            transact(self, transact_items)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", atomically)
    monkeypatch.setenv("PROJECT_SERIAL_SHARDS", "2")
    reset_settings()
    service = ProjectsService()
    owner = Principal("01JDQ90F3W7C8M2T6R4K9N5XC3", Role.AGENT, acting_for=ENTERPRISE)
    request = RegisterProject.model_validate(HYDROPOWER)  # approval: no PDF to draw

    def register(_: int) -> str:
        return service.register(owner, request, None).code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(register, range(12)))
    assert len(set(codes)) == 12
    assert all(check_code(code)[0] is None for code in codes)
    # shard 0 gives 1, 3, 5, ..., shard 1 gives 2, 4, 6, ...: each dense, none given twice or skipped
    serials = [int(code.split("-")[4]) for code in codes]
    odd = sorted(n for n in serials if n % 2)
    even = sorted(n for n in serials if not n % 2)
    assert odd == list(range(1, 2 * len(odd), 2))
    assert even == list(range(2, 2 * len(even) + 1, 2))
