"""Live monitoring through the local cloud (issue 15): the events of a real case travel
outbox → relay → bus → MonitoringRule → MonitoringQueue → monitoring_worker, and the
Nanjing supervisor's view moves with them; the seeded overdue 低保 case shows as overdue
against its legal limit; the demo scoring rule ranks 玄武's departments."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local import LocalCloud
from infra.seed.identity.people import CITIZEN_A, SUPERVISOR
from tests.integration.test_cases_walkthrough import FORM, submitted_dibao_case
from tests.support.sign_in import sign_in_citizen, sign_in_staff

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def supervisor(api: Any, local_cloud: LocalCloud) -> dict[str, str]:
    return sign_in_staff(api, local_cloud, SUPERVISOR.login, SUPERVISOR.password, SUPERVISOR.phone)


def xuanwu(api: Any, supervisor: dict[str, str]) -> dict[str, Any]:
    reply = api.get("/v1/supervision/monitoring", headers=supervisor)
    assert reply.status_code == 200, reply.text
    (found,) = [s for s in reply.json()["sub_regions"] if s["region_code"] == "320102"]
    return dict(found["figures"])


def test_a_submission_moves_the_supervisors_figures(
    api: Any, local_cloud: LocalCloud, supervisor: dict[str, str]
) -> None:
    local_cloud.wait_idle(30)
    before = xuanwu(api, supervisor)
    assert before["overdue_legal"] >= 1  # the seeded 低保 case, accepted about 70 days ago
    citizen = sign_in_citizen(api, local_cloud, CITIZEN_A.phone)
    submitted_dibao_case(api, local_cloud, citizen, FORM)
    after = xuanwu(api, supervisor)
    assert after["month"]["received"] == before["month"]["received"] + 1
    assert after["today"]["received"] == before["today"]["received"] + 1
    assert after["open"] == before["open"] + 1
    # outside the supervisor's city: refused
    assert (
        api.get("/v1/supervision/monitoring", headers=supervisor, params={"region_code": "320500"}).status_code == 403
    )


def test_the_demo_rule_ranks_the_districts_departments(api: Any, supervisor: dict[str, str]) -> None:
    rules = api.get("/v1/supervision/scoring-rules", headers=supervisor)
    assert rules.status_code == 200
    assert rules.json()[-1]["version"] == 1
    card = api.get("/v1/supervision/scorecards", headers=supervisor, params={"region_code": "320102"})
    assert card.status_code == 200, card.text
    assert card.json()["closed"] is False
    assert card.json()["rule_version"] == rules.json()[0]["version"]
