"""Department scorecards (issue 15): a generated three-month history scored under a
published rule — praise for the best, a red card for the bottom two months running,
the blacklist at the third red card within twelve months — re-scoring a closed month
reproducibly under any rule version, and who may read and publish what."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.platform.clock import frozen_at
from shared.platform.events import Envelope
from shared.supervision.monitoring_store import MonitoringStore
from tests.support.api import call
from tests.support.apigw import FakeContext, as_role
from tests.support.handlers import load_function
from tests.unit.monitoring_fixtures import CALENDAR, deliver, monitoring_cloud

UTC = dt.UTC
OPERATOR = as_role("operator")
XUANWU_SUPERVISOR = as_role("supervisor", region_code="320102")
NANJING_SUPERVISOR = as_role("supervisor", region_code="320100")
XUANWU_STAFF = as_role("staff", department_id="xw-civil", region_code="320102")
XUANWU_HEAD = as_role("staff", department_id="xw-civil", region_code="320102", scope="department_head")
RULE: dict[str, Any] = {
    "criteria": [
        {"metric": "on_time_legal", "weight": 50, "worst": 0.5, "best": 1.0},
        {"metric": "decide_working_days", "weight": 30, "worst": 20, "best": 2},
        {"metric": "no_visit_share", "weight": 20, "worst": 0, "best": 1},
    ],
    "floor": 60,
    "min_cases": 4,
    "note": "2026 考核办法",
}
MONTHS = ("2026-09", "2026-10", "2026-11")
# per department: (working days to decide, decided within the legal limit, filed online with courier delivery)
BEHAVIOUR = {
    "xw-civil": (3, True, True),  # fast, on time, 不见面: praised
    "xw-market": (5, True, False),  # middling
    "xw-food": (8, True, False),  # slower, still above the floor
    "xw-housing": (10, False, False),  # late every month: bottom and below the floor
}


def month_of_cases(month: str) -> list[dict[str, Any]]:
    """Six cases per department accepted in `month` and decided in it, as each department behaves."""
    first = dt.date(int(month[:4]), int(month[5:]), 1)
    envelopes = []
    for department, (days, on_time, no_visit) in BEHAVIOUR.items():
        for number in range(6):
            case_id = f"{department}-{month}-{number}"
            started = CALENDAR.add_working_days(first, 1 + number % 2).date
            decided = CALENDAR.add_working_days(started, days).date
            legal = CALENDAR.add_working_days(started, days + (0 if on_time else -3)).date
            facts = {
                "case_id": case_id,
                "case_number": case_id,
                "state": "submitted",
                "item_code": f"{department}-item",
                "item_name": "事项",
                "department_id": department,
                "region_code": "320102",
                "notify_subject_id": "s",
                "intake_channel": "online",
                "delivery_method": "courier" if no_visit else "pickup",
            }
            clock = {
                "started_on": started.isoformat(),
                "promised_days": days,
                "promised_due_on": legal.isoformat(),
                "legal_days": days,
                "legal_due_on": legal.isoformat(),
                "provisional": False,
                "deemed": False,
            }
            received_at = dt.datetime.combine(started, dt.time(1), tzinfo=UTC)
            steps: list[tuple[str, dt.date, dict[str, Any]]] = [
                (
                    "case.submitted",
                    started,
                    {"state": "submitted", "round": 1, "received_at": received_at.isoformat(), "intake_due_on": None},
                ),
                ("case.accepted", started, {"state": "accepted", "deadlines": clock, "automatic": False}),
                (
                    "case.decided",
                    decided,
                    {
                        "state": "approved",
                        "decision_id": "d",
                        "document_number": "n",
                        "outcome": "approved",
                        "reason": "r",
                        "document_key": "k",
                        "document_sha256": "s",
                    },
                ),
            ]
            for version, (kind, day, data) in enumerate(steps, start=1):
                moment = dt.datetime.combine(day, dt.time(2), tzinfo=UTC)
                envelope = Envelope(
                    type=kind, source="cases", subject=case_id, time=moment, data=facts | {"version": version} | data
                )
                envelopes.append(envelope.model_dump(mode="json"))
    return envelopes


def close(month: str) -> dict[str, Any]:
    """Fire the monthly schedule (its sample event) on the 2nd of the next month."""
    year, number = int(month[:4]), int(month[5:])
    after = dt.datetime(year + number // 12, number % 12 + 1, 1, 16, 30, tzinfo=UTC)
    sample = json.loads((ROOT / "events" / "scorecard_close" / "scheduled-monthly.json").read_text(encoding="utf-8"))
    with frozen_at(after):
        answer: dict[str, Any] = load_function("scorecard_close").handler(sample, FakeContext())
    return answer


def ranking(month: str, who: dict[str, str] = XUANWU_SUPERVISOR, region: str = "320102") -> dict[str, Any]:
    with frozen_at(dt.datetime(2026, 12, 5, 2, tzinfo=UTC)):
        reply = call("GET", "/v1/supervision/scorecards", who, query={"region_code": region, "month": month})
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def cards(body: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {
        d["department_id"]: (d["rank"], d["poor"], d["red_card"], d["blacklist"], d["praise"])
        for d in body["departments"]
    }


@pytest.fixture(scope="module")
def history() -> Iterator[None]:
    """The rule published, a red card stored from June, then September to November generated and closed."""
    with monitoring_cloud():
        assert call("POST", "/v1/supervision/scoring-rules", OPERATOR, body=RULE).status == 201
        MonitoringStore().put_scorecard(
            {
                "region_code": "320102",
                "month": "2026-06",
                "inputs": {},
                "rule_version": 1,
                "scored_at": "2026-07-02T00:30:00+08:00",
                "results": [
                    {
                        "department_id": "xw-housing",
                        "score": 20.0,
                        "rank": 4,
                        "ranked": 4,
                        "metrics": {},
                        "poor": True,
                        "red_card": True,
                        "blacklist": False,
                        "praise": False,
                    }
                ],
            }
        )
        for month in MONTHS:
            deliver(month_of_cases(month))
            assert "320102" in close(month)["regions"]
        yield


def test_the_best_is_praised_and_the_bottom_carded_then_blacklisted(history: None) -> None:
    september, october, november = (cards(ranking(month)) for month in MONTHS)
    # (rank, poor, red card, blacklist, praise)
    assert september == {
        "xw-civil": (1, False, False, False, True),
        "xw-market": (2, False, False, False, False),
        "xw-food": (3, False, False, False, False),
        "xw-housing": (4, True, False, False, False),  # poor once: no card yet
    }
    assert october["xw-housing"] == (4, True, True, False, False)  # poor two months running: red card
    assert november["xw-housing"] == (4, True, True, True, False)  # June, October, November: blacklist
    assert november["xw-civil"] == (1, False, False, False, True)


def test_scores_follow_the_rule(history: None) -> None:
    civil = ranking("2026-11")["departments"][0]
    # all on time (50 x 1), 3 days on (20-3)/(20-2) of 30, every case 不见面 (20 x 1)
    assert civil["department_id"] == "xw-civil"
    assert civil["metrics"] == {"on_time_legal": 1.0, "decide_working_days": 3.0, "no_visit_share": 1.0}
    assert civil["score"] == round(50 + 30 * 17 / 18 + 20, 2)


def test_a_new_rule_rescores_a_closed_month_reproducibly(history: None) -> None:
    first = ranking("2026-11")
    assert first["rule_version"] == 1
    speed_only = {"criteria": [{"metric": "decide_working_days", "weight": 1, "worst": 10, "best": 2}], "floor": 50}
    published = call("POST", "/v1/supervision/scoring-rules", OPERATOR, body=speed_only)
    assert published.status == 201
    assert published.body["version"] == 2
    path = "/v1/supervision/scorecards/320102/2026-11/rescore"
    second = call("POST", path, OPERATOR, body={"rule_version": 2})
    assert second.status == 200
    assert second.body["rule_version"] == 2
    assert cards(second.body)["xw-food"] != cards(first)["xw-food"]  # 8 days: 25 points, below the new floor
    assert ranking("2026-11")["rule_version"] == 2
    again = call("POST", path, OPERATOR, body={"rule_version": 1}).body
    assert [(d["department_id"], d["score"], d["rank"]) for d in again["departments"]] == [
        (d["department_id"], d["score"], d["rank"]) for d in first["departments"]
    ]
    assert cards(again) == cards(first)
    assert call("POST", path, OPERATOR, body={"rule_version": 9}).code == "supervision.rule_version_not_found"
    assert (
        call("POST", "/v1/supervision/scorecards/320102/2026-12/rescore", OPERATOR, body={"rule_version": 1}).status
        == 409
    )


def test_rescoring_a_month_rescores_the_later_months_that_look_back_on_it(history: None) -> None:
    original = {month: cards(ranking(month)) for month in MONTHS}
    # no floor and no bottom (the group is never big enough): nobody is poor under this rule
    lenient = {"criteria": [{"metric": "on_time_legal", "weight": 1, "worst": 0, "best": 1}], "floor": 0}
    published = call("POST", "/v1/supervision/scoring-rules", OPERATOR, body=lenient | {"min_group": 50})
    assert published.status == 201
    october = call("POST", "/v1/supervision/scorecards/320102/2026-10/rescore", OPERATOR,
                   body={"rule_version": published.body["version"]})  # fmt: skip
    assert october.status == 200
    assert october.body["revised_months"] == ["2026-11"]
    assert cards(october.body)["xw-housing"] == (4, False, False, False, False)
    november = ranking("2026-11")
    assert november["rule_version"] == 1  # November keeps its own rule and inputs ...
    # ... but October is no longer poor: no red card in November, so no blacklist either
    assert cards(november)["xw-housing"] == (4, True, False, False, False)
    assert cards(ranking("2026-09")) == original["2026-09"]  # earlier months stay as stored
    back = call("POST", "/v1/supervision/scorecards/320102/2026-10/rescore", OPERATOR, body={"rule_version": 1})
    assert back.body["revised_months"] == ["2026-11"]
    assert {month: cards(ranking(month)) for month in MONTHS} == original  # reproducible


def test_only_operators_publish_rules_and_a_rule_names_known_metrics(history: None) -> None:
    assert call("POST", "/v1/supervision/scoring-rules", XUANWU_SUPERVISOR, body=RULE).status == 403
    assert call("POST", "/v1/supervision/scoring-rules", XUANWU_STAFF, body=RULE).status == 403
    bad = {"criteria": [{"metric": "bribes", "weight": 1, "worst": 0, "best": 1}]}
    assert call("POST", "/v1/supervision/scoring-rules", OPERATOR, body=bad).status == 422
    versions = call("GET", "/v1/supervision/scoring-rules", XUANWU_STAFF)
    assert versions.status == 200
    assert [v["version"] for v in versions.body][-1] == 1


def test_supervisors_see_their_region_and_below_and_department_heads_their_own_region(history: None) -> None:
    assert ranking("2026-11", NANJING_SUPERVISOR)["departments"]
    with frozen_at(dt.datetime(2026, 12, 5, 2, tzinfo=UTC)):
        other = call("GET", "/v1/supervision/scorecards", XUANWU_SUPERVISOR, query={"region_code": "320115"})
        assert other.status == 403
        mine = call("GET", "/v1/department/scorecard", XUANWU_HEAD, query={"month": "2026-10"})
        assert mine.status == 200
        assert mine.body["region_code"] == "320102"
        assert mine.body == ranking("2026-10")  # the ranking supervisors read
        clerk = call("GET", "/v1/department/scorecard", XUANWU_STAFF, query={"month": "2026-10"})
        assert (clerk.status, clerk.code) == (403, "supervision.not_department_head")
        assert call("GET", "/v1/department/scorecard", XUANWU_SUPERVISOR).status == 403
        # the current month, scored on demand from the live counters (nothing decided in December yet)
        current = call("GET", "/v1/supervision/scorecards", XUANWU_SUPERVISOR)
        assert current.status == 200
        assert current.body["closed"] is False
        assert current.body["month"] == "2026-12"
        assert call("GET", "/v1/supervision/scorecards", XUANWU_SUPERVISOR, query={"month": "2027-01"}).status == 400
        assert call("GET", "/v1/supervision/scorecards", XUANWU_SUPERVISOR, query={"month": "2026-05"}).status == 404


def test_closing_a_month_twice_changes_nothing(history: None) -> None:
    before = ranking("2026-10")
    close("2026-10")
    assert ranking("2026-10") == before
