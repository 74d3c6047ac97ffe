"""Supervision orders through the local cloud (issue 15, D-117): the seeded overdue 低保
case's limits reached supervision through outbox → relay → bus → LimitsWatcherQueue;
the Nanjing supervisor issues an order on it, the 玄武 clerk sees it and replies, the
supervisor closes it. The seeded order left unanswered climbs to the city, then the
province, one level per firing of SupervisionSweepFunction and never the same level twice."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local import LocalCloud
from infra.seed.identity.people import COUNTY_SUPERVISOR, PROVINCE_SUPERVISOR, STAFF_IN_SCOPE, SUPERVISOR
from tests.support.sign_in import sign_in_staff

pytestmark = pytest.mark.integration

LEVELS = ("county", "city", "province")


def _signed_in(api: Any, local_cloud: LocalCloud, worker: Any) -> dict[str, str]:
    return sign_in_staff(api, local_cloud, worker.login, worker.password, worker.phone)


@pytest.fixture(scope="module")
def people(api: Any, local_cloud: LocalCloud) -> dict[str, dict[str, str]]:
    local_cloud.wait_idle(30)
    return {
        "county": _signed_in(api, local_cloud, COUNTY_SUPERVISOR),
        "city": _signed_in(api, local_cloud, SUPERVISOR),
        "province": _signed_in(api, local_cloud, PROVINCE_SUPERVISOR),
        "clerk": _signed_in(api, local_cloud, STAFF_IN_SCOPE),
    }


def seeded_order(api: Any, people: dict[str, dict[str, str]]) -> dict[str, Any]:
    listed = api.get("/v1/supervision/orders", headers=people["province"], params={"region_code": "320102"})
    assert listed.status_code == 200, listed.text
    county_orders = [o for o in listed.json()["items"] if o["reason"].endswith("（演示）")]
    assert len(county_orders) == 1
    return dict(county_orders[0])


def test_an_order_on_the_overdue_case_is_replied_and_closed(
    api: Any, local_cloud: LocalCloud, people: dict[str, dict[str, str]]
) -> None:
    case_id = seeded_order(api, people)["subject_id"]
    body = {"subject_kind": "case", "subject_id": case_id, "reason": "低保申请超期未办结，请说明原因", "reply_days": 3}
    issued = api.post("/v1/supervision/orders", headers=people["city"], json=body)
    assert issued.status_code == 201, issued.text
    order_id = issued.json()["order_id"]
    assert api.post("/v1/supervision/orders", headers=people["clerk"], json=body).status_code == 403
    queue = api.get("/v1/supervision/department-orders", headers=people["clerk"]).json()["items"]
    assert order_id in {o["order_id"] for o in queue}
    replied = api.post(
        f"/v1/supervision/orders/{order_id}/reply",
        headers=people["clerk"],
        json={"action_taken": "已完成入户核查，三个工作日内作出决定"},
    )
    assert replied.status_code == 200, replied.text
    closing = {"outcome": "satisfied", "note": "回复属实，同意办结"}
    closed = api.post(f"/v1/supervision/orders/{order_id}/close", headers=people["city"], json=closing)
    assert closed.status_code == 200, closed.text
    assert [e["action"] for e in closed.json()["timeline"]] == ["issued", "replied", "closed"]
    assert closed.json()["timeline_valid"] is True
    again = api.post(f"/v1/supervision/orders/{order_id}/close", headers=people["city"], json=closing)
    assert (again.status_code, again.json()["code"]) == (409, "supervision.order_not_open")
    local_cloud.wait_idle(30)
    inbox = api.get("/v1/me/messages", headers=people["clerk"], params={"limit": "50"}).json()["items"]
    assert any(m["title"] == "督办通知" for m in inbox)


def test_the_unanswered_order_climbs_one_level_per_sweep_to_the_province(
    api: Any, local_cloud: LocalCloud, people: dict[str, dict[str, str]]
) -> None:
    # other walk-throughs may have fired the sweep already: start from wherever the order is
    level = LEVELS.index(seeded_order(api, people)["level"])
    for _ in range(3):
        swept = local_cloud.fire("SupervisionSweepFunction")
        local_cloud.wait_idle(30)
        now = LEVELS.index(seeded_order(api, people)["level"])
        assert now == min(level + 1, len(LEVELS) - 1), swept  # one level per run, at most
        level = now
    order = seeded_order(api, people)
    assert (order["level"], order["escalations"]) == ("province", ["3201", "32"])
    assert local_cloud.fire("SupervisionSweepFunction")["escalated"] == []  # the top; no level twice
    held = api.post(
        f"/v1/supervision/orders/{order['order_id']}/close",
        headers=people["county"],
        json={"outcome": "escalate", "note": "再次升级"},
    )
    assert (held.status_code, held.json()["code"]) == (403, "supervision.not_the_holder")
