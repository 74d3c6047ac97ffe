"""Analytics for supervisors over HTTP (ReportsApiFunction; D-267, D-268): slow steps per
department and item, the cases past p90, and the load forecast. A supervisor reads their
region and any region inside it (the supervision context's scope rule); the figures are of
the region's own departments, as in its monitoring view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

import shared.supervision.api as supervision  # names load on first use: its scope rule with a request (D-338)
from shared.codes.divisions import DIVISION_CODE_PATTERN
from shared.platform.clock import previous_month, today_in_shanghai
from shared.platform.errors import NotFound
from shared.platform.principal import Access, Principal
from shared.platform.public import lazy_module
from shared.platform.route_docs import ROLE
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.reports.errors import NO_SLOW_STEPS

if TYPE_CHECKING:
    from shared.reports import analytics_service, analytics_shapes
else:
    # the projection, the forecast and their shapes load with an analytics route's first request,
    # not at ReportsApiFunction's cold start (D-338)
    analytics_service = lazy_module("shared.reports.analytics_service")
    analytics_shapes = lazy_module("shared.reports.analytics_shapes")

analytics_router = APIGatewayRouter()

TAG = "Reports analytics 办件分析"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
CODE_PATTERN = r"^[0-9A-Za-z_.\-]{1,80}$"
_SCOPE = {
    **ROLE,
    400: _problem("Bad region code (supervision.invalid_region)"),
    403: _problem("Not a supervisor, or the region is outside the supervisor's (supervision.region_out_of_scope)"),
}
RegionQuery = Annotated[
    str | None,
    Query(pattern=DIVISION_CODE_PATTERN, description="A region inside the supervisor's (default: their own)."),
]
MonthQuery = Annotated[
    str | None, Query(pattern=MONTH_PATTERN, description="`YYYY-MM`, the month the stays ended (default: last month).")
]


@route(
    analytics_router,
    "GET",
    "/v1/analytics/slow-steps",
    summary="Slow steps: working days spent in each case state, per department and item",
    description=(
        "For each of the region's own departments and items, the stays in each case state that ended in the "
        "month: how many, median and 90th percentile (nearest rank, whole working days of the platform "
        "calendar), mean, and how many were longer than p90. From a projection of the case events: one read "
        "whatever the number of cases."
    ),
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("The figures"), **_SCOPE},
)
def slow_steps(
    principal: Principal, region_code: RegionQuery = None, month: MonthQuery = None
) -> analytics_shapes.SlowSteps:
    region = supervision.scoped_region(principal, region_code)
    return analytics_service.analytics().slow_steps(region, month or previous_month())


@route(
    analytics_router,
    "GET",
    "/v1/analytics/slow-steps/<department_id>/<item_code>",
    summary="Slow steps of one department's item, with the cases past p90",
    description=(
        "The figures of one department and item, and every stay longer than its state's p90 (case id, state, "
        "working days, entered and left), longest first. Case ids name no person."
    ),
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={
        200: _ok("The figures and the slow cases"),
        404: _problem("No stays of it ended in the month (reports.no_slow_steps)"),
        **_SCOPE,
    },
)
def slow_cases(
    principal: Principal,
    department_id: Annotated[str, Path(pattern=CODE_PATTERN, description="The department.")],
    item_code: Annotated[str, Path(pattern=CODE_PATTERN, description="The item (事项编码).")],
    region_code: RegionQuery = None,
    month: MonthQuery = None,
) -> analytics_shapes.SlowCases:
    region, wanted = supervision.scoped_region(principal, region_code), month or previous_month()
    found = analytics_service.analytics().slow_cases(region, wanted, department_id, item_code)
    if found is None:
        raise NotFound(NO_SLOW_STEPS, params={"department_id": department_id, "item_code": item_code, "month": wanted})
    return found


@route(
    analytics_router,
    "GET",
    "/v1/analytics/load-forecast",
    summary="Load forecast: expected submissions per department for the next 8 weeks",
    description=(
        "For each of the region's own departments: the last 16 weeks' submissions and the next 8 weeks' "
        "expected ones — the rate per working day of the 8 whole weeks before, times each week's working days "
        "(holidays and make-up days of the platform calendar), times last year's seasonal ratio once a year of "
        "history exists. Backtested error in docs/performance.md."
    ),
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("The forecast"), **_SCOPE},
)
def load_forecast(principal: Principal, region_code: RegionQuery = None) -> analytics_shapes.LoadForecast:
    region = supervision.scoped_region(principal, region_code)
    return analytics_service.analytics().load_forecast(region, today_in_shanghai())
