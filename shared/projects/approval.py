"""Approval (核准) of a project on the approval catalogue as ONE joint approval case (D-307).

The owner asks (`open`): the project is claimed (a version-conditional write, so
two requests cannot both open a case), then the `approval_cases` port drafts and
submits the region's joint approval item (企业投资项目核准并联审批: the
development and reform commission leads, one task per co-department — land and
planning, environmental assessment, construction permit — one legal clock), and
the project records the case and links the case to itself, with
`project.approval_opened`, in one transaction.

The cases context then tells how the case goes through its events; `apply`
keeps the project's view of it (`projects_worker`). Events may come twice or out
of order: task outcomes and the decision are facts that only ever get set, the
case state moves only forward (by case version), and the project's state is
derived from the whole view, so a repeated or late delivery changes nothing it
should not, and a delivery that changes nothing writes nothing.
"""

from __future__ import annotations

import datetime as dt

from shared.cases import events as case_events
from shared.platform.clock import now
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.platform.principal import Principal
from shared.projects import events, ports
from shared.projects.errors import APPROVAL_OPENING, NOT_AWAITING_APPROVAL
from shared.projects.models import Approval, ApprovalTask, Project, ProjectState, TaskState
from shared.projects.repository import ProjectsRepository

# a claim older than this was left by a request that died between claim and case: it may be taken again
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
CLOSED_UNDECIDED = frozenset({"withdrawn", "refused_at_intake"})


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


def _state(approval: Approval) -> ProjectState:
    if approval.outcome == "denied":
        return ProjectState.APPROVAL_DENIED
    if approval.outcome == "approved" and approval.case_state == "completed":
        return ProjectState.APPROVED
    if approval.case_state in CLOSED_UNDECIDED:
        return ProjectState.APPROVAL_REQUIRED
    return ProjectState.APPROVING


def _tasks(approval: Approval, data: case_events.CaseFacts) -> list[ApprovalTask]:
    tasks = {task.department_id: task.state for task in approval.tasks}
    if isinstance(data, case_events.JointTasksOpenedData):
        for department in data.departments:
            tasks.setdefault(department, TaskState.OPEN)
    if isinstance(data, case_events.JointTaskDecidedData):
        tasks[data.task_department_id] = TaskState(data.outcome)
    return [ApprovalTask(department_id=department, state=state) for department, state in tasks.items()]


def updated_view(approval: Approval, data: case_events.CaseFacts) -> Approval:
    """The view after hearing `data` (unchanged when it tells nothing new)."""
    newer = data.version > approval.case_version
    update: dict[str, object] = {"tasks": _tasks(approval, data)}
    if newer:
        update |= {"case_state": data.state, "case_version": data.version}
    if isinstance(data, case_events.DecidedData):
        update["outcome"] = data.outcome
    deadlines = getattr(data, "deadlines", None)
    # one transaction may tell several events of one version (accepted + joint_tasks_opened)
    if deadlines is not None and data.version >= approval.case_version:
        update["legal_due_on"] = deadlines.legal_due_on
    return approval.model_copy(update=update)


OUTCOME_EVENTS = {
    ProjectState.APPROVED: events.APPROVED,
    ProjectState.APPROVAL_DENIED: events.APPROVAL_DENIED,
    ProjectState.APPROVAL_REQUIRED: events.APPROVAL_CLOSED,
}


def apply(repository: ProjectsRepository, data: case_events.CaseFacts, envelope: Envelope) -> bool:
    """Hear one case event; True when the project's view changed. Another case's event is ignored."""
    project_id = repository.project_for_case(data.case_id)
    project = repository.project(project_id) if project_id else None
    if project is None or project.approval is None or project.approval.case_id != data.case_id:
        return False
    approval = updated_view(project.approval, data)
    if approval == project.approval:
        return False  # a repeated or stale delivery
    state = _state(approval)
    update: dict[str, object] = {"approval": approval, "state": state}
    if state is ProjectState.APPROVED and project.approved_at is None:
        update["approved_at"] = now()
    after = project.model_copy(update=update)
    told = OUTCOME_EVENTS.get(state) if state is not project.state else None
    happened = [events.envelope(told, after, envelope.correlation_id or envelope.id)] if told else []
    repository.save(after, expected_version=project.version, events=happened)
    return True
