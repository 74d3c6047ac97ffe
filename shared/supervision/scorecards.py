"""Department scorecards (部门考核, issue 15): a published scoring rule turns a month's
inputs per department into a score, a rank within the region, and red card
(红牌), blacklist (黑名单) and praise (表扬).

The rule is data (`ScoringRule`, versioned in the supervision table, published by
an operator), never code: which metrics count, their weights, the value scored 0
(`worst`) and 100 (`best`) for each, the floor, how many at the bottom or top
count, and the red-card and blacklist windows (D-127). What a metric *is* — which
counters it divides — is the catalogue `METRICS` below: a new source adds its
counters and a metric here, and a rule can weigh it from its next version.

Scoring one month is a pure function of the month's stored inputs, the rule
version and the earlier months' stored outcomes, so re-scoring a month with a
rule (old or new) gives the same answer every time (`score_month`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.platform.clock import months_before
from shared.supervision import monitoring as m

# Counters other sources add to a department's month row (by event type, `sources`).
WARNINGS_YELLOW = "warnings.yellow"
WARNINGS_RED = "warnings.red"
ORDERS_RECEIVED = "orders.received"
ORDERS_REPLIED = "orders.replied"
ORDER_REPLY_DAYS = "orders.reply_working_days"
RATINGS = "ratings.count"
RATING_POINTS = "ratings.points"
RECTIFICATIONS = "rectifications.closed"
RECTIFICATIONS_ON_TIME = "rectifications.on_time"
TICKETS_RECEIVED = "tickets.received"
TICKETS_ANSWERED = "tickets.answered"
TICKET_ANSWER_DAYS = "tickets.answer_working_days"
TICKETS_CLOSED = "tickets.closed"


@dataclass(frozen=True)
class Metric:
    """A figure of a department's month: `numerator / denominator` (× `scale`);
    `complement` scores `1 - ratio` (one-time notice kept). No denominator → no figure
    (the rule's weights then spread over the metrics that have one)."""

    numerator: tuple[str, ...]
    denominator: str
    description: str
    scale: float = 1.0
    complement: bool = False

    def value(self, counts: Mapping[str, int]) -> float | None:
        below = counts.get(self.denominator, 0)
        if below <= 0:
            return None
        ratio = sum(counts.get(name, 0) for name in self.numerator) / below
        return (1 - ratio if self.complement else ratio) * self.scale


METRICS: dict[str, Metric] = {
    "on_time_promised": Metric((m.ON_TIME_PROMISED,), m.DECIDED, "Share decided within the promised limit (承诺)."),
    "on_time_legal": Metric((m.ON_TIME_LEGAL,), m.DECIDED, "Share decided within the legal limit (法定)."),
    "decide_working_days": Metric(
        (m.DECIDE_DAYS,), m.DECIDE_DAYS_COUNTED, "Average working days from acceptance to decision."
    ),
    "no_visit_share": Metric((m.RECEIVED_NO_VISIT,), m.RECEIVED, "Share of received cases handled 不见面."),
    "one_time_notice": Metric(
        (m.NOTICE_REPEATED,),
        m.NOTICE_CASES,
        "Share of cases with a supplement notice that needed only one (一次性告知).",
        complement=True,
    ),
    "warnings_per_100": Metric(
        (WARNINGS_YELLOW, WARNINGS_RED), m.RECEIVED, "Supervision warnings per 100 received cases.", scale=100
    ),
    "red_warnings_per_100": Metric((WARNINGS_RED,), m.RECEIVED, "Red warnings per 100 received cases.", scale=100),
    "orders_per_100": Metric((ORDERS_RECEIVED,), m.RECEIVED, "Supervision orders per 100 received cases.", scale=100),
    "order_reply_working_days": Metric(
        (ORDER_REPLY_DAYS,), ORDERS_REPLIED, "Average working days to reply to a supervision order."
    ),
    "satisfaction": Metric((RATING_POINTS,), RATINGS, "Average rating (好差评, 1–5)."),
    "rectification_on_time": Metric(
        (RECTIFICATIONS_ON_TIME,), RECTIFICATIONS, "Share of rectifications answered within their limit."
    ),
}


class _Shape(BaseModel):
    # schemas are built on first use, not at import: the cold start creates only the classes (D-338)
    model_config = ConfigDict(defer_build=True)


class Criterion(_Shape):
    """One metric of the rule: `worst` scores 0, `best` scores 100, linear between
    (either may be the larger: lower-is-better metrics have best < worst)."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(description="A metric of the catalogue (GET /v1/supervision/scoring-rules/metrics).")
    weight: float = Field(gt=0, le=1000)
    worst: float = Field(ge=-1_000_000, le=1_000_000, description="The value that scores 0.")
    best: float = Field(ge=-1_000_000, le=1_000_000, description="The value that scores 100.")

    @model_validator(mode="after")
    def _known(self) -> Self:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; known: {', '.join(sorted(METRICS))}")
        if self.best == self.worst:
            raise ValueError("best and worst must differ")
        return self

    def score(self, value: float) -> float:
        return min(max((value - self.worst) / (self.best - self.worst), 0.0), 1.0)


class ScoringRuleBody(_Shape):
    """A scoring rule as an operator publishes it (the next version)."""

    model_config = ConfigDict(extra="forbid")

    criteria: list[Criterion] = Field(min_length=1, max_length=len(METRICS))
    floor: float = Field(default=60, ge=0, le=100, description="A score below this is poor (不合格).")
    bottom: int = Field(default=1, ge=0, le=10, description="The last this many of a ranking are poor.")
    top: int = Field(default=1, ge=0, le=10, description="The first this many of a ranking are praised.")
    min_cases: int = Field(default=5, ge=0, le=10000, description="Received + decided in the month to be ranked.")
    min_group: int = Field(
        default=3, ge=1, le=1000, description="Departments ranked in a region for bottom and top to apply."
    )
    red_card_months: int = Field(default=2, ge=1, le=12, description="Poor this many months running: red card.")
    blacklist_red_cards: int = Field(default=3, ge=1, le=12, description="Red cards within the window: blacklist.")
    blacklist_window_months: int = Field(default=12, ge=1, le=36)
    note: str = Field(default="", max_length=500, description="Why this version (shown with it).")

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        names = [criterion.metric for criterion in self.criteria]
        if len(set(names)) != len(names):
            raise ValueError("each metric at most once")
        return self


class ScoringRule(ScoringRuleBody):
    version: int = Field(ge=1)


@dataclass(frozen=True)
class PastMonth:
    """A department's stored outcome of an earlier month (what the red card and
    blacklist look back on)."""

    month: str
    poor: bool
    red_card: bool


class DepartmentScore(_Shape):
    department_id: str
    score: float | None = Field(default=None, description="0–100; null when not ranked (too few cases).")
    rank: int | None = Field(default=None, description="1 = best; equal scores share a rank.")
    ranked: int = Field(description="How many departments the ranking holds.")
    metrics: dict[str, float | None] = Field(description="The rule's metrics, as measured.")
    poor: bool = Field(description="Below the floor or at the bottom of the ranking this month.")
    red_card: bool = Field(description="红牌: poor for the rule's number of months running.")
    blacklist: bool = Field(description="黑名单: red cards within the rule's window reach its count.")
    praise: bool = Field(description="表扬: at the top of the ranking and above the floor.")


LAST_MONTH = "9999-12"
"""Later than any month (the upper bound of a range of stored months)."""


def score_of(counts: Mapping[str, int], rule: ScoringRuleBody) -> tuple[float | None, dict[str, float | None]]:
    """The department's score (0–100, two decimals) and its measured metrics; the
    weights of the metrics it has no figure for are left out of the division."""
    measured = {c.metric: METRICS[c.metric].value(counts) for c in rule.criteria}
    weighted = [(c.weight, c.score(value)) for c in rule.criteria if (value := measured[c.metric]) is not None]
    if not weighted:
        return None, measured
    total = sum(weight for weight, _ in weighted)
    return round(100 * sum(weight * part for weight, part in weighted) / total, 2), measured


def score_month(
    month: str,
    inputs: Mapping[str, Mapping[str, int]],
    rule: ScoringRuleBody,
    history: Mapping[str, Sequence[PastMonth]],
) -> list[DepartmentScore]:
    """Score, rank and card every department of one region for `month` (best first,
    then the unranked by id). `history`: each department's earlier stored outcomes."""
    scored: dict[str, tuple[float | None, dict[str, float | None]]] = {}
    for department, counts in inputs.items():
        activity = counts.get(m.RECEIVED, 0) + counts.get(m.DECIDED, 0)
        score, measured = score_of(counts, rule)
        scored[department] = (score if activity >= rule.min_cases else None, measured)
    ranked = sorted((d for d, (s, _) in scored.items() if s is not None), key=lambda d: (-(scored[d][0] or 0), d))
    ranks: dict[str, int] = {}
    for position, department in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        same = previous is not None and scored[previous][0] == scored[department][0]
        ranks[department] = ranks[previous] if same and previous else position
    group = len(ranked) >= rule.min_group
    results = []
    for department in ranked + sorted(d for d in scored if d not in ranks):
        score, measured = scored[department]
        rank = ranks.get(department)
        below_floor = score is not None and score < rule.floor
        at_bottom = group and rank is not None and rank > len(ranked) - rule.bottom
        poor = below_floor or at_bottom
        past = {p.month: p for p in history.get(department, ())}
        earlier = months_before(month, max(rule.red_card_months, rule.blacklist_window_months))
        running = earlier[: rule.red_card_months - 1]
        red_card = poor and all(p in past and past[p].poor for p in running)
        window = earlier[: rule.blacklist_window_months - 1]
        red_cards = int(red_card) + sum(1 for p in window if p in past and past[p].red_card)
        results.append(
            DepartmentScore(
                department_id=department,
                score=score,
                rank=rank,
                ranked=len(ranked),
                metrics=measured,
                poor=poor,
                red_card=red_card,
                blacklist=red_cards >= rule.blacklist_red_cards,
                praise=group and rank is not None and rank <= rule.top and not below_floor,
            )
        )
    return results
