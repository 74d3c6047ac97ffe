"""好差评 through the local cloud (issue 14, point 3): 李娜's 最低生活保障金给付 in
玄武区 is accepted, approved and completed (办结); `case.completed` reaches the
ratings_worker through outbox → relay → bus → RatingsQueue and the invitation
reaches her message center; she rates 不满意 with reasons; 玄武区民政局's clerk
finds the rectification order (整改单), records the follow-up call (回访), answers;
she is told and confirms; the order shows in the public exposure column and the
department's public counts. The seeded 差评 nobody visited (infra/seed/ratings.py)
is warned by SupervisionSweepFunction once per limit and level, however often it
fires."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from infra.local import LocalCloud
from infra.seed.identity.people import CITIZEN_B, COUNTY_SUPERVISOR, STAFF_IN_SCOPE
from infra.seed.ratings import LATE
from shared.platform.clock import today_in_shanghai
from tests.integration.test_cases_walkthrough import submitted_dibao_case
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration

FORM = {"phone": CITIZEN_B.phone, "household_size": 2, "monthly_income_fen": 120000}
BAD = {"level": "dissatisfied", "reasons": ["efficiency", "repeated_visits"], "text": "审核等了很久", "channel": "app"}


@pytest.fixture(scope="module")
def people(api: Any, local_cloud: LocalCloud) -> dict[str, dict[str, str]]:
    local_cloud.wait_idle(30)
    return {
        "citizen": sign_in_citizen(api, local_cloud, CITIZEN_B.phone),
        "clerk": sign_in_staff(api, local_cloud, STAFF_IN_SCOPE.login, STAFF_IN_SCOPE.password, STAFF_IN_SCOPE.phone),
        "supervisor": sign_in_staff(
            api, local_cloud, COUNTY_SUPERVISOR.login, COUNTY_SUPERVISOR.password, COUNTY_SUPERVISOR.phone
        ),
    }


def completed_case(api: Any, local_cloud: LocalCloud, citizen: dict[str, str], clerk: dict[str, str]) -> dict[str, Any]:
    """The applicant's and the clerk's steps to 办结 (no fee, no licence, electronic result)."""
    case_id = submitted_dibao_case(api, local_cloud, citizen, FORM)
    assert api.post(f"/v1/cases/{case_id}/accept", headers=clerk, json={}).status_code == 200
    decision = {"outcome": "approved", "reason": "符合最低生活保障条件"}
    assert api.post(f"/v1/cases/{case_id}/decide", headers=clerk, json=decision).status_code == 200
    done = api.post(f"/v1/cases/{case_id}/complete", headers=clerk, json={})
    assert (done.status_code, done.json()["state"]) == (200, "completed"), done.text
    local_cloud.wait_idle(30)
    return dict(done.json())


def civil_counts(api: Any, month: str) -> dict[str, int]:
    """玄武区民政局's public counts of `month` (zero before its first rating)."""
    counts = api.get("/v1/exposure/counts", params={"month": month, "region": "320102", "limit": "50"}).json()
    found = [c for c in counts["items"] if c["department_id"] == "320102-civil"]
    if not found:
        return {"dissatisfied": 0, "on_time": 0}
    return {"dissatisfied": found[0]["levels"]["dissatisfied"], "on_time": found[0]["rectified_on_time"]}


