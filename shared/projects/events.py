"""Events the projects context publishes (source `jszw.projects`), through the
outbox in the same transaction as the change they describe.

| type                 | when                                                      | consumers |
|----------------------|-----------------------------------------------------------|-----------|
| `project.registered` | a project got its code; `procedure` says filing or approval | —       |
| `project.filed`      | the project was filed (备案) at once, its notice available  | —         |
| `project.approval_opened` | its joint approval case was submitted (核准, D-307)    | —         |
| `project.approved`   | the joint case was approved and completed (已核准)           | —         |
| `project.approval_denied` | the lead department denied the approval (不予核准)      | —         |
| `project.approval_closed` | the joint case ended undecided (withdrawn, refused at intake) | —   |
| `project.changed`    | a change after filing: a change filing with its notice, or an update | — |

`subject` is the project id. Data never holds a person's name or number.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.platform.events import Envelope, make_envelope, register_event_type
from shared.projects.models import Project

SOURCE = "projects"
REGISTERED = "project.registered"
FILED = "project.filed"
APPROVAL_OPENED = "project.approval_opened"
APPROVED = "project.approved"
APPROVAL_DENIED = "project.approval_denied"
APPROVAL_CLOSED = "project.approval_closed"
CHANGED = "project.changed"


class ProjectFacts(BaseModel):
    model_config = ConfigDict(defer_build=True)

    project_id: str
    code: str
    name: str
    region_code: str
    industry: str
    total_investment_fen: int
    state: str
    enterprise_uscc: str
    notify_subject_id: str
    catalogue_entry: str | None = None
    # the joint approval case (核准), once opened
    case_id: str | None = None
    case_number: str | None = None


class ChangeFacts(ProjectFacts):
    number: int
    kind: str  # change_filing | update
    changed_fields: list[str]


register_event_type(
    REGISTERED,
    ProjectFacts,
    "An investment project got its project code (赋码); `state` says filed or approval_required.",
)
register_event_type(
    FILED, ProjectFacts, "An investment project was filed (备案) at once; its filing notice is available."
)

register_event_type(
    APPROVAL_OPENED,
    ProjectFacts,
    "A project's joint approval case (并联审批) was submitted; the cases context runs it.",
)
register_event_type(APPROVED, ProjectFacts, "A project's joint approval case was approved and completed (已核准).")
register_event_type(APPROVAL_DENIED, ProjectFacts, "The lead department denied the project's approval (不予核准).")
register_event_type(
    APPROVAL_CLOSED,
    ProjectFacts,
    "A project's joint approval case ended undecided (withdrawn or refused at intake); it may open another.",
)
register_event_type(
    CHANGED,
    ChangeFacts,
    "A filed project changed: a change filing (备案变更) with its notice, or an update within the threshold.",
)


def facts(project: Project) -> dict[str, object]:
    return ProjectFacts(
        project_id=project.project_id,
        code=project.code,
        name=project.name,
        region_code=project.region_code,
        industry=project.industry,
        total_investment_fen=project.total_investment_fen,
        state=project.state.value,
        enterprise_uscc=project.enterprise_uscc,
        notify_subject_id=project.owner_subject_id,
        catalogue_entry=project.catalogue_entry,
        case_id=project.approval.case_id if project.approval else None,
        case_number=project.approval.case_number if project.approval else None,
    ).model_dump(mode="json")


def envelope(event_type: str, project: Project, correlation_id: str | None, data: BaseModel | None = None) -> Envelope:
    return make_envelope(
        SOURCE, event_type, project.project_id, facts(project) if data is None else data, correlation_id
    )
