"""The projects context's HTTP routes (paths fixed by template.yaml, ProjectsApiFunction).

Applicants (a person, or an agent for an enterprise) register investment
projects and read their own; staff of the region's development and reform
commission and the region's supervisors read the region's projects
(`shared.platform.principal.decide`: anyone else gets 404).
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.platform.idempotency import once
from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN, Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.projects.models import (
    PROJECT_ID_PATTERN,
    ChangeNotice,
    FilingNotice,
    Project,
    ProjectChange,
    ProjectChangeRequest,
    ProjectSummary,
    PublicProject,
    RegisterProject,
)
from shared.projects.service import ProjectsService, projects_service

router = APIGatewayRouter()

TAG = "Investment projects 投资项目"
_RECORD = {**SIGNED_IN, 404: _problem("No such project, or not the caller's (projects.project_not_found)")}

ProjectId = Annotated[str, Path(pattern=PROJECT_ID_PATTERN, description="Project id (26 characters).")]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=128, description="Same key and body return the first result."),
]


def _service() -> ProjectsService:
    return projects_service()


@route(
    router,
    "POST",
    "/v1/projects",
    status_code=201,
    summary="Register an investment project (赋码) and file it at once (备案)",
    description=(
        "Gives the project its code (项目代码, layout in docs/decisions.md D-250) and checks it against the "
        "approval catalogue (《政府核准的投资项目目录》). Not in the catalogue: filed at once (`state` filed), "
        "the filing notice PDF ready at `/v1/projects/{project_id}/filing-notice`. In the catalogue: "
        "`state` approval_required with the entry and its source. An agent registers for the enterprise it "
        "acts for. Send `Idempotency-Key` to make retries safe."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    responses={
        201: _ok("The registered project with its code"),
        409: _problem("Codes busy or used up for the year (projects.busy, projects.serials_exhausted)"),
        422: _problem(
            "Unknown region, industry or start year (projects.unknown_region, projects.unknown_industry, "
            "projects.start_year_out_of_range)"
        ),
        **SIGNED_IN,
    },
)
def register_project(
    principal: Principal, body: Annotated[RegisterProject, Body()], idempotency_key: IdempotencyKey = None
) -> Project:
    def produce() -> dict[str, Any]:
        return _service().register(principal, body, correlation_id()).record()

    scope = f"projects.register:{principal.subject_id}:{principal.acting_for}"
    result = once(scope=scope, key=idempotency_key, payload=body.model_dump(mode="json"), produce=produce)
    return Project.model_validate(result)


@route(
    router,
    "GET",
    "/v1/projects/<project_id>",
    summary="Read an investment project",
    description="The project, its code, state and (when it needs approval) the catalogue entry that says so.",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The project"), **_RECORD},
)
def get_project(principal: Principal, project_id: ProjectId) -> Project:
    return _service().project(principal, project_id)


@route(
    router,
    "GET",
    "/v1/projects/<project_id>/filing-notice",
    summary="Download link of a filed project's filing notice (备案证明)",
    description="A short-lived link to the PDF and its SHA-256 (as recorded when the project was filed).",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        200: _ok("The link"),
        409: _problem("The project is not filed (projects.not_filed)"),
        **_RECORD,
    },
)
def filing_notice(principal: Principal, project_id: ProjectId) -> FilingNotice:
    return _service().notice(principal, project_id)


@route(
    router,
    "GET",
    "/v1/projects",
    summary="My investment projects",
    description="The projects the caller registered, newest first, paged (`limit`, opaque `cursor`).",
    tags=[TAG],
    access=Access.APPLICANT,
    responses={200: _ok("A page of the caller's projects"), 400: _problem("Bad cursor (invalid_cursor)"), **SIGNED_IN},
)
def my_projects(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[ProjectSummary]:
    return _service().mine(principal, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/filed-projects",
    summary="Filed investment projects of a division (备案信息公开)",
    description=(
        "Public: the filed projects located in the division and the divisions below it, grouped by division, "
        "newest first within each, paged. No person is named; a natural person's project has no USCC."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    responses={
        200: _ok("A page of filed projects"),
        400: _problem("Bad cursor (invalid_cursor)"),
        422: _problem("Not a Jiangsu division (projects.unknown_region)"),
    },
)
def filed_projects(
    region_code: Annotated[str, Query(pattern=r"^32\d{4}$", description="Division (six digits).")] = "320000",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[PublicProject]:
    return _service().filed(region_code, limit=limit, cursor=cursor)


@route(
    router,
    "POST",
    "/v1/projects/<project_id>/approval",
    status_code=201,
    summary="Open a project's joint approval (核准, 并联审批)",
    description=(
        "For a project the approval catalogue names (`state` approval_required): submits the division's joint "
        "approval case (企业投资项目核准并联审批; nearest division at or above the project's that publishes it) with "
        "the project's data. The development and reform commission leads; land and planning, environmental "
        "assessment and construction permit are parallel tasks on one legal clock (the cases context's joint "
        "approval). The project then follows the case (`approval`): approved when the case is approved and "
        "completed, approval_denied when denied, approval_required again when withdrawn or refused at intake."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        201: _ok("The project with its approval case"),
        404: _problem("No such project, or none of the caller's; no approval item (projects.no_approval_item)"),
        409: _problem(
            "Not awaiting approval, being opened, or changed meanwhile (projects.not_awaiting_approval, "
            "projects.approval_opening, projects.version_conflict)"
        ),
        **SIGNED_IN,
    },
)
def open_approval(principal: Principal, project_id: ProjectId, idempotency_key: IdempotencyKey = None) -> Project:
    def produce() -> dict[str, Any]:
        return _service().open_approval(principal, project_id, correlation_id()).record()

    scope = f"projects.approval:{principal.subject_id}:{project_id}"
    result = once(scope=scope, key=idempotency_key, payload={}, produce=produce)
    return Project.model_validate(result)


@route(
    router,
    "POST",
    "/v1/projects/<project_id>/changes",
    status_code=201,
    summary="Change a filed project (备案变更)",
    description=(
        "A change after filing: a new location, or total investment moved by more than the configured share "
        "(PROJECT_CHANGE_THRESHOLD_PERCENT, 20 %) is a change filing with its own notice "
        "(`/changes/{number}/notice`); a smaller change is recorded as an update without one. The project "
        "code stays. Send `version` to refuse a change to a project that moved on."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        201: _ok("The recorded change"),
        409: _problem(
            "Not filed, changed meanwhile or too many changes (projects.not_filed, projects.version_conflict, "
            "projects.too_many_changes)"
        ),
        422: _problem("Nothing differs, or an unknown division (projects.nothing_changed, projects.unknown_region)"),
        **_RECORD,
    },
)
def change_project(
    principal: Principal, project_id: ProjectId, body: Annotated[ProjectChangeRequest, Body()]
) -> ProjectChange:
    return _service().change(principal, project_id, body, correlation_id())


@route(
    router,
    "GET",
    "/v1/projects/<project_id>/changes/<number>/notice",
    summary="Download link of a change filing notice (备案变更证明)",
    description="A short-lived link to the change filing's PDF and its SHA-256.",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        200: _ok("The link"),
        409: _problem("That change was an update without a notice (projects.no_change_notice)"),
        **SIGNED_IN,
        404: _problem("No such project or change (projects.project_not_found, projects.change_not_found)"),
    },
)
def change_notice(
    principal: Principal,
    project_id: ProjectId,
    number: Annotated[int, Path(ge=1, le=1000, description="The change's number (1 = first).")],
) -> ChangeNotice:
    return _service().change_notice(principal, project_id, number)
