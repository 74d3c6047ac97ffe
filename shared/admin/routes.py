"""The management platform's audit and claim routes (管理平台), served by admin_api.

Operators only; each sees what lies in its area (`operator_may_manage`, D-291). There is
no route that changes or removes an audit entry.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.admin.models import AuditCheck, AuditEntry, ClaimTask
from shared.admin.service import admin_service
from shared.catalog import api as catalog  # `catalog.NewItem` loads with the claim route's first request (D-315)
from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN, Cursor, Limit, ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

router = APIGatewayRouter()

TAG = "Management platform 管理平台"
ClaimId = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{6}\.[a-z0-9][a-z0-9-]{2,47}\.[0-9]{6,16}$",
        description="`<region_code>.<department_id>.<basic_code>`.",
        examples=["320102.320102-civil.000120001000"],
    ),
]


@route(
    router,
    "GET",
    "/v1/admin/audit",
    summary="Read the admin audit log",
    description=(
        "Every administrative action — workforce accounts opened, given a role, disabled, reset, signed out; items "
        "published and retired; caps, synonyms and scenes set; items claimed — newest first, each entry hash-chained "
        "to the one before. The province's operators read every entry, others those of their division. Append-only: "
        "no route changes or removes an entry."
    ),
    tags=[TAG],
    responses={200: ok("One page of entries"), **SIGNED_IN},
    access=Access.OPERATOR,
    scoped=True,
)
def read_audit(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[AuditEntry]:
    return admin_service().audit(principal, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/admin/audit/verify",
    summary="Verify the admin audit log",
    description=(
        "Recomputes the whole chain from its first entry: `valid` false and `broken_at` name the first entry "
        "changed, removed or reordered since it was written (or lost at the end)."
    ),
    tags=[TAG],
    responses={200: ok("The chain check"), **SIGNED_IN},
    access=Access.OPERATOR,
)
def verify_audit() -> AuditCheck:
    return admin_service().verify()


@route(
    router,
    "GET",
    "/v1/admin/claims",
    summary="List claim tasks",
    description=(
        "The claim tasks (事项认领) of the operator's division, ordered by division and department: open ones with "
        "their due date, claimed ones with the implementation created."
    ),
    tags=[TAG],
    responses={200: ok("One page of claim tasks"), **SIGNED_IN},
    access=Access.OPERATOR,
    scoped=True,
)
def list_claims(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[ClaimTask]:
    return admin_service().claims(principal, limit=limit, cursor=cursor)


@route(
    router,
    "POST",
    "/v1/admin/claims/<claim_id>/claim",
    summary="Claim a basic item",
    description=(
        "The department's operator claims the task by creating its implementation of the basic item, as "
        "`POST /v1/items` would (a draft, every catalogue rule checked: 三级四同, codes, caps). Basic code, "
        "department and division must be the task's. Audited; the claim's limit stops."
    ),
    tags=[TAG],
    responses={
        200: ok("The claimed task"),
        **SIGNED_IN,
        404: _problem("No such claim task in your division (admin.claim_not_found)"),
        409: _problem("Claimed already (admin.claim_done)"),
        422: _problem("Not this task's item (admin.claim_mismatch), or the catalogue's refusal (catalog.*)"),
    },
    access=Access.OPERATOR,
    scoped=True,
)
def claim(principal: Principal, claim_id: ClaimId, body: Annotated[catalog.NewItem, Body()]) -> ClaimTask:
    return admin_service().claim(principal, claim_id, body, correlation_id=correlation_id())
