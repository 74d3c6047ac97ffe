"""The scorecard rule engine on hand-computed examples (shared.supervision.scorecards)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.platform.clock import months_after, months_before
from shared.supervision.scorecards import (
    DepartmentScore,
    PastMonth,
    ScoringRuleBody,
    score_month,
    score_of,
)

RULE = ScoringRuleBody.model_validate(
    {
        "criteria": [
            {"metric": "on_time_legal", "weight": 60, "worst": 0.8, "best": 1.0},
            {"metric": "decide_working_days", "weight": 40, "worst": 20, "best": 5},
        ],
        "floor": 60,
        "bottom": 1,
        "top": 1,
        "min_cases": 5,
        "min_group": 3,
    }
)

# A: all 10 on time, 5 days on average            -> 60*1 + 40*1                 = 100
# B: 9 of 10 on time (0.5), 10 days ((10-20)/(5-20)) -> 60*0.5 + 40*(2/3)          = 56.67 (below the floor)
# C: all 4 on time, 8 days (0.8)                   -> 60*1 + 40*0.8                = 92
# D: 2 received + 1 decided < min_cases 5          -> not ranked
INPUTS = {
    "dept-a": {"decided": 10, "on_time.legal": 10, "decide.working_days": 50, "decide.counted": 10, "received": 8},
    "dept-b": {"decided": 10, "on_time.legal": 9, "decide.working_days": 100, "decide.counted": 10, "received": 9},
    "dept-c": {"decided": 4, "on_time.legal": 4, "decide.working_days": 32, "decide.counted": 4, "received": 6},
    "dept-d": {"decided": 1, "on_time.legal": 1, "decide.working_days": 3, "decide.counted": 1, "received": 2},
}


def by_department(history: dict[str, list[PastMonth]] | None = None) -> dict[str, DepartmentScore]:
    return {s.department_id: s for s in score_month("2026-11", INPUTS, RULE, history or {})}


def test_scores_and_ranks_match_the_hand_computation() -> None:
    results = score_month("2026-11", INPUTS, RULE, {})
    assert [(s.department_id, s.score, s.rank) for s in results] == [
        ("dept-a", 100.0, 1),
        ("dept-c", 92.0, 2),
        ("dept-b", 56.67, 3),
        ("dept-d", None, None),
    ]
    a, c, b, d = results
    assert a.praise
    assert not a.poor
    assert b.poor
    assert not b.praise
    assert not b.red_card
    assert not c.poor
    assert not c.praise
    assert not d.poor
    assert d.ranked == 3
    assert b.metrics == {"on_time_legal": 0.9, "decide_working_days": 10.0}


def test_poor_two_months_running_is_a_red_card_and_three_in_twelve_a_blacklist() -> None:
    previous = PastMonth("2026-10", poor=True, red_card=False)
    b = by_department({"dept-b": [previous]})["dept-b"]
    assert b.red_card
    assert not b.blacklist
    earlier_cards = [
        PastMonth("2026-10", poor=True, red_card=False),
        PastMonth("2026-04", poor=True, red_card=True),
        PastMonth("2025-12", poor=True, red_card=True),
    ]
    b = by_department({"dept-b": earlier_cards})["dept-b"]
    assert b.red_card
    assert b.blacklist
    # a red card thirteen months back is outside the twelve-month window
    outside = [earlier_cards[0], earlier_cards[1], PastMonth("2025-10", poor=True, red_card=True)]
    b = by_department({"dept-b": outside})["dept-b"]
    assert b.red_card
    assert not b.blacklist
    # a gap (not poor last month) resets the run
    b = by_department({"dept-b": [PastMonth("2026-10", poor=False, red_card=False)]})["dept-b"]
    assert not b.red_card


def test_bottom_and_top_need_a_group_and_equal_scores_share_a_rank() -> None:
    small = {k: INPUTS[k] for k in ("dept-a", "dept-c")}
    results = {s.department_id: s for s in score_month("2026-11", small, RULE, {})}
    assert not results["dept-c"].poor
    assert not results["dept-a"].praise
    tied = {"x": INPUTS["dept-a"], "y": INPUTS["dept-a"], "z": INPUTS["dept-c"]}
    results = {s.department_id: s for s in score_month("2026-11", tied, RULE, {})}
    assert (results["x"].rank, results["y"].rank, results["z"].rank) == (1, 1, 3)
    assert results["x"].praise
    assert results["y"].praise
    assert results["z"].poor


def test_missing_figures_leave_their_weight_out() -> None:
    # no decisions: neither metric has a figure -> no score
    assert score_of({"received": 10}, RULE) == (None, {"on_time_legal": None, "decide_working_days": None})
    rule = RULE.model_copy(
        update={
            "criteria": [
                *RULE.criteria,
                *ScoringRuleBody.model_validate(
                    {"criteria": [{"metric": "satisfaction", "weight": 100, "worst": 3, "best": 5}]}
                ).criteria,
            ]
        }
    )
    # no ratings: the 100 satisfaction points are left out; with ratings averaging 4 (0.5): (100 + 50) / 200
    assert score_of(INPUTS["dept-a"], rule)[0] == 100.0
    assert score_of({**INPUTS["dept-a"], "ratings.count": 2, "ratings.points": 8}, rule)[0] == 75.0


def test_the_one_time_notice_metric_counts_cases_with_a_second_notice() -> None:
    rule = ScoringRuleBody.model_validate(
        {"criteria": [{"metric": "one_time_notice", "weight": 1, "worst": 0.5, "best": 1}], "min_cases": 0}
    )
    # 8 cases got a notice, 2 of them a second one: 0.75 kept -> (0.75-0.5)/0.5 = 50
    assert score_of({"notice.cases": 8, "notice.repeated": 2}, rule) == (50.0, {"one_time_notice": 0.75})


def test_a_rule_names_known_metrics_once() -> None:
    with pytest.raises(ValidationError, match="unknown metric"):
        ScoringRuleBody.model_validate({"criteria": [{"metric": "speed", "weight": 1, "worst": 0, "best": 1}]})
    with pytest.raises(ValidationError, match="at most once"):
        ScoringRuleBody.model_validate(
            {"criteria": [{"metric": "satisfaction", "weight": 1, "worst": 1, "best": 5}] * 2}
        )
    with pytest.raises(ValidationError, match="differ"):
        ScoringRuleBody.model_validate({"criteria": [{"metric": "satisfaction", "weight": 1, "worst": 5, "best": 5}]})


def test_months_before_and_after_cross_the_year() -> None:
    assert months_before("2026-02", 3) == ["2026-01", "2025-12", "2025-11"]
    assert months_after("2026-11", 3) == ["2026-12", "2027-01", "2027-02"]
