"""12345 ticket events → message center (工单消息), kept apart from consumers.py like
case_messages.py.

The requester hears of the answer (and is asked to rate it) and of a reopening. Only
signed-in requesters have an inbox (`notify_subject_id`); a 举报's events carry no
requester at all, and anonymous callers follow their ticket by its number.
"""

from __future__ import annotations

from shared.hotline import events as hotline_events
from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

hotline_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (hotline)")


def _message(facts: hotline_events.TicketFacts, envelope: Envelope, title: str, body: str) -> list[Inbox]:
    if not facts.notify_subject_id:
        return []
    link = f"/hotline/tickets/{facts.ticket_id}"
    return [
        (
            facts.notify_subject_id,
            NewMessage(category=Category.HOTLINE, title=title, body=body, link=link, dedupe_key=envelope.id),
        )
    ]


@hotline_messages.on(hotline_events.ANSWERED, data=hotline_events.TicketFacts)
def _answered(facts: hotline_events.TicketFacts, envelope: Envelope) -> list[Inbox]:
    body = f"您的 12345 诉求（工单号 {facts.number}）已答复，请查看并评价：满意、基本满意或不满意。"
    return _message(facts, envelope, "12345 诉求已答复", body)


@hotline_messages.on(hotline_events.REOPENED, data=hotline_events.TicketFacts)
def _reopened(facts: hotline_events.TicketFacts, envelope: Envelope) -> list[Inbox]:
    body = f"您对工单 {facts.number} 的答复不满意，已退回承办部门重新办理。"
    return _message(facts, envelope, "12345 诉求重新办理", body)