def test_a_bad_rating_is_visited_answered_and_confirmed(
    api: Any, local_cloud: LocalCloud, people: dict[str, dict[str, str]]
) -> None:
    citizen, clerk = people["citizen"], people["clerk"]
    case = completed_case(api, local_cloud, citizen, clerk)
    inbox = api.get("/v1/me/messages", headers=citizen, params={"limit": "50"}).json()["items"]
    invited = [m for m in inbox if m["title"] == "请对本次政务服务作出评价" and case["case_number"] in m["body"]]
    assert len(invited) == 1, inbox
    pending = api.get("/v1/me/rating-invitations", headers=citizen).json()["items"]
    assert case["case_id"] in {i["target_id"] for i in pending}

    before = civil_counts(api, today_in_shanghai().strftime("%Y-%m"))
    target = {"target_kind": "case", "target_id": case["case_id"]}
    rated = api.post("/v1/ratings", headers=citizen, json=target | BAD)
    assert rated.status_code == 201, rated.text
    order_id = rated.json()["rectification_id"]
    again = api.post("/v1/ratings", headers=citizen, json=target | BAD)
    assert (again.status_code, again.json()["code"]) == (409, "ratings.already_rated")

    # 刘洋 accepted the case: the rating is his own as well as his department's
    his = api.get("/v1/ratings", headers=clerk, params={"mine": "true"}).json()["items"]
    assert rated.json()["rating_id"] in {r["rating_id"] for r in his}
    orders = api.get("/v1/rectifications", headers=clerk).json()["items"]
    assert order_id in {o["order_id"] for o in orders}
    visited = api.post(
        f"/v1/rectifications/{order_id}/visit", headers=clerk, json={"note": "已电话回访，审核环节确有积压"}
    )
    assert (visited.status_code, visited.json()["state"]) == (200, "visited"), visited.text
    answer = {"measures": "增设审核岗，低保审核实行限时办结", "answer": "已整改，感谢您的监督", "publishable": True}
    answered = api.post(f"/v1/rectifications/{order_id}/answer", headers=clerk, json=answer)
    assert (answered.status_code, answered.json()["answered_on_time"]) == (200, True), answered.text
    confirmed = api.post(f"/v1/rectifications/{order_id}/confirmation", headers=citizen, json={"confirmed": True})
    assert (confirmed.status_code, confirmed.json()["state"]) == (200, "closed"), confirmed.text
    mine = api.get("/v1/me/ratings", headers=citizen).json()["items"]
    assert (mine[0]["rating_id"], mine[0]["rectification_state"]) == (rated.json()["rating_id"], "closed")
    local_cloud.wait_idle(30)
    inbox = api.get("/v1/me/messages", headers=citizen, params={"limit": "50"}).json()["items"]
    assert any(m["title"] == "差评整改已答复，请确认" and m["link"] == f"/rectifications/{order_id}" for m in inbox)

    exposed = api.get("/v1/exposure", params={"limit": "50"}).json()["items"]
    [entry] = [e for e in exposed if e["order_id"] == order_id]
    assert (entry["title"], entry["outcome"], entry["rating_text"]) == (
        "最低生活保障金给付",
        "评价人确认满意",
        "审核等了很久",
    )
    after = civil_counts(api, rated.json()["month"])
    # the worker counted the rating from rating.given; the answer counted as on time
    assert (after["dissatisfied"] - before["dissatisfied"], after["on_time"] - before["on_time"]) == (1, 1)


def test_the_late_seeded_order_is_warned_once_per_level(
    api: Any, local_cloud: LocalCloud, people: dict[str, dict[str, str]]
) -> None:
    def warned() -> Counter[tuple[str, str]]:
        found = api.get(
            "/v1/supervision/warnings",
            headers=people["supervisor"],
            params={"subject_kind": "rectification", "limit": "100"},
        )
        assert found.status_code == 200, found.text
        mine = [w for w in found.json()["items"] if w["label"].endswith(LATE.label)]
        assert all(w["due_on"] < today_in_shanghai().isoformat() for w in mine)
        return Counter((w["name"], w["level"]) for w in mine)

    # other walk-throughs may have fired the sweep already: it warns once whenever it runs
    for _ in range(2):
        # the sweep writes its warnings before it returns: nothing to wait for
        assert local_cloud.fire("SupervisionSweepFunction")["finished"] is True
        assert warned() == {("visit", "yellow"): 1, ("visit", "red"): 1, ("answer", "yellow"): 1, ("answer", "red"): 1}
