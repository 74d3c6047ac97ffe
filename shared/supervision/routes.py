"""The supervision context's HTTP routes (paths fixed by template.yaml,
SupervisionApiFunction). Every route needs a signed-in caller and declares who
may call it in `x-jszw-access` (shared.platform.routing); a supervisor reads
within their region prefix only. Errors are the platform's problem+json body.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.codes.divisions import SCOPE_PREFIX_PATTERN
from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import ROLE, Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.supervision.models import (
    CloseRequest,
    Level,
    NewOrder,
    OrderDetail,
    OrderReplyRequest,
    OrderState,
    SupervisionOrder,
    WarningView,
)
from shared.supervision.service import SupervisionService, supervision_service

router = APIGatewayRouter()

SUPERVISION_TAG = "Supervision 效能监察"
_NAME = r"^[a-z_]{1,32}$"
RegionFilter = Annotated[
    str | None, Query(pattern=SCOPE_PREFIX_PATTERN, description="Region code or prefix (2, 4, 6, 9 or 12 digits).")
]


def _service() -> SupervisionService:
    return supervision_service()


@route(
    router,
    "GET",
    "/v1/supervision/warnings",
    summary="Deadline warnings (效能监察预警)",
    description=(
        "Yellow and red warnings raised by the supervision sweep within the supervisor's region prefix, against "
        "any limit a context publishes: a case's legal and promised (承诺) limits, a joint task's limit, the Art. 44 "
        "licence limit, a 12345 ticket's, a rectification's or a supervision order's (`subject_kind`, `name`). "
        "Optionally narrowed to a region, a department, a level, a subject kind and a limit name. Only open "
        "warnings: a warning is resolved (and leaves this list) when its limit is cleared — the case is decided or "
        "withdrawn, the joint task's opinion given, the ticket answered. Paged with `limit` and the opaque "
        "`cursor`, city by city, newest first within a city."
    ),
    tags=[SUPERVISION_TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("A page of open warnings"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def warnings(
    principal: Principal,
    region_code: RegionFilter = None,
    department_id: Annotated[str | None, Query(max_length=64, description="Department id.")] = None,
    level: Annotated[Level | None, Query(description="yellow or red.")] = None,
    subject_kind: Annotated[
        str | None, Query(pattern=_NAME, description="case, joint_task, ticket, rectification, order, …")
    ] = None,
    name: Annotated[
        str | None, Query(pattern=_NAME, description="Which limit: legal, promised, task, licence, answer, reply, …")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[WarningView]:
    return _service().warnings.list(
        principal,
        region_code=region_code,
        filters={
            "department_id": department_id,
            "level": level.value if level else None,
            "subject_kind": subject_kind,
            "name": name,
        },
        limit=limit,
        cursor=cursor,
    )


@route(
    router,
    "GET",
    "/v1/supervision/department-warnings",
    summary="My department's open deadline warnings (预警待办)",
    description=(
        "Staff: the open yellow and red warnings on limits their department is responsible for (cases, joint "
        "tasks, tickets, rectifications), within their region, newest first; the same records supervisors list. A "
        "warning leaves the list when its limit is cleared. Paged with `limit` and the opaque `cursor`."
    ),
    tags=[SUPERVISION_TAG],
    access=Access.STAFF,
    responses={200: _ok("A page of open warnings"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def department_warnings(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[WarningView]:
    return _service().warnings.list_for_department(principal, limit=limit, cursor=cursor)


# --- supervision orders (督办单) ---------------------------------------------------------------

ORDERS_TAG = "Supervision orders 督办"
OrderId = Annotated[str, Path(pattern=r"^[0-9A-Z]{26}$", description="Order id (26 characters).")]
_ORDER = {
    401: _problem("Not signed in (unauthorized)"),
    403: _problem("Not allowed for this role or level (forbidden, supervision.not_the_holder)"),
    404: _problem("No such order, or outside the caller's region or department (supervision.order_not_found)"),
}
_ORDER_CONFLICT = {
    409: _problem(
        "Wrong state, or changed meanwhile (supervision.order_not_open, supervision.order_changed_concurrently)"
    )
}


@route(
    router,
    "POST",
    "/v1/supervision/orders",
    status_code=201,
    summary="Issue a supervision order (督办单)",
    description=(
        "A supervisor presses the responsible department on a case, a joint task (`<case_id>:<department_id>`), a "
        "12345 ticket or a rectification order of their region, with a reason and a reply limit in working days. "
        "The subject must have a limit supervision knows of (404 otherwise, or when outside the region) that still "
        "runs (409 `supervision.subject_closed` for a case already decided). The department's staff see it in "
        "their work queue and message center. Unanswered past its limit it goes to the level above "
        "(county → city → province), once per level."
    ),
    tags=[ORDERS_TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={
        201: _ok("The order issued, with its timeline"),
        404: _problem("No such subject in the caller's region (supervision.subject_not_found)"),
        409: _problem("The subject is already dealt with (supervision.subject_closed)"),
        **ROLE,
    },
)
def issue_order(principal: Principal, body: Annotated[NewOrder, Body()]) -> OrderDetail:
    return _service().orders.issue(principal, body, correlation_id=correlation_id())


@route(
    router,
    "GET",
    "/v1/supervision/orders",
    summary="Supervision orders of the region (督办单)",
    description=(
        "Orders on subjects within the supervisor's region prefix (a county supervisor its county, a city "
        "supervisor its city and counties), optionally narrowed to a sub-region and a state; newest first, "
        "city by city, paged with `limit` and the opaque `cursor`."
    ),
    tags=[ORDERS_TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("A page of orders"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def orders(
    principal: Principal,
    region_code: RegionFilter = None,
    state: Annotated[OrderState | None, Query(description="open, replied or closed.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[SupervisionOrder]:
    return _service().orders.list_for_supervisor(
        principal, region_code=region_code, state=state.value if state else None, limit=limit, cursor=cursor
    )


@route(
    router,
    "GET",
    "/v1/supervision/department-orders",
    summary="My department's supervision orders (督办待办)",
    description="Staff: the orders addressed to their department that are not closed yet, newest first.",
    tags=[ORDERS_TAG],
    access=Access.STAFF,
    responses={200: _ok("A page of orders"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def department_orders(
    principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[SupervisionOrder]:
    return _service().orders.list_for_department(principal, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/supervision/orders/<order_id>",
    summary="A supervision order with its timeline",
    description=(
        "The order and its hash-chained timeline (`timeline_valid` says every entry verifies). Supervisors of the "
        "subject's region and the responsible department's staff; 404 for anyone else."
    ),
    tags=[ORDERS_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The order"), **_ORDER},
)
def get_order(principal: Principal, order_id: OrderId) -> OrderDetail:
    return _service().orders.get(principal, order_id)


@route(
    router,
    "POST",
    "/v1/supervision/orders/<order_id>/reply",
    summary="Reply to a supervision order (督办回复)",
    description="The responsible department's staff say what was done and by when; the reply limit stops.",
    tags=[ORDERS_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The replied order"), **_ORDER, **_ORDER_CONFLICT},
)
def reply_order(principal: Principal, order_id: OrderId, body: Annotated[OrderReplyRequest, Body()]) -> OrderDetail:
    return _service().orders.reply(principal, order_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/supervision/orders/<order_id>/close",
    summary="Close a supervision order as satisfied, or escalate it",
    description=(
        "A supervisor of the holding level (or above) closes a replied order as `satisfied`, or `escalate`s it to "
        "the level above with a new reply limit. Conditional on the order's version: of two supervisors closing "
        "at once, one wins and the other gets 409."
    ),
    tags=[ORDERS_TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("The closed or escalated order"), **_ORDER, **_ORDER_CONFLICT},
)
def close_order(principal: Principal, order_id: OrderId, body: Annotated[CloseRequest, Body()]) -> OrderDetail:
    return _service().orders.close(principal, order_id, body, correlation_id=correlation_id())
