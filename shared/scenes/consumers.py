"""The scenes context's consumer (scene_progress): case events of the cases a scene
application opened (the rule matches only events whose data names one, D-279)
move its progress view; the last finished case completes it."""

from __future__ import annotations

from shared.cases import events as case_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.scenes.service import scenes_service

# every case event that moves a case (the cases context's one list; its rule in template.yaml names the same)
FOLLOWED = case_events.MOVES

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
