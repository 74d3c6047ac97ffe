"""Payment events in the message center (缴费消息): who is told what."""

from __future__ import annotations

import pytest

from shared.notifications.consumers import HANDLED_EVENT_TYPES, message_for
from shared.notifications.models import Category
from shared.payments import events
from shared.platform.events import Envelope

FACTS = {
    "order_id": "01JDQ9A0000000000000000P01",
    "notice_number": "32011526092100000018",
    "version": 3,
    "state": "paid",
    "stage": "after_approval",
    "case_id": "01JDQ9A0000000000000000C01",
    "case_number": "3201152026092108000001",
    "item_code": "11320115010115012W4000707001002",
    "item_name": "居民身份证换领",
    "department_id": "320115-police",
    "region_code": "320115",
    "amount_fen": 2000,
    "currency": "CNY",
    "non_tax": True,
    "payer_uscc": None,
    "notify_subject_id": "01JDQ90F3W7C8M2T6R4K9N5XA1",
}
EXTRA = {
    events.PAID: {"channel": "jspay", "channel_txn_id": "JSP1", "paid_at": "2026-09-21T10:00:00+08:00"},
    events.EXPIRED: {"reason": "超过缴费期限未缴费"},
    events.REFUND_REQUESTED: {"reason": "订单已过期后到账，应予退款", "channel": "jspay"},
    events.REFUNDED: {"reason": "已原路退回"},
}
TITLES = {
    events.PAID: "缴费成功",
    events.EXPIRED: "缴费订单已过期",
    events.REFUND_REQUESTED: "缴费将退还",
    events.REFUNDED: "退款已完成",
}


@pytest.mark.parametrize("event_type", list(EXTRA))
def test_the_payer_is_told_with_the_notice_number_and_amount(event_type: str) -> None:
    envelope = Envelope(type=event_type, source="payments", subject=FACTS["order_id"], data=FACTS | EXTRA[event_type])
    assert event_type in HANDLED_EVENT_TYPES
    subject, message = message_for(envelope)
    assert subject == FACTS["notify_subject_id"]
    assert (message.category, message.title, message.dedupe_key) == (Category.PAYMENT, TITLES[event_type], envelope.id)
    assert "20.00 元" in message.body or event_type == events.PAID
    assert message.link == f"/payment-orders/{FACTS['order_id']}"


def test_a_waiver_is_told_as_such() -> None:
    data = FACTS | EXTRA[events.PAID] | {"waived": True, "amount_fen": 0, "channel": "waiver"}
    _, message = message_for(Envelope(type=events.PAID, source="payments", subject="x", data=data))
    assert message.title == "费用已免缴"
