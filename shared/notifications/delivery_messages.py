"""Shipment events → message center (寄递消息), kept apart from consumers.py like
case_messages.py.

`consumers.messages_for` uses `delivery_messages_for` for the `shipment.*`
types in `DELIVERY_EVENT_TYPES`. Messages go to the natural person who filed
(`notify_subject_id`) and link to the case; a returned shipment also alerts
the department's staff member responsible for the case (`handler_subject_id`,
when known) — both inboxes, one event, the event id as dedupe key in each.
"""

from __future__ import annotations

from shared.delivery import events as delivery_events
from shared.notifications.models import Category, NewMessage
from shared.platform.events import Envelope

DELIVERY_EVENT_TYPES = (
    delivery_events.ACCEPTED,
    delivery_events.DELIVERY_FAILED,
    delivery_events.RETURNED,
    delivery_events.CANCELLED,
)


def _contents(facts: delivery_events.ShipmentFacts) -> str:
    return "、".join(delivery_events.CONTENT_NAMES.get(c, c) for c in facts.contents) or "办理结果"


def delivery_messages_for(envelope: Envelope) -> list[tuple[str, NewMessage]] | None:
    """Inbox owners and messages for a shipment event; None for other types."""
    if envelope.type not in DELIVERY_EVENT_TYPES:
        return None
    facts = delivery_events.ShipmentFacts.model_validate(envelope.data)
    head = f"您申报的“{facts.item_name}”（办件编号 {facts.case_number}）的{_contents(facts)}"
    link = f"/cases/{facts.case_id}"

    def to_applicant(title: str, body: str) -> tuple[str, NewMessage]:
        message = NewMessage(category=Category.CASE, title=title, body=body, link=link, dedupe_key=envelope.id)
        return facts.notify_subject_id, message

    match envelope.type:
        case delivery_events.ACCEPTED:
            body = f"{head}已免费寄出，运单号 {facts.waybill}，收件人 {facts.recipient_masked}。"
            return [to_applicant("结果已交寄", body)]
        case delivery_events.DELIVERY_FAILED:
            return [
                to_applicant(
                    "快递派送未成功",
                    f"{head}（运单号 {facts.waybill}）派送未成功，快递员将再次派送，请保持电话畅通。",
                )
            ]
        case delivery_events.CANCELLED:
            return [to_applicant("寄递已取消", f"{head}寄递已取消，部门将与您联系改为其他送达方式。")]
        case _:  # returned
            found = [
                to_applicant(
                    "快递已退回",
                    f"{head}（运单号 {facts.waybill}）未能送达，已退回办理部门。部门将与您联系重新寄递或窗口领取。",
                )
            ]
            if facts.handler_subject_id:
                found.append(
                    (
                        facts.handler_subject_id,
                        NewMessage(
                            category=Category.CASE,
                            title="寄递退回，请处理",
                            body=(
                                f"办件 {facts.case_number}（{facts.item_name}）的寄递（运单号 {facts.waybill}）"
                                "已退回，请联系申请人重新寄递或通知窗口领取。"
                            ),
                            link=link,
                            dedupe_key=envelope.id,
                        ),
                    )
                )
            return found
