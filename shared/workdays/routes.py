"""HTTP routes of the working-day calendar, included by `catalog_api`.

- GET /v1/calendar/{year}   public: a year's holidays and adjusted working days
- PUT /v1/calendar/{year}   operator: load the year's arrangement
- GET /v1/deadlines         public: the end of a working-day time limit
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.platform.errors import FieldError, ValidationFailed
from shared.platform.principal import Access, Principal
from shared.platform.public import lazy_module
from shared.platform.routing import route
from shared.workdays.models import MAX_WORKING_DAYS, MAX_YEAR, MIN_YEAR, CalendarYear, Deadline, YearArrangement

if TYPE_CHECKING:
    from shared.workdays import service
else:
    # the service (rules, repository) loads with a calendar route's first request: catalog_api serves
    # these three routes beside the catalogue's (D-315)
    service = lazy_module("shared.workdays.service")

TAGS = ["calendar"]

router = APIGatewayRouter()

YearInPath = Annotated[
    int,
    Path(ge=MIN_YEAR, le=MAX_YEAR, description="The calendar year, e.g. 2027.", examples=[2026]),
]


@route(
    router,
    "GET",
    "/v1/calendar/<year>",
    summary="Holiday arrangement of a year (年度节假日安排)",
    description=(
        "The year's rest days and adjusted working weekends (调休上班日), and where they come from: "
        "`loaded` (an arrangement an operator loaded), `package` (the built-in data for 2004–2026) or "
        "`missing` (not published or not loaded yet: weekends-only, and deadlines into the year are provisional)."
    ),
    tags=TAGS,
    access=Access.PUBLIC,
)
def get_calendar_year(year: YearInPath) -> CalendarYear:
    return service.calendar_year(year)


@route(
    router,
    "PUT",
    "/v1/calendar/<year>",
    summary="Load a year's holiday arrangement (operator)",
    description=(
        "Stores the State Council's arrangement for the year; it replaces the built-in data for that year. "
        "Requires a signed-in operator. Loading the same days again is a no-op. "
        "201 when the year is loaded for the first time, 200 otherwise; 422 lists every invalid date."
    ),
    tags=TAGS,
    responses={
        200: {"description": "Arrangement updated (or unchanged)."},
        201: {"description": "Arrangement loaded for the first time."},
        401: {"description": "Not signed in."},
        403: {"description": "Signed in, but not an operator."},
        409: {"description": "Loaded concurrently by someone else; retry."},
        422: {"description": "Invalid arrangement; `errors` names each offending field."},
    },
    access=Access.OPERATOR,
)
def put_calendar_year(
    principal: Principal,
    year: YearInPath,
    arrangement: Annotated[YearArrangement, Body(description="The year's arrangement; `year` must match the path.")],
) -> Response[CalendarYear]:
    actor = principal.subject_id
    if arrangement.year != year:
        raise ValidationFailed("calendar.year_mismatch", errors=[FieldError("year", "calendar.year_mismatch")])
    result = service.load_year(arrangement, actor=actor)
    status = HTTPStatus.CREATED if result.outcome is service.LoadOutcome.CREATED else HTTPStatus.OK
    return Response(status_code=status, content_type="application/json", body=service.calendar_year(year))


@route(
    router,
    "GET",
    "/v1/deadlines",
    summary="End of a working-day time limit (期限计算)",
    description=(
        "The date on which `working_days` working days after `start` end. Day 1 is the first working day "
        "after `start`; statutory holidays are skipped and adjusted working weekends count "
        "(行政许可法 第82条). `provisional` is true when a counted year has no published arrangement yet: "
        "that year is counted as weekends-only and the date may move once the arrangement is loaded."
    ),
    tags=TAGS,
    access=Access.PUBLIC,
)
def get_deadline(
    start: Annotated[dt.date, Query(description="The day the clock starts (not counted), YYYY-MM-DD.")],
    working_days: Annotated[
        int, Query(ge=1, le=MAX_WORKING_DAYS, description="The time limit in working days, e.g. 20.")
    ],
) -> Deadline:
    return service.deadline(start, working_days)
