"""The 12345 hotline through the local cloud (C4, C23, C28): an Open311 GeoReport v2
client lists the services, posts a form-encoded request with the seeded partner key
and reads it back by id, with the spec's field names (acceptance point 5); and the
README's complaint in 玄武区 goes round the loop with the seeded rules and accounts —
dispatched, signed, answered, rated dissatisfied, reopened, answered, rated
satisfied, closed — the requester told through the message center, every step on
the verified timeline (acceptance point 1)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local import LocalCloud
from infra.seed.hotline import DEMO_PARTNER_KEY
from infra.seed.identity.people import CITIZEN_B, XUANWU_MARKET
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration


def test_a_georeport_v2_client_flow(api: Any) -> None:
    services = api.get("/open311/v2/services.json")
    assert services.status_code == 200
    assert {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} <= set(
        services.json()[0]
    )
    code = next(s["service_code"] for s in services.json() if s["service_name"] == "违章搭建")
    form = {
        "api_key": DEMO_PARTNER_KEY,
        "jurisdiction_id": "320102",
        "service_code": code,
        "description": "小区内违章搭建彩钢棚",
        "lat": "32.05",
        "long": "118.80",
        "address_string": "玄武区某小区",
    }
    created = api.post("/open311/v2/requests.json", data=form)  # application/x-www-form-urlencoded
    assert created.status_code == 200, created.text
    [request] = created.json()
    assert set(request) == {"service_request_id", "service_notice", "account_id"}
    found = api.get(f"/open311/v2/requests/{request['service_request_id']}.json")
    assert found.status_code == 200, found.text
    [status] = found.json()
    assert (status["service_request_id"], status["status"], status["service_code"]) == (
        request["service_request_id"],
        "open",
        code,
    )
    assert status["agency_responsible"] == "320102-housing"
    assert "description" not in status
    refused = api.post("/open311/v2/requests.json", data=form | {"api_key": "wrong"})
    assert (refused.status_code, refused.json()["code"]) == (403, "hotline.open311_invalid_api_key")


def test_the_readme_complaint_goes_round_the_loop(api: Any, local_cloud: LocalCloud) -> None:
    citizen = sign_in_citizen(api, local_cloud, CITIZEN_B.phone)
    market = sign_in_staff(api, local_cloud, XUANWU_MARKET.login, XUANWU_MARKET.password, XUANWU_MARKET.phone)
    body = {
        "type": "complaint",
        "category_code": "0101",
        "text": "超市出售过期牛奶，拒绝退换",
        "location": {"region_code": "320102", "address": "南京市玄武区中山路 18 号（集成测试）"},
        "channel": "web",
    }
    opened = api.post("/v1/hotline/tickets", headers=citizen, json=body)
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["ticket_id"]
    assert opened.json()["department_id"] == "320102-market"

    def step(name: str, who: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
        reply = api.post(f"/v1/hotline/tickets/{ticket_id}/{name}", headers=who, json=payload)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    step("sign", market, {})
    step("answer", market, {"text": "已责令商家退换并立案调查"})
    local_cloud.wait_idle(30)
    messages = api.get("/v1/me/messages", headers=citizen).json()["items"]
    assert any(m["category"] == "hotline" and opened.json()["number"] in m["body"] for m in messages)
    assert step("rating", citizen, {"rating": "dissatisfied", "comment": "仍未退换"})["state"] == "reopened"
    step("answer", market, {"text": "商家已退款，并依法处罚"})
    closed = step("rating", citizen, {"rating": "satisfied"})
    assert (closed["state"], closed["closure"]) == ("closed", "satisfied")
    timeline = api.get(f"/v1/hotline/tickets/{ticket_id}/timeline", headers=citizen).json()["entries"]
    assert [e["step"] for e in timeline] == ["open", "dispatch", "sign", "answer", "rate", "reopen", "answer", "rate"]
    assert api.get(f"/v1/hotline/tickets/{ticket_id}/timeline/verify", headers=citizen).json()["valid"] is True
