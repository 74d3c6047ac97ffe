"""The projects context's HTTP routes (paths fixed by template.yaml, ProjectsApiFunction).

Applicants (a person, or an agent for an enterprise) register investment
projects and read their own; staff of the region's development and reform
commission and the region's supervisors read the region's projects
(`shared.platform.principal.decide`: anyone else gets 404).
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.platform.idempotency import once
from shared.platform.observability import correlation_id
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import SIGNED_IN
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.projects.models import PROJECT_ID_PATTERN, FilingNotice, Project, RegisterProject
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
