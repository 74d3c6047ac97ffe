"""The scenes context's consumer (scene_progress): case events of the cases a scene
application opened (the rule matches only events whose data names one, D-279)
move its progress view; the last finished case completes it."""

from __future__ import annotations

from shared.cases import events as case_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.scenes.service import scenes_service

# every case event that reports a new state of the case
FOLLOWED = (
    case_events.SUBMITTED,
    case_events.PRE_REVIEW_PASSED,
    case_events.SUPPLEMENT_REQUIRED,
    case_events.ACCEPTED,
    case_events.REFUSED_AT_INTAKE,
    case_events.WITHDRAWN,
    case_events.REVIEW_STARTED,
    case_events.SUSPENDED,
    case_events.RESUMED,
    case_events.DECIDED,
    case_events.COMPLETED,
)

scenes_consumer: Dispatcher[bool] = Dispatcher("scene_progress")


@scenes_consumer.on(*FOLLOWED, data=case_events.CaseFacts)
def _case_moved(case: case_events.CaseFacts, envelope: Envelope) -> bool:
    if not case.scene_application_id:
        return False  # not a scene's case (the rule keeps these out; a replay may not)
    return scenes_service().follow_case(
        application_id=case.scene_application_id,
        case_id=case.case_id,
        case_number=case.case_number,
        version=case.version,
        state=case.state,
        correlation_id=envelope.correlation_id or envelope.id,
    )
