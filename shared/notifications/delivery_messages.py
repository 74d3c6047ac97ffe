"""Shipment events → message center (寄递消息), kept apart from consumers.py like
case_messages.py.

`delivery_messages` registers the `shipment.*` types the applicant hears
about; consumers.py includes it in the notifications dispatcher. Messages go
to the natural person who filed (`notify_subject_id`) and link to the case; a
returned shipment also alerts the department's staff member responsible for
the case (`handler_subject_id`, when known) — both inboxes, one event, the
event id as dedupe key in each.
"""

from __future__ import annotations

from shared.delivery import events as delivery_events
from shared.notifications.models import Category, Inbox, NewMessage
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

delivery_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (delivery)")


def _head(facts: delivery_events.ShipmentFacts) -> str:
    contents = "、".join(delivery_events.CONTENT_NAMES.get(c, c) for c in facts.contents) or "办理结果"
    return f"您申报的“{facts.item_name}”（办件编号 {facts.case_number}）的{contents}"


def _message(owner: str, facts: delivery_events.ShipmentFacts, envelope: Envelope, title: str, body: str) -> Inbox:
    link = f"/cases/{facts.case_id}"
    return owner, NewMessage(category=Category.CASE, title=title, body=body, link=link, dedupe_key=envelope.id)


@delivery_messages.on(delivery_events.ACCEPTED, data=delivery_events.ShipmentFacts)
def _accepted(facts: delivery_events.ShipmentFacts, envelope: Envelope) -> list[Inbox]:
    body = f"{_head(facts)}已免费寄出，运单号 {facts.waybill}，收件人 {facts.recipient_masked}。"
    return [_message(facts.notify_subject_id, facts, envelope, "结果已交寄", body)]


@delivery_messages.on(delivery_events.DELIVERY_FAILED, data=delivery_events.ShipmentFacts)
def _delivery_failed(facts: delivery_events.ShipmentFacts, envelope: Envelope) -> list[Inbox]:
    body = f"{_head(facts)}（运单号 {facts.waybill}）派送未成功，快递员将再次派送，请保持电话畅通。"
    return [_message(facts.notify_subject_id, facts, envelope, "快递派送未成功", body)]


@delivery_messages.on(delivery_events.CANCELLED, data=delivery_events.ShipmentFacts)
def _cancelled(facts: delivery_events.ShipmentFacts, envelope: Envelope) -> list[Inbox]:
    body = f"{_head(facts)}寄递已取消，部门将与您联系改为其他送达方式。"
    return [_message(facts.notify_subject_id, facts, envelope, "寄递已取消", body)]


@delivery_messages.on(delivery_events.RETURNED, data=delivery_events.ShipmentFacts)
def _returned(facts: delivery_events.ShipmentFacts, envelope: Envelope) -> list[Inbox]:
    body = f"{_head(facts)}（运单号 {facts.waybill}）未能送达，已退回办理部门。部门将与您联系重新寄递或窗口领取。"
    found = [_message(facts.notify_subject_id, facts, envelope, "快递已退回", body)]
    if facts.handler_subject_id:
        staff_body = (
            f"办件 {facts.case_number}（{facts.item_name}）的寄递（运单号 {facts.waybill}）"
            "已退回，请联系申请人重新寄递或通知窗口领取。"
        )
        found.append(_message(facts.handler_subject_id, facts, envelope, "寄递退回，请处理", staff_body))
    return found


@delivery_messages.on(delivery_events.READY_FOR_PICKUP, data=delivery_events.ReadyForPickupData)
def _ready_for_pickup(facts: delivery_events.ReadyForPickupData, envelope: Envelope) -> list[Inbox]:
    body = (
        f"{_head(facts)}已送达您选择的政务服务大厅（{facts.pickup_hall_id}），取件码 {facts.pickup_code}。"
        "请携带本人身份证，凭取件码到窗口领取；取件码请勿告诉他人。"
    )
    return [_message(facts.notify_subject_id, facts, envelope, "结果待大厅自取", body)]
