"""A department's own business system (部门业务系统) acting on a case (issue 19).

The exchange context verifies a department system's signed message and calls
`act_as_department_system`; the step then goes through the SAME use cases as a
member of staff at the work queue (accept, start the review, decide, 办结), with
the same state machine, scope checks and events. The system acts as staff of
the one department (and region) it is registered for; the timeline names it.
"""

from __future__ import annotations

from typing import Literal

from shared.cases.models import AcceptRequest, DecideRequest, DecisionOutcome
from shared.cases.service import cases_service
from shared.platform.principal import Principal, Role

Step = Literal["accepted", "review_started", "decided", "completed", "licence_issued"]


def act_as_department_system(
    system_id: str,
    department_id: str,
    region_code: str,
    case_id: str,
    step: Step,
    *,
    note: str | None = None,
    outcome: Literal["approved", "denied"] | None = None,
    reason: str | None = None,
    correlation_id: str | None,
) -> str:
    """Apply `step` to the case as the department system `system_id`; the case's new state
    (`licence_issued` applies nothing: the case's state, once its scope is checked).
    Raises the cases context's own errors (404/403 not this department's case, 409 wrong state)."""
    principal = Principal(
        subject_id=f"system:{system_id}", role=Role.STAFF, department_id=department_id, region_code=region_code
    )
    service = cases_service()
    if step == "licence_issued":
        # 证照 changes no state (D-300): only that the case is this department's, read as its staff would
        return service.summary(principal, case_id).state
    if step == "decided":
        decision = DecideRequest(outcome=DecisionOutcome(outcome or ""), reason=reason or "")
        return service.decide(principal, case_id, decision, correlation_id=correlation_id).state
    request = AcceptRequest(note=note)
    act = {
        "accepted": service.accept,
        "review_started": service.start_review,
        "completed": service.complete,
    }[step]
    return act(principal, case_id, request, correlation_id=correlation_id).state
