"""Supervision events → message center (效能监察与督办), kept apart from consumers.py
like case_messages.py: a warning goes to the staff member handling the subject
(none when nobody is assigned yet: the supervisors' list shows it)."""

from __future__ import annotations

from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.supervision import events as supervision_events

supervision_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (supervision)")

LIMIT_NAMES = {
    "promised": "承诺办结期限",
    "legal": "法定办结期限",
    "licence": "发证期限（第44条）",
    "task": "并联审批期限",
}
SUBJECT_NAMES = {"case": "办件", "joint_task": "并联审批任务", "ticket": "12345工单", "rectification": "整改单"}


def subject_link(context: str, subject_kind: str, subject_id: str) -> str | None:
    """Where the portal opens the subject: a case (or a joint task's case) in the cases context."""
    if context == "cases":
        return f"/cases/{subject_id.split(':', 1)[0]}"
    return None


@supervision_messages.on(supervision_events.WARNING_RAISED, data=supervision_events.WarningRaisedData)
def _warning(warning: supervision_events.WarningRaisedData, envelope: Envelope) -> list[Inbox]:
    if warning.handler_subject_id is None:  # nobody assigned yet: supervisors see it in their list
        return []
    colour = "红牌（已超期）" if warning.level == "red" else "黄牌（临近期限）"
    what = SUBJECT_NAMES.get(warning.subject_kind, "事项")
    about = f"（{warning.title}）" if warning.title else ""
    limit = LIMIT_NAMES.get(warning.name, "办理期限")
    body = (
        f"{what} {warning.label}{about}{colour}：{limit} {warning.due_on.isoformat()}，"
        f"已用 {warning.used_days}/{warning.limit_days} 个工作日，剩余 {warning.left_days} 个工作日。"
    )
    message = NewMessage(
        category=Category.SUPERVISION,
        title=f"效能监察预警：{colour}"[:100],
        body=body[:2000],
        link=subject_link(warning.context, warning.subject_kind, warning.subject_id),
        dedupe_key=envelope.id,
    )
    return [(warning.handler_subject_id, message)]
