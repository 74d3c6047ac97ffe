"""Open311 GeoReport v2 at /open311/v2: services → POST request (form-encoded, the
partner's api_key) → GET by id, with the spec's field names; the public status is
anonymised."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from infra.seed.hotline import DEMO_PARTNER_KEY
from infra.template import ROOT
from shared.platform.clock import frozen_at
from tests.support.api import call, invoke
from tests.unit.hotline_fixtures import OPERATOR, XUANWU_MARKET, hotline_cloud, table_items

MONDAY = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    with hotline_cloud(), frozen_at(MONDAY):
        yield


def post(fields: dict[str, str]) -> tuple[int, object]:
    reply = call("POST", "/open311/v2/requests.json", raw_body=urlencode(fields), headers=FORM)
    return reply.status, reply.body


def test_a_georeport_client_lists_services_posts_a_request_and_reads_it_back() -> None:
    services = call("GET", "/open311/v2/services.json").body
    assert {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} <= set(services[0])
    code = next(s["service_code"] for s in services if s["service_name"] == "违章搭建")

    sample = json.loads((ROOT / "events" / "hotline_api" / "open311-request.json").read_text(encoding="utf-8"))
    created = invoke(sample)
    assert created.status == 200, created.body
    assert set(created.body[0]) == {"service_request_id", "service_notice", "account_id"}
    request_id = created.body[0]["service_request_id"]

    found = call("GET", f"/open311/v2/requests/{request_id}.json").body
    assert len(found) == 1
    assert found[0] | {"requested_datetime": "", "updated_datetime": "", "expected_datetime": ""} == {
        "service_request_id": request_id,
        "status": "open",
        "status_notes": "dispatched",
        "service_name": "违章搭建",
        "service_code": code,
        "agency_responsible": "320102-housing",
        "service_notice": created.body[0]["service_notice"],
        "requested_datetime": "",
        "updated_datetime": "",
        "expected_datetime": "",
        "lat": 32.05,
        "long": 118.8,
    }
    listed = call("GET", "/open311/v2/requests.json", query={"service_request_id": request_id}).body
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert request_id in [r["service_request_id"] for r in call("GET", "/open311/v2/requests.json").body]
    # the department handles it like any other ticket
    housing = {**XUANWU_MARKET, "department_id": "320102-housing"}
    ticket = call("GET", f"/v1/hotline/tickets/{request_id}", housing).body
    assert (ticket["channel"], ticket["type"]) == ("open311", "complaint")


def test_the_public_status_shows_no_description_address_or_contact() -> None:
    status, body = post(
        {
            "api_key": DEMO_PARTNER_KEY,
            "jurisdiction_id": "320102",
            "service_code": "0201",
            "description": "物业不作为，电梯坏了一个月",
            "address_string": "玄武区某小区 8 栋",
            "phone": "13600001111",
            "first_name": "王",
            "lat": "32.04567",
            "long": "118.80123",
        }
    )
    assert status == 200
    request_id = body[0]["service_request_id"]  # type: ignore[index]
    text = json.dumps(call("GET", f"/open311/v2/requests/{request_id}.json").body, ensure_ascii=False)
    for hidden in ("电梯", "8 栋", "13600001111", "1111", "王", "32.04567"):
        assert hidden not in text
    assert "32.046" in text


def test_an_unknown_api_key_or_service_is_refused_and_writes_nothing() -> None:
    before = table_items()
    fields = {"api_key": "nope", "jurisdiction_id": "320102", "service_code": "0201", "description": "x"}
    status, body = post(fields)
    assert (status, body["code"]) == (403, "hotline.open311_invalid_api_key")  # type: ignore[index]
    status, body = post(fields | {"api_key": DEMO_PARTNER_KEY, "service_code": "9999"})
    assert (status, body["code"]) == (422, "hotline.unknown_category")  # type: ignore[index]
    status, body = post(fields | {"api_key": DEMO_PARTNER_KEY, "attribute[type]": "consultation"})
    assert (status, body["code"]) == (422, "hotline.type_not_for_channel")  # type: ignore[index]
    assert table_items() == before


def test_an_operator_registers_a_partner_whose_key_then_works() -> None:
    partner = call("POST", "/v1/hotline/open311-partners", OPERATOR, body={"name": "某市民 App"})
    assert partner.status == 201
    status, _ = post(
        {
            "api_key": partner.body["api_key"],
            "jurisdiction_id": "320115",
            "service_code": "0102",
            "description": "餐馆卫生差",
        }
    )
    assert status == 200
