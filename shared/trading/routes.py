"""The trading context's HTTP routes (`make openapi` writes them into the API's DefinitionBody, D-264).

Trading centres (operators of a region) publish and run notices of their region; agents
of enterprises register interest; anyone reads the notices, candidates and results;
supervisors of the region read who was flagged against the credit lists.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.platform.errors import NotFound
from shared.platform.observability import correlation_id
from shared.platform.open_data import CACHE_CONTROL
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN, Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.trading import open_data
from shared.trading.errors import NOTICE_NOT_FOUND, OPEN_DATA_NOT_FOUND
from shared.trading.models import (
    NOTICE_ID_PATTERN,
    Candidates,
    Flags,
    NewNotice,
    Notice,
    NoticeKind,
    PublicNotice,
    Result,
)
from shared.trading.service import TradingService, trading_service

router = APIGatewayRouter()

TAG = "Public resource trading 公共资源交易"
NoticeId = Annotated[str, Path(pattern=NOTICE_ID_PATTERN, description="Notice id (26 characters).")]
Region = Annotated[str, Query(pattern=r"^32\d{4}$", description="Division (six digits).")]
Keyword = Annotated[
    str | None,
    Query(
        description=(
            "Keyword (1–40 characters, trimmed): the notices whose title or content contains it, Latin letters "
            "in any case, full-width letters and digits as half-width."
        )
    ),
]
# DynamoDB filters what it has read: say so wherever a list takes `q` (D-306)
_SEARCHED = (
    " With `q`, a page may hold fewer than `limit` notices, even none, while `next_cursor` remains: follow it "
    "until it is null. A cursor is bound to its `q` (another `q` with it: 400 invalid_cursor)."
)
_LIST_ERRORS = {
    400: _problem("Bad cursor, or one made for another q (invalid_cursor)"),
    422: _problem("A bad keyword: control characters, blank, over 40 characters (trading.bad_query)"),
}
_CACHED = {"Cache-Control": CACHE_CONTROL}
_NOT_FOUND = {404: _problem("No such notice (trading.notice_not_found)")}
_CENTRE = {
    **SIGNED_IN,
    **_NOT_FOUND,
    403: _problem("Not a trading centre of the notice's region (trading.out_of_region)"),
}


def _service() -> TradingService:
    return trading_service()


def _public(notice: Notice) -> PublicNotice:
    return PublicNotice.model_validate(notice.model_dump())


@route(
    router,
    "POST",
    "/v1/trading/notices",
    status_code=201,
    summary="Publish a notice (招标公告 / 采购公告 / 出让公告)",
    description=(
        "A trading centre (an operator of a region) publishes a notice located in its region. Every legal "
        "minimum period that applies (configuration, each with its source: 招标投标法 第二十四条 20 days, 政府采购法 "
        "第三十五条 20 days, 土地出让 第十条 20 days and 第十九条 10 working days) is counted with the platform "
        "calendar; a short one is refused naming the rule, its source and the earliest allowed date."
    ),
    tags=[TAG],
    access=Access.OPERATOR,
    responses={
        201: _ok("The published notice"),
        403: _problem("Another region's notice (trading.out_of_region)"),
        422: _problem(
            "A period shorter than the law allows, dates out of order, no listing start for land "
            "(trading.period_too_short, trading.dates_out_of_order, trading.listing_required)"
        ),
        **SIGNED_IN,
    },
)
def publish_notice(principal: Principal, body: Annotated[NewNotice, Body()]) -> Notice:
    return _service().publish(principal, body, correlation_id())


@route(
    router,
    "GET",
    "/v1/trading/notices",
    summary="Notices of a division (公共资源交易公告), public",
    description=(
        "Notices located in the division and below, grouped by division, newest first within each, paged; "
        "of one kind and containing a keyword if asked." + _SEARCHED
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("A page of notices"), **_LIST_ERRORS},
)
def list_notices(
    region_code: Region = "320000",
    kind: Annotated[NoticeKind | None, Query(description="Only notices of this kind.")] = None,
    q: Keyword = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[PublicNotice]:
    page = _service().public(region_code, kind=kind, q=q, limit=limit, cursor=cursor)
    return Page(items=[_public(n) for n in page.items], next_cursor=page.next_cursor)


@route(
    router,
    "GET",
    "/v1/trading/results",
    summary="Results (中标结果) of a division, public",
    description=(
        "Awarded notices located in the division and below, newest result first within each division, paged; "
        "containing a keyword if asked." + _SEARCHED
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("A page of results"), **_LIST_ERRORS},
)
def list_results(
    region_code: Region = "320000", q: Keyword = None, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[PublicNotice]:
    page = _service().results(region_code, q=q, limit=limit, cursor=cursor)
    return Page(items=[_public(n) for n in page.items], next_cursor=page.next_cursor)


@route(
    router,
    "GET",
    "/v1/trading/open-data/catalog",
    summary="DCAT catalogue of the results published as open data",
    description="A machine-readable index (DCAT, JSON-LD): one dataset per city, each as JSON and CSV.",
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The catalogue")},
)
def open_data_catalog() -> Response[Any]:
    # a JSON object, declared as one: the stored file is parsed, not passed on as a string
    found = open_data.get(open_data.CATALOG_KEY)
    body = json.loads(found) if found is not None else {"@type": "dcat:Catalog", "dcat:dataset": []}
    return Response(status_code=200, content_type="application/json", body=body, headers=dict(_CACHED))


@route(
    router,
    "GET",
    "/v1/trading/open-data/<city>/<name>",
    summary="A city's results as open data (results.json, results.csv)",
    description="Every published result of the city and its counties; rewritten whenever one is published.",
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The file"), 404: _problem("No results published there yet (trading.open_data_not_found)")},
)
def open_data_file(
    city: Annotated[str, Path(pattern=r"^32\d{2}00$", description="City code (six digits).")],
    name: Annotated[str, Path(pattern=r"^results\.(json|csv)$", description="results.json or results.csv")],
) -> Response[str]:
    found = open_data.get(open_data.file_key(city, name))
    if found is None:
        raise NotFound(OPEN_DATA_NOT_FOUND, params={"city": city})
    return Response(
        status_code=200, content_type=open_data.FILES[name], body=found.decode("utf-8-sig"), headers=dict(_CACHED)
    )


@route(
    router,
    "GET",
    "/v1/trading/notices/<notice_id>",
    summary="A notice with its candidates and result, public",
    description="Who registered interest and who was flagged are not shown.",
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The notice"), **_NOT_FOUND},
)
def get_notice(notice_id: NoticeId) -> PublicNotice:
    return _public(_service().notice(notice_id))


@route(
    router,
    "POST",
    "/v1/trading/notices/<notice_id>/interest",
    summary="Register the enterprise's interest (报名)",
    description=(
        "An agent registers the enterprise it acts for, until the bid deadline. The enterprise is checked "
        "against the credit lists; a listed one is registered and flagged to the supervisor."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    responses={
        200: _ok("The notice"),
        403: _problem("Not an agent of an enterprise (trading.agent_required)"),
        409: _problem("Past the bid deadline (trading.bidding_closed)"),
        **SIGNED_IN,
        **_NOT_FOUND,
    },
)
def register_interest(principal: Principal, notice_id: NoticeId) -> PublicNotice:
    return _public(_service().register_interest(principal, notice_id, correlation_id()))


@route(
    router,
    "POST",
    "/v1/trading/notices/<notice_id>/candidates",
    summary="Publish the winning candidates (中标候选人公示)",
    description=(
        "The ranked candidates and the end of their publicity: at least 3 days (招标投标法实施条例 第五十四条, "
        "for works tenders). Listed candidates are flagged to the supervisor."
    ),
    tags=[TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The notice"),
        409: _problem("Not open, or changed meanwhile (trading.wrong_stage, trading.version_conflict)"),
        422: _problem("Publicity too short (trading.period_too_short)"),
        **_CENTRE,
    },
)
def publish_candidates(principal: Principal, notice_id: NoticeId, body: Annotated[Candidates, Body()]) -> Notice:
    return _service().publish_candidates(principal, notice_id, body, correlation_id())


@route(
    router,
    "POST",
    "/v1/trading/notices/<notice_id>/result",
    summary="Publish the result (中标结果)",
    description=(
        "The winner must be a candidate, not on a credit list (409 trading.listed_party naming the lists, "
        "checked first), and the publicity must be over (409 trading.publicity_running)."
    ),
    tags=[TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The notice"),
        409: _problem(
            "Listed party, publicity running, wrong stage (trading.listed_party, trading.publicity_running, "
            "trading.wrong_stage, trading.version_conflict)"
        ),
        422: _problem("Not a candidate (trading.not_a_candidate)"),
        **_CENTRE,
    },
)
def publish_result(principal: Principal, notice_id: NoticeId, body: Annotated[Result, Body()]) -> Notice:
    return _service().publish_result(principal, notice_id, body, correlation_id())


@route(
    router,
    "GET",
    "/v1/trading/notices/<notice_id>/flags",
    summary="Parties of a notice on a credit list (the supervisor's view)",
    description="Each flagged bidder or candidate, the lists and the stage it was found at. Region-scoped.",
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("The flags"), **SIGNED_IN, **_NOT_FOUND},
)
def notice_flags(principal: Principal, notice_id: NoticeId) -> Flags:
    notice = _service().notice(notice_id)
    if not notice.region_code.startswith(principal.region_prefix):
        raise NotFound(NOTICE_NOT_FOUND)  # another region's notice: as if missing (D-067)
    return Flags(notice_id=notice.notice_id, title=notice.title, region_code=notice.region_code, flags=notice.flags)
