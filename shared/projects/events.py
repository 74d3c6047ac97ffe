"""Events the projects context publishes (source `jszw.projects`), through the
outbox in the same transaction as the change they describe.

| type                 | when                                                      | consumers |
|----------------------|-----------------------------------------------------------|-----------|
| `project.registered` | a project got its code; `procedure` says filing or approval | —       |
| `project.filed`      | the project was filed (备案) at once, its notice available  | —         |

`subject` is the project id. Data never holds a person's name or number.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.platform.events import Envelope, register_event_type
from shared.projects.models import Project

SOURCE = "projects"
REGISTERED = "project.registered"
FILED = "project.filed"


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


register_event_type(
    REGISTERED,
    ProjectFacts,
    "An investment project got its project code (赋码); `state` says filed or approval_required.",
)
register_event_type(
    FILED, ProjectFacts, "An investment project was filed (备案) at once; its filing notice is available."
)


def envelope(event_type: str, project: Project, correlation_id: str | None) -> Envelope:
    data = ProjectFacts(
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
    ).model_dump(mode="json")
    return Envelope(
        type=event_type, source=SOURCE, subject=project.project_id, correlation_id=correlation_id, data=data
    )
