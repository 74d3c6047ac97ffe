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
    "pickup": "大厅自取期限",
}
SUBJECT_NAMES = {
    "case": "办件",
    "joint_task": "并联审批任务",
    "ticket": "12345工单",
    "rectification": "整改单",
    "order": "督办单",
    "shipment": "待自取结果",
}


def subject_link(context: str, subject_kind: str, subject_id: str) -> str | None:
    """Where the portal opens the subject: a case (or a joint task's case) in the cases context."""
    if context == "cases":
        return f"/cases/{subject_id.split(':', 1)[0]}"
    return None


def _pickup_reminder(warning: supervision_events.WarningRaisedData, envelope: Envelope, applicant: str) -> Inbox:
    """A result waiting at a hall (D-276): the limit's handler is the applicant, the one who must
    act, so they get a reminder in the applicant's words rather than a supervision warning."""
    if warning.level == "red":
        title = "办理结果待自取已超期"
        when = f"已超过领取期限（{warning.due_on.isoformat()}），请尽快"
    else:
        title = "请尽快到大厅领取办理结果"
        when = f"请于 {warning.due_on.isoformat()} 前"
    body = (
        f"您申报的“{warning.title or '事项'}”（办件编号 {warning.label}）的办理结果在所选政务服务大厅等候领取，"
        f"{when}携带身份证和取件码（见“结果待大厅自取”消息）到大厅领取。"
    )
    message = NewMessage(category=Category.CASE, title=title, body=body[:2000], link=None, dedupe_key=envelope.id)
    return applicant, message


@supervision_messages.on(supervision_events.WARNING_RAISED, data=supervision_events.WarningRaisedData)
def _warning(warning: supervision_events.WarningRaisedData, envelope: Envelope) -> list[Inbox]:
    if warning.handler_subject_id is None:  # nobody assigned yet: supervisors see it in their list
        return []
    if (warning.context, warning.subject_kind, warning.name) == ("delivery", "shipment", "pickup"):
        return [_pickup_reminder(warning, envelope, warning.handler_subject_id)]
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


def _order_message(order: supervision_events.OrderFacts, envelope: Envelope, title: str, body: str) -> NewMessage:
    return NewMessage(
        category=Category.SUPERVISION,
        title=title[:100],
        body=body[:2000],
        link=f"/supervision/orders/{order.order_id}",
        dedupe_key=envelope.id,
    )


def _about(order: supervision_events.OrderFacts) -> str:
    what = SUBJECT_NAMES.get(order.subject_kind, "事项")
    return f"{what} {order.label}" + (f"（{order.title}）" if order.title else "")


@supervision_messages.on(supervision_events.ORDER_ISSUED, data=supervision_events.OrderFacts)
def _order_issued(order: supervision_events.OrderFacts, envelope: Envelope) -> list[Inbox]:
    if order.handler_subject_id is None:  # the department's work queue shows it
        return []
    body = f"{_about(order)}被督办：{order.note or ''}。请于 {order.due_on.isoformat()} 前回复办理情况。"
    return [(order.handler_subject_id, _order_message(order, envelope, "督办通知", body))]


@supervision_messages.on(supervision_events.ORDER_REPLIED, data=supervision_events.OrderFacts)
def _order_replied(order: supervision_events.OrderFacts, envelope: Envelope) -> list[Inbox]:
    body = f"{_about(order)}的督办单已回复：{order.note or ''}"
    return [(order.issued_by, _order_message(order, envelope, "督办回复", body))]


@supervision_messages.on(supervision_events.ORDER_ESCALATED, data=supervision_events.OrderFacts)
def _order_escalated(order: supervision_events.OrderFacts, envelope: Envelope) -> list[Inbox]:
    if order.handler_subject_id is None:
        return []
    level = {"city": "市级", "province": "省级"}.get(order.level, "上级")
    body = f"{_about(order)}的督办单已升级为{level}督办：{order.note or ''}。请于 {order.due_on.isoformat()} 前回复。"
    return [(order.handler_subject_id, _order_message(order, envelope, f"督办升级：{level}督办", body))]


@supervision_messages.on(supervision_events.ORDER_CLOSED, data=supervision_events.OrderFacts)
def _order_closed(order: supervision_events.OrderFacts, envelope: Envelope) -> list[Inbox]:
    if order.handler_subject_id is None:
        return []
    body = f"{_about(order)}的督办单已办结：{order.note or ''}"
    return [(order.handler_subject_id, _order_message(order, envelope, "督办办结", body))]
