"""The payment order state machine (缴费订单状态机): one table of allowed transitions.

| from                       | action        | to               | who / what                                  |
|----------------------------|---------------|------------------|---------------------------------------------|
| created, failed            | start_payment | paying           | payer (POST …/pay)                           |
| paying                     | start_payment | paying           | payer again (a new cashier session)          |
| created, paying, failed    | succeed       | paid             | channel callback (HTTP or partner queue)     |
| created, paying            | fail          | failed           | channel callback                             |
| created, paying, failed    | expire        | expired          | expiry sweep                                 |
| created, paying, failed    | cancel        | cancelled        | the case was withdrawn                       |
| expired, cancelled         | paid_late     | refund_requested | a success after expiry/cancellation: kept, refund |
| paid                       | request_refund| refund_requested | operator                                     |
| refund_requested           | refund        | refunded         | operator, once the channel has refunded      |

An order for a fee waiver (total 0) is born `paid` (D-033). Anything not in
the table is refused with 409 `payment.transition_not_allowed`.
"""

from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    CREATED = "created"  # 待缴费
    PAYING = "paying"  # 支付中
    PAID = "paid"  # 已缴费
    FAILED = "failed"  # 支付失败（可重新支付）
    EXPIRED = "expired"  # 已过期
    CANCELLED = "cancelled"  # 已取消
    REFUND_REQUESTED = "refund_requested"  # 待退款
    REFUNDED = "refunded"  # 已退款


class OrderAction(StrEnum):
    START_PAYMENT = "start_payment"  # 发起支付
    SUCCEED = "succeed"  # 支付成功
    FAIL = "fail"  # 支付失败
    EXPIRE = "expire"  # 过期
    CANCEL = "cancel"  # 取消
    PAID_LATE = "paid_late"  # 过期/取消后到账 → 待退款
    REQUEST_REFUND = "request_refund"  # 申请退款
    REFUND = "refund"  # 退款完成


OPEN_STATES = frozenset({OrderState.CREATED, OrderState.PAYING, OrderState.FAILED})
"""Orders that can still be paid (and expire)."""

MONEY_RECEIVED = frozenset({OrderState.PAID, OrderState.REFUND_REQUESTED, OrderState.REFUNDED})

STATE_NAMES: dict[OrderState, str] = {
    OrderState.CREATED: "待缴费",
    OrderState.PAYING: "支付中",
    OrderState.PAID: "已缴费",
    OrderState.FAILED: "支付失败",
    OrderState.EXPIRED: "已过期",
    OrderState.CANCELLED: "已取消",
    OrderState.REFUND_REQUESTED: "待退款",
    OrderState.REFUNDED: "已退款",
}

TRANSITIONS: dict[tuple[OrderState, OrderAction], OrderState] = {
    (OrderState.CREATED, OrderAction.START_PAYMENT): OrderState.PAYING,
    (OrderState.FAILED, OrderAction.START_PAYMENT): OrderState.PAYING,
    (OrderState.PAYING, OrderAction.START_PAYMENT): OrderState.PAYING,
    (OrderState.CREATED, OrderAction.SUCCEED): OrderState.PAID,
    (OrderState.PAYING, OrderAction.SUCCEED): OrderState.PAID,
    (OrderState.FAILED, OrderAction.SUCCEED): OrderState.PAID,
    (OrderState.CREATED, OrderAction.FAIL): OrderState.FAILED,
    (OrderState.PAYING, OrderAction.FAIL): OrderState.FAILED,
    (OrderState.CREATED, OrderAction.EXPIRE): OrderState.EXPIRED,
    (OrderState.PAYING, OrderAction.EXPIRE): OrderState.EXPIRED,
    (OrderState.FAILED, OrderAction.EXPIRE): OrderState.EXPIRED,
    (OrderState.CREATED, OrderAction.CANCEL): OrderState.CANCELLED,
    (OrderState.PAYING, OrderAction.CANCEL): OrderState.CANCELLED,
    (OrderState.FAILED, OrderAction.CANCEL): OrderState.CANCELLED,
    (OrderState.EXPIRED, OrderAction.PAID_LATE): OrderState.REFUND_REQUESTED,
    (OrderState.CANCELLED, OrderAction.PAID_LATE): OrderState.REFUND_REQUESTED,
    (OrderState.PAID, OrderAction.REQUEST_REFUND): OrderState.REFUND_REQUESTED,
    (OrderState.REFUND_REQUESTED, OrderAction.REFUND): OrderState.REFUNDED,
}


class TransitionNotAllowed(ValueError):
    def __init__(self, state: OrderState, action: OrderAction) -> None:
        super().__init__(f"{action.value} not allowed from {state.value}")
        self.state = state
        self.action = action


def next_state(state: OrderState, action: OrderAction) -> OrderState:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionNotAllowed(state, action) from None


def allowed(state: OrderState, action: OrderAction) -> bool:
    return (state, action) in TRANSITIONS


def states_allowing(action: OrderAction) -> frozenset[OrderState]:
    return frozenset(state for (state, act) in TRANSITIONS if act is action)
