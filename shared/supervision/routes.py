"""The supervision context's HTTP routes (paths fixed by template.yaml,
SupervisionApiFunction). Every route needs a signed-in caller and declares who
may call it in `x-jszw-access` (shared.platform.routing); a supervisor reads
within their region prefix only. Errors are the platform's problem+json body.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.codes.divisions import SCOPE_PREFIX_PATTERN
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import ROLE, Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.supervision.models import Level, WarningView
from shared.supervision.service import SupervisionService, supervision_service

router = APIGatewayRouter()

SUPERVISION_TAG = "Supervision 效能监察"
_NAME = r"^[a-z_]{1,32}$"


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
    region_code: Annotated[
        str | None, Query(pattern=SCOPE_PREFIX_PATTERN, description="Region code or prefix (2, 4, 6, 9 or 12 digits).")
    ] = None,
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
