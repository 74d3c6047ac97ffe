"""The ratings context's HTTP routes (paths fixed by template.yaml, RatingsApiFunction).

Applicants rate what they were invited to (一事一评) and follow the outcome in
the user center; the handling department's staff see their ratings, appeal
one, and work their rectification orders; supervisors of the region see the
region's, decide appeals and unconfirmed answers; anyone reads the exposure
column and the public counts. Record access follows
`shared.platform.principal.decide`: someone else's record is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.public import lazy_module
from shared.platform.route_docs import ROLE, SIGNED_IN, Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

if TYPE_CHECKING:
    from shared.ratings import shapes
else:
    # a route's bodies and answers load with its first request (its signature is resolved then: D-315, D-338)
    shapes = lazy_module("shared.ratings.shapes")
from shared.ratings.models import (
    ID_PATTERN,
    MONTH_PATTERN,
    TARGET_ID_PATTERN,
    RatingView,
    RectificationView,
    TargetKind,
)
from shared.ratings.service import RatingsService, ratings_service

router = APIGatewayRouter()

TAG = "Ratings 好差评"
PUBLIC_TAG = "Exposure 曝光纠错"

RatingId = Annotated[str, Path(pattern=ID_PATTERN, description="Rating id (26 characters).")]
OrderId = Annotated[str, Path(pattern=ID_PATTERN, description="Rectification order id (26 characters).")]
Month = Annotated[str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM (Shanghai time); default: this month.")]
_RATING = {**SIGNED_IN, 404: _problem("No such rating, or not the caller's (ratings.rating_not_found)")}
_ORDER = {**SIGNED_IN, 404: _problem("No such order, or not the caller's (ratings.rectification_not_found)")}
_STEP = {409: _problem("Not at this step (ratings.step_not_allowed, ratings.changed_concurrently)")}


def _service() -> RatingsService:
    return ratings_service()


# --- applicants -------------------------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/me/rating-invitations",
    summary="What I may rate (待评价)",
    description="Finished cases and closed tickets the caller was invited to rate and has not rated yet.",
    tags=[TAG],
    access=Access.APPLICANT,
    responses={200: _ok("A page of invitations"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def my_invitations(
    principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[shapes.InvitationView]:
    return _service().my_invitations(principal, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/me/ratings",
    summary="My ratings and their outcome (我的评价)",
    description="The caller's ratings, newest first, each with its appeal and rectification outcome.",
    tags=[TAG],
    access=Access.APPLICANT,
    responses={200: _ok("A page of ratings"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def my_ratings(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[RatingView]:
    return _service().my_ratings(principal, limit=limit, cursor=cursor)


@route(
    router,
    "POST",
    "/v1/ratings",
    status_code=201,
    summary="Rate a finished case or ticket (好差评)",
    description=(
        "Five levels (非常满意 … 非常不满意), optional reasons from the fixed list, free text and the channel. "
        "One rating per target and person (一事一评): a second is 409. A 差评 (不满意, 非常不满意) opens a "
        "rectification order for the department that handled it. Something the caller was not invited to "
        "rate answers 404."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        201: _ok("The rating as recorded"),
        404: _problem("Nothing of the caller's to rate there (ratings.target_not_found)"),
        409: _problem("Already rated (ratings.already_rated)"),
        **ROLE,
    },
)
def rate(principal: Principal, body: Annotated[shapes.RateRequest, Body()]) -> RatingView:
    return _service().rate(principal, body, correlation_id=correlation_id())


@route(
    router,
    "PUT",
    "/v1/ratings/<rating_id>",
    summary="Change my rating (once, within 10 days)",
    description=(
        "The rating as changed; the first revision stays on record. Once only (409 ratings.already_changed), "
        "within the change window (409 ratings.change_window_closed), not once appealed."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        200: _ok("The rating as changed"),
        409: _problem(
            "Changed before, too late, or appealed (ratings.already_changed, ratings.change_window_closed, "
            "ratings.not_changeable, ratings.changed_concurrently)"
        ),
        **_RATING,
    },
)
def change(principal: Principal, rating_id: RatingId, body: Annotated[shapes.ChangeRequest, Body()]) -> RatingView:
    return _service().change(principal, rating_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/rating-links/ratings",
    status_code=201,
    summary="Rate with a one-time link (hall visitors without an account)",
    description=(
        "The token of a link the counter printed or sent; it works once and expires. An unknown, used or "
        "expired token answers 404 ratings.link_invalid."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    responses={201: _ok("The rating as recorded"), 404: _problem("Invalid, used or expired (ratings.link_invalid)")},
)
def rate_by_link(body: Annotated[shapes.LinkRateRequest, Body()]) -> RatingView:
    return _service().rate_by_link(body, correlation_id=correlation_id())


# --- staff and supervisors --------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/rating-targets/<target_kind>/<target_id>/link",
    status_code=201,
    summary="Issue a one-time rating link (counter)",
    description=(
        "For a visitor without an account: a single-use link to rate the department's finished case or "
        "ticket. The token is shown once (only its hash is kept); a new link replaces an unused one."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        201: _ok("The link"),
        404: _problem("Not the department's, or not finished (ratings.target_not_found)"),
        409: _problem("Rated with a link already (ratings.already_rated)"),
        **ROLE,
    },
)
def issue_link(
    principal: Principal,
    target_kind: Annotated[TargetKind, Path(description="`case` or `ticket`.")],
    target_id: Annotated[str, Path(pattern=TARGET_ID_PATTERN)],
) -> shapes.LinkIssued:
    return _service().issue_link(principal, target_kind, target_id)


@route(
    router,
    "GET",
    "/v1/ratings",
    summary="Ratings of my department, of my own work, or of my region (supervisors)",
    description=(
        "Staff: their department's ratings, newest first; with `mine=true`, the ratings of the cases they "
        "accepted and the tickets they handled. Supervisors: the ratings of a month within their region. "
        "Excluded ratings (upheld appeals) are listed with `excluded: true`."
    ),
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("A page of ratings"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def ratings(
    principal: Principal,
    month: Month = None,
    mine: Annotated[bool, Query(description="Staff: only the ratings of what the caller handled.")] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[RatingView]:
    return _service().ratings(principal, month=month, mine=mine, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/ratings/<rating_id>",
    summary="Read a rating",
    description="The rater, the handling department's staff and supervisors of the region may read it.",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The rating"), **_RATING},
)
def get_rating(principal: Principal, rating_id: RatingId) -> RatingView:
    return _service().rating(principal, rating_id)


@route(
    router,
    "POST",
    "/v1/ratings/<rating_id>/appeal",
    status_code=201,
    summary="Appeal a rating (申诉)",
    description=(
        "The handling department's staff appeal a rating they believe malicious or mistaken, with evidence; "
        "a supervisor of the region decides. Once per rating."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        201: _ok("The rating with its pending appeal"),
        409: _problem("Appealed before (ratings.appeal_exists, ratings.changed_concurrently)"),
        **_RATING,
        403: _problem("Not staff (forbidden)"),
    },
)
def appeal(principal: Principal, rating_id: RatingId, body: Annotated[shapes.AppealRequest, Body()]) -> RatingView:
    return _service().appeal(principal, rating_id, body, correlation_id=correlation_id())


@route(
    router,
    "GET",
    "/v1/rating-appeals",
    summary="Appeals waiting for a decision in my region",
    description="Ratings of the supervisor's region whose appeal is pending, oldest first by region code.",
    tags=[TAG],
    access=Access.SUPERVISOR,
    responses={200: _ok("A page of appealed ratings"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def pending_appeals(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[RatingView]:
    return _service().pending_appeals(principal, limit=limit, cursor=cursor)


@route(
    router,
    "POST",
    "/v1/ratings/<rating_id>/appeal/decision",
    summary="Decide an appeal (supervisor of the region)",
    description=(
        "`upheld`: the rating no longer counts in the scores (it stays on record, marked excluded) and a "
        "running rectification order closes; `dismissed`: nothing changes."
    ),
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={
        200: _ok("The rating with the decided appeal"),
        409: _problem("No pending appeal (ratings.no_open_appeal, ratings.changed_concurrently)"),
        **_RATING,
        403: _problem("Not a supervisor (forbidden)"),
    },
)
def decide_appeal(
    principal: Principal, rating_id: RatingId, body: Annotated[shapes.AppealDecisionRequest, Body()]
) -> RatingView:
    return _service().decide_appeal(principal, rating_id, body, correlation_id=correlation_id())


# --- rectification orders (整改单) ---------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/rectifications",
    summary="Rectification orders of my department, or of my region (supervisors)",
    description="Staff: their department's orders, newest first. Supervisors: the orders of a month in the region.",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("A page of orders"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def rectifications(
    principal: Principal, month: Month = None, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[RectificationView]:
    return _service().orders(principal, month=month, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/rectifications/<order_id>",
    summary="Read a rectification order",
    description="The rater, the department's staff and supervisors of the region may read it.",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The order"), **_ORDER},
)
def get_rectification(principal: Principal, order_id: OrderId) -> RectificationView:
    return _service().order(principal, order_id)


@route(
    router,
    "POST",
    "/v1/rectifications/<order_id>/visit",
    summary="Record the follow-up contact (回访核实)",
    description="Within 1 working day of the 差评 (configuration); stops the visit limit.",
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The order, visited"), **_STEP, **_ORDER, 403: _problem("Not staff (forbidden)")},
)
def visit(principal: Principal, order_id: OrderId, body: Annotated[shapes.VisitRequest, Body()]) -> RectificationView:
    return _service().visit(principal, order_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/rectifications/<order_id>/answer",
    summary="Rectify and answer (整改答复)",
    description=(
        "What was rectified and the answer to the rater, within 15 working days (configuration); stops the "
        "answer limit. `publishable` lets the rater's free text and the answer appear in the exposure column."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The order, answered"), **_STEP, **_ORDER, 403: _problem("Not staff (forbidden)")},
)
def answer(principal: Principal, order_id: OrderId, body: Annotated[shapes.AnswerRequest, Body()]) -> RectificationView:
    return _service().answer(principal, order_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/rectifications/<order_id>/confirmation",
    summary="Confirm the answer, or not (rater)",
    description="Confirmed: the order closes. Not confirmed: a supervisor of the region decides.",
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("The order"), **_STEP, **_ORDER, 403: _problem("Not an applicant (forbidden)")},
)
def confirm(
    principal: Principal, order_id: OrderId, body: Annotated[shapes.ConfirmationRequest, Body()]
) -> RectificationView:
    return _service().confirm(principal, order_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/rectifications/<order_id>/decision",
    summary="Decide an unconfirmed answer (supervisor of the region)",
    description="`close`: the answer stands; `redo`: the department rectifies again within a new answer limit.",
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("The order"), **_STEP, **_ORDER, 403: _problem("Not a supervisor (forbidden)")},
)
def decide_rectification(
    principal: Principal, order_id: OrderId, body: Annotated[shapes.RectificationDecisionRequest, Body()]
) -> RectificationView:
    return _service().decide_order(principal, order_id, body, correlation_id=correlation_id())


# --- public -------------------------------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/exposure",
    summary="The exposure column (曝光纠错)",
    description=(
        "Rectified 差评, newest first, with what was done about them. Anonymised: no names, ID numbers, "
        "phones or account ids; the rater's free text only when staff marked it publishable."
    ),
    tags=[PUBLIC_TAG],
    access=Access.PUBLIC,
    responses={200: _ok("A page of entries"), 400: _problem("Bad cursor (invalid_cursor)")},
)
def exposure(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[shapes.ExposureEntry]:
    return _service().exposure(limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/exposure/counts",
    summary="Public rating counts per department and month",
    description=(
        "Ratings by level (upheld appeals excluded), rectifications answered on time and late, per "
        "department, for one month; `region` narrows to a division code prefix."
    ),
    tags=[PUBLIC_TAG],
    access=Access.PUBLIC,
    responses={200: _ok("A page of department counts"), 400: _problem("Bad cursor (invalid_cursor)")},
)
def public_counts(
    month: Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM (Shanghai time).")],
    region: Annotated[str | None, Query(pattern=r"^[1-8][0-9]{1,11}$", description="Region code prefix.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> shapes.CountsPage:
    return _service().public_counts(month, region_prefix=region, limit=limit, cursor=cursor)
