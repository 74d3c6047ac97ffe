"""Live monitoring and department scorecards over HTTP (MonitoringApiFunction).

Supervisors read the figures and rankings of their region and every region below
it (a county supervisor its county, a city supervisor its city and its counties);
a department's staff read their region's ranking; operators publish scoring rules
and re-score a closed month under a chosen rule version.
"""

from __future__ import annotations

import re
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.codes.divisions import DIVISION_CODE_PATTERN
from shared.platform.clock import today_in_shanghai
from shared.platform.errors import AppError
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import ROLE
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.supervision import scorecards as sc
from shared.supervision.monitoring import month_of
from shared.supervision.monitoring_service import (
    INVALID_MONTH,
    MonitoringView,
    Scorecard,
    Scorecards,
    monitoring,
    scoped_region,
    staff_region,
)

monitoring_router = APIGatewayRouter()

TAG = "Supervision monitoring 实时监控与考核"
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_SCOPE = {
    **ROLE,
    403: _problem("Not a supervisor, or the region is outside the supervisor's (supervision.region_out_of_scope)"),
}
_RANKING = {
    200: _ok("The ranking"),
    400: _problem("Bad month (supervision.invalid_month)"),
    404: _problem("No rule published yet, or the month not closed (supervision.no_scoring_rule, …)"),
}
RegionQuery = Annotated[
    str | None,
    Query(
        pattern=DIVISION_CODE_PATTERN, description="A region inside the supervisor's (default: the supervisor's own)."
    ),
]
MonthQuery = Annotated[
    str | None, Query(pattern=MONTH_PATTERN, description="`YYYY-MM`; default and the current month: scored on demand.")
]


class RescoreRequest(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built with the rescore route's first request (D-338)

    rule_version: int = Field(ge=1, le=100_000, description="The rule version to score the stored inputs with.")


def scorecards() -> Scorecards:
    return Scorecards(monitoring())


def _scorecard_of(region: str, month: str | None) -> Scorecard:
    """The current month scored on demand, or a closed month as stored."""
    chosen, current = _month(month)
    cards = scorecards()
    return cards.current(region, today_in_shanghai()) if current else cards.stored(region, chosen)


def _month(month: str | None) -> tuple[str, bool]:
    """The month asked for and whether it is the current one (never a future month)."""
    current = month_of(today_in_shanghai())
    chosen = month or current
    if not re.fullmatch(MONTH_PATTERN, chosen) or chosen > current:
        raise AppError(INVALID_MONTH)
    return chosen, chosen == current


@route(
    monitoring_router,
    "GET",
    "/v1/supervision/monitoring",
    summary="Live figures of a region",
    description=(
        "Open cases by state, suspended, overdue against the promised (承诺) and legal (法定) limits, 不见面 share, "
        "decisions and on-time rates today and this month, warnings this month: for the region and each region "
        "directly below it, and by the region's own departments and items. Maintained from events as they happen; "
        "two reads whatever the number of cases."
    ),
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("The figures"), 400: _problem("Bad region code (supervision.invalid_region)"), **_SCOPE},
)
def monitoring_view(principal: Principal, region_code: RegionQuery = None) -> MonitoringView:
    return monitoring().view(principal, region_code, today_in_shanghai())


@route(
    monitoring_router,
    "GET",
    "/v1/supervision/scorecards",
    summary="Department ranking of a region",
    description=(
        "The scorecard of the region's own departments for a month: score under the published rule, rank, "
        "red card (红牌), blacklist (黑名单) and praise (表扬). The current month is scored on demand from the live "
        "counters; an earlier month as closed (its inputs frozen at the start of the next month)."
    ),
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={
        **_RANKING,
        **_SCOPE,
    },
)
def region_scorecard(principal: Principal, region_code: RegionQuery = None, month: MonthQuery = None) -> Scorecard:
    return _scorecard_of(scoped_region(principal, region_code), month)


@route(
    monitoring_router,
    "GET",
    "/v1/department/scorecard",
    summary="My department's ranking",
    description=(
        "For the head of a department (部门负责人, staff with the `department_head` scope): the ranking of the "
        "departments of their department's region (the same scorecard supervisors read), current month on "
        "demand or a closed month. Other staff get 403 supervision.not_department_head."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        **_RANKING,
        **ROLE,
        403: _problem("Not a department head (supervision.not_department_head), or not staff"),
    },
)
def department_scorecard(principal: Principal, month: MonthQuery = None) -> Scorecard:
    return _scorecard_of(staff_region(principal), month)


@route(
    monitoring_router,
    "GET",
    "/v1/supervision/scoring-rules",
    summary="Published scoring rules",
    description="Every published version of the scorecard rule, newest first (weights, thresholds, card rules).",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    responses={200: _ok("The versions"), **ROLE},
)
def scoring_rules() -> list[sc.ScoringRule]:
    return scorecards().versions()


@route(
    monitoring_router,
    "POST",
    "/v1/supervision/scoring-rules",
    summary="Publish a scoring rule",
    description=(
        "Publishes the next version of the scorecard rule (weights and thresholds are data, not code). The current "
        "month is scored with it from now on; a closed month keeps its version unless re-scored."
    ),
    tags=[TAG],
    access=Access.OPERATOR,
    status_code=201,
    responses={
        201: _ok("The published version"),
        409: _problem("Someone else published first (supervision.rule_version_taken)"),
        422: _problem("Unknown metric, a metric twice, best equal to worst (validation_failed)"),
        **ROLE,
    },
)
def publish_rule(body: Annotated[sc.ScoringRuleBody, Body()]) -> sc.ScoringRule:
    return scorecards().publish(body)


@route(
    monitoring_router,
    "POST",
    "/v1/supervision/scorecards/<region_code>/<month>/rescore",
    summary="Re-score a closed month",
    description=(
        "Scores the month's stored inputs again under the given rule version and keeps the result as the month's "
        "scorecard: the same inputs and version always give the same ranking. Every later closed month is then "
        "scored again under its own stored inputs and rule version (`revised_months`), since its red cards and "
        "blacklist look back on this month; earlier months stay as stored."
    ),
    tags=[TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The re-scored month"),
        404: _problem("No such rule version (supervision.rule_version_not_found)"),
        409: _problem("The month is not closed yet (supervision.scorecard_not_closed)"),
        **ROLE,
    },
)
def rescore(
    region_code: Annotated[str, Path(pattern=DIVISION_CODE_PATTERN)],
    month: Annotated[str, Path(pattern=MONTH_PATTERN)],
    body: Annotated[RescoreRequest, Body()],
) -> Scorecard:
    return scorecards().rescore(region_code, month, body.rule_version)
