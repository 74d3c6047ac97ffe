"""The management platform's workforce accounts (issue 19, acceptance 4 and 5): operators
open accounts, give roles, disable, reset passwords and sign accounts out — through the
identity_api handler against moto — each change one audited event; and the level rule
(D-291): a city operator manages its city only, a county operator staff only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.seed.identity import load_identity
from infra.seed.identity.people import OPERATOR, STAFF_ELSEWHERE, SUPERVISOR, ZHANG_WEI
from shared.catalog.models import Department
from shared.catalog.repository import CatalogRepository
from shared.identity.events import WORKFORCE_ACCOUNT_CHANGED
from shared.identity.service import identity_service
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.events import Envelope
from shared.platform.principal import Principal, Role, operator_may_manage
from tests.support.api import call
from tests.unit.identity_fixtures import (
    IDENTITY_TABLE,
    authorize,
    identity_cloud,
    outbox,
    staff_sign_in,
    table_arguments,
)

CATALOG_TABLE = "catalog-accounts-test"
PROVINCE = Principal(subject_id="01JDQ90F3W7C8M2T6R4K9N5P00", role=Role.OPERATOR, region_code="320000")
NANJING = Principal(subject_id="01JDQ90F3W7C8M2T6R4K9N5P01", role=Role.OPERATOR, region_code="320100")
XUANWU = Principal(subject_id="01JDQ90F3W7C8M2T6R4K9N5P02", role=Role.OPERATOR, region_code="320102")
NEW_STAFF_PHONE = "13900000091"
PASSWORD = re.compile(r"临时密码 ([A-Za-z0-9_-]+)")


@pytest.fixture
def cloud() -> Iterator[None]:
    with identity_cloud({"CATALOG_TABLE": CATALOG_TABLE}):
        boto3.client("dynamodb").create_table(**table_arguments("CatalogTable", CATALOG_TABLE))
        CatalogRepository(CATALOG_TABLE).put_departments(
            [
                Department(
                    id="320102-civil",
                    name="南京市玄武区民政局",
                    uscc="11320102014136567Q",
                    region_code="320102",
                    level="county",
                ),
            ]
        )
        load_identity(identity_service())
        yield


def staff_request(**changes: Any) -> dict[str, Any]:
    return {
        "login": "xuanwu.civil.new",
        "name": ZHANG_WEI.name,
        "id_number": ZHANG_WEI.id_number,
        "phone": NEW_STAFF_PHONE,
        "role": "staff",
        "region_code": "320102",
        "department_id": "320102-civil",
    } | changes


def temporary_password(phone: str) -> str:
    found = PASSWORD.search(outbox(phone)[-1]["text"])
    assert found, "the SMS holds no password"
    return found.group(1)


def account_events() -> list[Envelope]:
    items = boto3.client("dynamodb").scan(TableName=IDENTITY_TABLE)["Items"]
    found = [
        Envelope.model_validate(e)
        for i in items
        if i["pk"]["S"].startswith("OUTBOX#")
        for e in outbox_events(from_item(i))
    ]
    return sorted((e for e in found if e.type == WORKFORCE_ACCOUNT_CHANGED), key=lambda e: e.data["version"])


def test_an_opened_account_signs_in_and_disabling_it_ends_its_refresh_and_access(cloud: None) -> None:
    opened = call("POST", "/v1/admin/accounts", XUANWU, body=staff_request())
    assert opened.status == 201, opened.body
    assert "password" not in json.dumps(opened.body)
    assert NEW_STAFF_PHONE not in json.dumps(opened.body)
    assert opened.body["phone_masked"] == "139****0091"
    subject = opened.body["subject_id"]

    tokens = staff_sign_in("xuanwu.civil.new", temporary_password(NEW_STAFF_PHONE), NEW_STAFF_PHONE)
    assert tokens["role"] == "staff"
    disabled = call("POST", f"/v1/admin/accounts/{subject}/disable", XUANWU)
    assert disabled.status == 200, disabled.body
    assert disabled.body["status"] == "disabled"

    refreshed = call("POST", "/v1/auth/refresh", None, body={"refresh_token": tokens["refresh_token"]})
    assert (refreshed.status, refreshed.code) == (401, "identity.session_revoked")
    with pytest.raises(Exception, match=r"^Unauthorized$"):  # the access token, at the authorizer's session check
        authorize(tokens["access_token"])
    again = call("POST", "/v1/auth/staff/sign-in", None, body={"login": "xuanwu.civil.new", "password": "x" * 12})
    assert again.status == 401

    created, changed = account_events()
    assert (created.data["action"], created.data["by"]) == ("created", XUANWU.subject_id)
    assert (changed.data["action"], changed.data["status"]) == ("disabled", "disabled")
    assert changed.data["sessions_revoked"] == 1
    assert ZHANG_WEI.id_number not in created.to_json()
    assert NEW_STAFF_PHONE not in created.to_json()


def subject_of(login: str) -> str:
    subject = identity_service().repository.subject_for_login(login)
    assert subject
    return subject


def test_a_city_operator_manages_its_city_and_a_county_operator_only_its_staff(cloud: None) -> None:
    suzhou_staff, nanjing_supervisor = subject_of(STAFF_ELSEWHERE.login), subject_of(SUPERVISOR.login)
    province_operator = subject_of(OPERATOR.login)
    assert call("GET", f"/v1/admin/accounts/{nanjing_supervisor}", NANJING).status == 200
    assert call("GET", f"/v1/admin/accounts/{suzhou_staff}", NANJING).status == 404  # another city: as if absent
    assert call("GET", f"/v1/admin/accounts/{province_operator}", NANJING).status == 404  # above its level
    assert call("POST", f"/v1/admin/accounts/{suzhou_staff}/disable", NANJING).status == 404
    assert call("GET", f"/v1/admin/accounts/{nanjing_supervisor}", XUANWU).status == 404  # a county sees no supervisor
    assert call("GET", f"/v1/admin/accounts/{suzhou_staff}", PROVINCE).status == 200

    refused = [
        (NANJING, staff_request(region_code="320500", department_id="320500-civil")),  # another city
        (NANJING, staff_request(role="operator", region_code="320100", department_id=None)),  # its own level
        (XUANWU, staff_request(role="supervisor", department_id=None)),  # a county opens staff only
        (XUANWU, staff_request(role="operator", department_id=None)),
    ]
    for operator, body in refused:
        reply = call("POST", "/v1/admin/accounts", operator, body=body)
        assert (reply.status, reply.code) == (403, "identity.beyond_operator_scope"), body
    county_operator = call(
        "POST", "/v1/admin/accounts", NANJING, body=staff_request(role="operator", department_id=None)
    )
    assert county_operator.status == 201, county_operator.body
    for who in (SUPERVISOR, STAFF_ELSEWHERE):  # no token of another role manages anything
        worker = Principal(subject_id="01JDQ90F3W7C8M2T6R4K9N5P09", role=who.role, region_code="320000")
        assert call("GET", f"/v1/admin/accounts/{suzhou_staff}", worker).status == 403
    assert account_events()[-1].data["role"] == "operator"


@pytest.mark.parametrize(
    ("operator", "region", "role", "allowed"),
    [
        (PROVINCE, "320500", Role.OPERATOR, True),
        (PROVINCE, "320000", Role.OPERATOR, False),
        (NANJING, "320115", Role.OPERATOR, True),
        (NANJING, "320100", Role.SUPERVISOR, True),
        (NANJING, "320505", Role.STAFF, False),
        (XUANWU, "320102", Role.STAFF, True),
        (XUANWU, "320102", Role.HOTLINE_AGENT, False),
        (XUANWU, "320100", Role.STAFF, False),
        (XUANWU, "320102", None, True),  # a department of its county
        (XUANWU, "320100", None, False),  # the city's department
    ],
)
def test_the_level_rule(operator: Principal, region: str, role: Role | None, allowed: bool) -> None:
    assert operator_may_manage(operator, region, role=role) is allowed


def test_roles_by_department_and_a_reset_password_replaces_the_old_one(cloud: None) -> None:
    subject = call("POST", "/v1/admin/accounts", PROVINCE, body=staff_request()).body["subject_id"]
    first = temporary_password(NEW_STAFF_PHONE)
    role = {"role": "staff", "region_code": "320102", "department_id": "320102-nowhere", "version": 1}
    unknown = call("PUT", f"/v1/admin/accounts/{subject}/role", PROVINCE, body=role)
    assert (unknown.status, unknown.code) == (422, "identity.unknown_department")
    head = role | {"department_id": "320102-civil", "department_head": True}
    assert call("PUT", f"/v1/admin/accounts/{subject}/role", PROVINCE, body=head).body["version"] == 2
    stale = call("PUT", f"/v1/admin/accounts/{subject}/role", PROVINCE, body=head)
    assert (stale.status, stale.code) == (409, "identity.account_changed")

    reset = call("POST", f"/v1/admin/accounts/{subject}/reset-password", XUANWU)
    assert reset.status == 200, reset.body
    second = temporary_password(NEW_STAFF_PHONE)
    assert second != first
    old = call("POST", "/v1/auth/staff/sign-in", None, body={"login": "xuanwu.civil.new", "password": first})
    assert old.status == 401
    tokens = staff_sign_in("xuanwu.civil.new", second, NEW_STAFF_PHONE)
    assert authorize(tokens["access_token"])["context"]["scope"] == "department_head"
    assert call("POST", f"/v1/admin/accounts/{subject}/sign-out", XUANWU).status == 200
    refreshed = call("POST", "/v1/auth/refresh", None, body={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status == 401
    assert [e.data["action"] for e in account_events()] == ["created", "role_assigned", "password_reset", "signed_out"]
