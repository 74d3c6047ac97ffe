"""Appointment events → message center (大厅预约消息), kept apart like rating_messages.py.

- `appointment.reminder_due`: the day before, where and when, and until when it
  may still be cancelled;
- `appointment.no_show`: recorded, and the suspension when it caused one.
The event id is the dedupe key.
"""

from __future__ import annotations

from shared.halls import events as halls_events
from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.clock import SHANGHAI
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

halls_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (halls)")


@halls_messages.on(halls_events.REMINDER_DUE, data=halls_events.AppointmentFacts)
def _reminder(facts: halls_events.AppointmentFacts, envelope: Envelope) -> list[Inbox]:
    starts = facts.starts_at.astimezone(SHANGHAI)
    message = NewMessage(
        category=Category.APPOINTMENT,
        title="预约办事提醒",
        body=(
            f"您预约了明天 {starts:%m月%d日 %H:%M} 到{facts.hall_name or '政务服务大厅'}办事。"
            "到达后请凭预约取号，预约号在本时段内优先叫号；如不能前往，请提前取消，以免记为爽约。"
        ),
        link=f"/appointments/{facts.booking_id}",
        dedupe_key=envelope.id,
    )
    return [(facts.subject_id, message)]


@halls_messages.on(halls_events.NO_SHOW, data=halls_events.AppointmentFacts)
def _no_show(facts: halls_events.AppointmentFacts, envelope: Envelope) -> list[Inbox]:
    starts = facts.starts_at.astimezone(SHANGHAI)
    body = f"您 {starts:%m月%d日 %H:%M} 的大厅预约未到场，已记爽约一次。"
    if facts.suspended_until:
        body += f"因多次爽约，{facts.suspended_until:%Y年%m月%d日} 前不能在线预约。"
    message = NewMessage(
        category=Category.APPOINTMENT,
        title="预约爽约记录",
        body=body,
        link=f"/appointments/{facts.booking_id}",
        dedupe_key=envelope.id,
    )
    return [(facts.subject_id, message)]
