"""The project's view of its approval case (D-307), kept from the cases context's events by
`projects_worker`. Events may come twice or out of order: task outcomes and the decision are
facts that only ever get set, the case state moves only forward (by case version), and the
project's state is derived from the whole view, so a repeated or late delivery changes nothing it
should not, and a delivery that changes nothing writes nothing."""

from __future__ import annotations

from shared.cases import events as case_events
from shared.platform.clock import now
from shared.platform.events import Envelope
from shared.projects import events
from shared.projects.models import Approval, ApprovalTask, ProjectState, TaskState
from shared.projects.repository import ProjectsRepository

CLOSED_UNDECIDED = frozenset({"withdrawn", "refused_at_intake"})


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
