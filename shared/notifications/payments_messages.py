"""Payment events → message center (缴费消息), kept apart from consumers.py like
the case messages.

`payment_messages` registers one handler per `payment.*` type; consumers.py
includes it in the notifications dispatcher. Every message goes to the
natural person who filed the case (`notify_subject_id`) and links to the order.
"""

from __future__ import annotations

from shared.notifications.models import Category, Inbox, NewMessage
from shared.payments import events as payment_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope

payment_messages: Dispatcher[list[Inbox]] = Dispatcher("notifications (payments)")


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d} 元"


def _message(facts: payment_events.OrderFacts, envelope: Envelope, title: str, body: str) -> list[Inbox]:
    message = NewMessage(
        category=Category.PAYMENT,
        title=title,
        body=body,
        link=f"/payment-orders/{facts.order_id}",
        dedupe_key=envelope.id,
    )
    return [(facts.notify_subject_id, message)]


@payment_messages.on(payment_events.PAID, data=payment_events.PaidData)
def _paid(paid: payment_events.PaidData, envelope: Envelope) -> list[Inbox]:
    head = f"“{paid.item_name}”（办件编号 {paid.case_number}）"
    if paid.waived:
        return _message(paid, envelope, "费用已免缴", f"{head}的费用已依规免缴，办件将继续办理。")
    return _message(
        paid,
        envelope,
        "缴费成功",
        f"您已为{head}缴费 {_yuan(paid.amount_fen)}（缴款码 {paid.notice_number}），办件将继续办理。",
    )


@payment_messages.on(payment_events.EXPIRED, data=payment_events.ClosedData)
def _expired(expired: payment_events.ClosedData, envelope: Envelope) -> list[Inbox]:
    return _message(
        expired,
        envelope,
        "缴费订单已过期",
        f"“{expired.item_name}”（办件编号 {expired.case_number}）的缴费订单（缴款码 "
        f"{expired.notice_number}，{_yuan(expired.amount_fen)}）已超过缴费期限。如需继续办理，可在缴费订单中重新开具后缴费。",
    )


@payment_messages.on(payment_events.REFUND_REQUESTED, data=payment_events.RefundData)
def _refund_requested(refund: payment_events.RefundData, envelope: Envelope) -> list[Inbox]:
    return _message(
        refund,
        envelope,
        "缴费将退还",
        f"“{refund.item_name}”（办件编号 {refund.case_number}）的缴费 {_yuan(refund.amount_fen)}"
        f"（缴款码 {refund.notice_number}）将原路退还。原因：{refund.reason}。",
    )


@payment_messages.on(payment_events.REFUNDED, data=payment_events.RefundData)
def _refunded(refunded: payment_events.RefundData, envelope: Envelope) -> list[Inbox]:
    return _message(
        refunded,
        envelope,
        "退款已完成",
        f"“{refunded.item_name}”（办件编号 {refunded.case_number}）的缴费 {_yuan(refunded.amount_fen)} 已退还。",
    )
