"""The queries context's HTTP routes (paths fixed by template.yaml, QueriesApiFunction).

For the signed-in holder only: a citizen queries their own data, an agent the
enterprise's they act for. Every query, answered or not, is in the holder's log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN, Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.queries import errors as _errors  # noqa: F401 (registers the query.* codes)
from shared.queries.kinds import KIND_PATTERN
from shared.queries.models import QueryCatalogue, QueryLogEntry, QueryResult

if TYPE_CHECKING:
    from shared.queries.service import QueriesService

router = APIGatewayRouter()

TAG = "High-frequency queries 高频查询"
_ROLE = {**SIGNED_IN, 403: _problem("Not a citizen or an agent acting for an enterprise")}

Kind = Annotated[str, Path(pattern=KIND_PATTERN, description="The query's kind (from the catalogue).")]


def _service() -> QueriesService:
    # imported on first use: boto3 and the partner client stay out of the cold start
    from shared.queries.service import queries_service

    return queries_service()


@route(
    router,
    "GET",
    "/v1/me/queries",
    summary="The queries I can make (高频查询)",
    description="The kinds of query offered to the caller (an agent: those offered to enterprises), with the "
    "department that answers each.",
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("The catalogue"), **_ROLE},
)
def catalogue(principal: Principal) -> QueryCatalogue:
    return _service().catalogue(principal)


@route(
    router,
    "GET",
    "/v1/me/queries/<kind>",
    summary="Query my data held by a department",
    description=(
        "Asks the department's system for the caller's own record (a citizen: by their real-name identity; an "
        "agent: the enterprise's) and answers it as the department gave it (`data`). A recent answer is reused "
        "for a few minutes (`cached`: true). A department that is down or does not answer within its budget is "
        "a 503 `query.department_unavailable` with Retry-After, at once. Every query is in `/v1/me/query-log`."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        200: _ok("The department's answer"),
        **_ROLE,
        404: _problem("No such kind (query.unknown_kind)"),
        503: _problem("The department cannot answer now (query.department_unavailable); see Retry-After"),
    },
)
def query(principal: Principal, kind: Kind) -> QueryResult:
    return _service().query(principal, kind)


@route(
    router,
    "GET",
    "/v1/me/query-log",
    summary="Who queried my data (查询记录)",
    description="Every query of the caller's data (an agent: the enterprise's), newest first: kind, by whom, when, "
    "and whether it was answered, reused or unavailable.",
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("A page of log entries"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def query_log(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[QueryLogEntry]:
    return _service().my_log(principal, limit=limit, cursor=cursor)
