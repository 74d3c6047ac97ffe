"""Events the payments context publishes (source `jszw.payments`), through the
outbox in the same transaction as the change they describe.

| type                        | when                                              | consumers |
|-----------------------------|---------------------------------------------------|-----------|
| `payment.order_created`     | an order opened for a case's fees (缴费通知)        | — |
| `payment.paid`              | paid (channel confirmed) or waived   | case_progress_worker, notifications |
| `payment.failed`            | the channel reported a failed attempt (may retry)  | — |
| `payment.expired`           | the expiry sweep closed an unpaid order            | notifications |
| `payment.cancelled`         | the case was withdrawn before payment              | — |
| `payment.refund_requested`  | money to give back (a success after expiry/cancellation) | notifications |
| `payment.refunded`          | the refund was made                                 | notifications |

`subject` is the order id; every event carries `case_id`, the order `version`
it produced and the inbox to notify (`notify_subject_id`). No names, phones or
ID numbers.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

# the channel's messages register their schemas (payment_channel.*, D-235)
import shared.payments.channel_messages  # noqa: F401
from shared.payments.models import Order
from shared.platform.events import Envelope, make_envelope, register_event_type

SOURCE = "payments"
ORDER_CREATED = "payment.order_created"
PAID = "payment.paid"
FAILED = "payment.failed"
EXPIRED = "payment.expired"
CANCELLED = "payment.cancelled"
REFUND_REQUESTED = "payment.refund_requested"
REFUNDED = "payment.refunded"


class OrderFacts(BaseModel):
    """What every payment event carries."""

    model_config = ConfigDict(defer_build=True)

    order_id: str
    notice_number: str
    version: int
    state: str
    stage: str
    case_id: str
    case_number: str
    item_code: str
    item_name: str
    department_id: str
    region_code: str
    amount_fen: int
    currency: str
    non_tax: bool
    payer_uscc: str | None = None
    notify_subject_id: str


class OrderCreatedData(OrderFacts):
    expires_at: dt.datetime
    waived: bool


class PaidData(OrderFacts):
    channel: str
    channel_txn_id: str | None = None
    paid_at: dt.datetime
    waived: bool = False


class FailedData(OrderFacts):
    channel: str
    channel_txn_id: str
    reason: str | None = None


class ClosedData(OrderFacts):
    """Expired or cancelled."""

    reason: str


class RefundData(OrderFacts):
    reason: str
    channel: str | None = None
    channel_txn_id: str | None = None


register_event_type(ORDER_CREATED, OrderCreatedData, "A payment order was opened for a case's fees (缴费通知).")
register_event_type(PAID, PaidData, "A payment order was paid (缴费成功) or waived; its case moves on.")
register_event_type(FAILED, FailedData, "The channel reported a failed payment attempt; the payer may try again.")
register_event_type(EXPIRED, ClosedData, "An unpaid payment order expired (已过期).")
register_event_type(CANCELLED, ClosedData, "An unpaid payment order was cancelled (its case was withdrawn).")
register_event_type(
    REFUND_REQUESTED,
    RefundData,
    "Money received must be refunded (a success after expiry or cancellation, or an operator's request).",
)
register_event_type(REFUNDED, RefundData, "A refund was made (已退款).")


def facts(order: Order) -> dict[str, object]:
    return OrderFacts(
        order_id=order.order_id,
        notice_number=order.notice_number,
        version=order.version,
        state=order.state.value,
        stage=order.stage.value,
        case_id=order.case_id,
        case_number=order.case_number,
        item_code=order.item_code,
        item_name=order.item_name,
        department_id=order.department_id,
        region_code=order.region_code,
        amount_fen=order.amount_fen,
        currency=order.currency,
        non_tax=order.non_tax,
        payer_uscc=order.payer_uscc,
        notify_subject_id=order.notify_subject_id,
    ).model_dump(mode="json")


def envelope(event_type: str, order: Order, data: BaseModel, correlation_id: str | None) -> Envelope:
    return make_envelope(SOURCE, event_type, order.order_id, data, correlation_id)
