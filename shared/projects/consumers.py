"""What the projects_worker does with each case event it is fed (ProjectCasesQueue, D-307):
the project whose joint approval case it is keeps its view of the case — state, tasks,
decision, legal due date — and moves to approved, denied or back to approval_required.
A case that is no project's is ignored (one read)."""

from __future__ import annotations

from shared.cases import events as case_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.projects.approval_progress import apply
from shared.projects.service import projects_service

projects_consumer: Dispatcher[bool] = Dispatcher("projects_worker")

CASE_EVENTS: dict[str, type[case_events.CaseFacts]] = {
    case_events.SUBMITTED: case_events.SubmittedData,
    case_events.ACCEPTED: case_events.AcceptedData,
    case_events.REFUSED_AT_INTAKE: case_events.ClosedData,
    case_events.WITHDRAWN: case_events.ClosedData,
    case_events.SUSPENDED: case_events.ClockData,
    case_events.RESUMED: case_events.ClockData,
    case_events.EXTENDED: case_events.ClockData,
    case_events.JOINT_TASKS_OPENED: case_events.JointTasksOpenedData,
    case_events.JOINT_TASK_DECIDED: case_events.JointTaskDecidedData,
    case_events.DECIDED: case_events.DecidedData,
    case_events.COMPLETED: case_events.CaseFacts,
}


def _heard(data: case_events.CaseFacts, envelope: Envelope) -> bool:
    return apply(projects_service().repository, data, envelope)


for _type, _data in CASE_EVENTS.items():
    projects_consumer.on(_type, data=_data)(_heard)
