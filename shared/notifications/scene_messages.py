"""Scene application events → message center (一件事消息), kept apart like halls_messages.py.

- `scene_application.completed`: every case of the scene is finished; how many
  were completed (办结) and where to see each.
Each case's own progress reaches the applicant as case messages. The event id is
the dedupe key.
"""

from __future__ import annotations

from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.scenes import events as scene_events

scene_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (scenes)")


@scene_messages.on(scene_events.COMPLETED, data=scene_events.SceneCompletedData)
def _completed(facts: scene_events.SceneCompletedData, envelope: Envelope) -> list[Inbox]:
    others = facts.cases - facts.completed
    body = f"您申请的一件事“{facts.scene_name}”涉及的 {facts.cases} 个事项均已办理完毕"
    body += f"，其中 {others} 个未办结（不予受理或已撤回），详见各办件。" if others else "，全部办结。"
    message = NewMessage(
        category=Category.CASE,
        title=f"一件事“{facts.scene_name}”已办完",
        body=body,
        link=f"/scene-applications/{facts.application_id}",
        dedupe_key=envelope.id,
    )
    return [(facts.notify_subject_id, message)]
