"""Approval (核准) of a project on the approval catalogue as ONE joint approval case (D-307).

The owner asks (`open`): the project is claimed (a version-conditional write, so
two requests cannot both open a case), then the `approval_cases` port drafts and
submits the region's joint approval item (企业投资项目核准并联审批: the
development and reform commission leads, one task per co-department — land and
planning, environmental assessment, construction permit — one legal clock), and
the project records the case and links the case to itself, with
`project.approval_opened`, in one transaction.

The cases context then tells how the case goes through its events;
`shared.projects.approval_progress.apply` keeps the project's view of it
(`projects_worker`; a module of its own so that `projects_api` does not load the
case events at cold start, D-315).
"""

from __future__ import annotations

import datetime as dt

from shared.platform.clock import now
from shared.platform.errors import Conflict
from shared.platform.principal import Principal
from shared.projects import events, ports
from shared.projects.errors import APPROVAL_OPENING, NOT_AWAITING_APPROVAL
from shared.projects.models import Approval, Project, ProjectState
from shared.projects.repository import ProjectsRepository

# a claim older than this was left by a request that died between claim and case: it may be taken again
CLAIM_TIMEOUT = dt.timedelta(minutes=5)


def approval_form(project: Project) -> dict[str, object]:
    """The joint item's form: the project's data (the enterprise's own fields are prefilled by identity)."""
    return {
        "project_code": project.code,
        "project_name": project.name,
        "total_investment_fen": project.total_investment_fen,
        "construction_content": project.construction_content,
        "delivery": {"method": "electronic"},
    }


def open_approval(
    repository: ProjectsRepository, principal: Principal, project: Project, correlation_id: str | None
) -> Project:
    at = now()
    claimed_until = project.approval_claimed_at + CLAIM_TIMEOUT if project.approval_claimed_at else None
    if project.state is not ProjectState.APPROVAL_REQUIRED:
        raise Conflict(NOT_AWAITING_APPROVAL, params={"state": project.state.value})
    if claimed_until is not None and claimed_until > at:
        raise Conflict(APPROVAL_OPENING)
    claimed = repository.save(
        project.model_copy(update={"approval_claimed_at": at}), expected_version=project.version, events=[]
    )
    try:
        opened = ports.approval_cases()().open(
            principal, region_code=project.region_code, form=approval_form(project), correlation_id=correlation_id
        )
    except Exception:
        # the case was not submitted: release the claim so the owner can try again at once
        repository.save(
            claimed.model_copy(update={"approval_claimed_at": None}), expected_version=claimed.version, events=[]
        )
        raise
    approval = Approval(
        case_id=opened.case_id,
        case_number=opened.case_number,
        item_code=opened.item_code,
        item_name=opened.item_name,
        lead_department_id=opened.lead_department_id,
        case_state=opened.state,
        case_version=opened.version,
        opened_at=at,
    )
    opening = claimed.model_copy(
        update={"state": ProjectState.APPROVING, "approval": approval, "approval_claimed_at": None}
    )
    return repository.save(
        opening,
        expected_version=claimed.version,
        events=[events.envelope(events.APPROVAL_OPENED, opening, correlation_id)],
        link_case=opened.case_id,
    )
