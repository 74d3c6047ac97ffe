"""The demo scoring rule for department scorecards (issue 15): published as version 1
when no rule is published yet, through the same service the operator API uses. A real
deployment's rule is the province's 考核办法, published by an operator."""

from __future__ import annotations

from infra.seed.environment import seeding_environment
from shared.supervision.api import Scorecards, monitoring
from shared.supervision.scorecards import ScoringRuleBody

DEMO_RULE = ScoringRuleBody.model_validate(
    {
        "criteria": [
            {"metric": "on_time_legal", "weight": 25, "worst": 0.8, "best": 1.0},
            {"metric": "on_time_promised", "weight": 15, "worst": 0.6, "best": 1.0},
            {"metric": "decide_working_days", "weight": 10, "worst": 20, "best": 2},
            {"metric": "no_visit_share", "weight": 10, "worst": 0.3, "best": 0.9},
            {"metric": "one_time_notice", "weight": 10, "worst": 0.7, "best": 1.0},
            {"metric": "red_warnings_per_100", "weight": 10, "worst": 20, "best": 0},
            {"metric": "order_reply_working_days", "weight": 5, "worst": 5, "best": 1},
            {"metric": "satisfaction", "weight": 10, "worst": 3, "best": 5},
            {"metric": "rectification_on_time", "weight": 5, "worst": 0.6, "best": 1.0},
        ],
        "floor": 60,
        "bottom": 1,
        "top": 1,
        "min_cases": 5,
        "min_group": 3,
        "note": "演示评分规则（本地环境）",
    }
)


def load(env: dict[str, str]) -> dict[str, int]:
    """Publish the demo rule unless a rule is published already; returns counts per kind."""
    with seeding_environment(env):
        scorecards = Scorecards(monitoring())
        if scorecards.versions():
            return {"scoring_rules": 0}
        scorecards.publish(DEMO_RULE)
        return {"scoring_rules": 1}
