"""The one handler for channel results (支付结果通知), whichever way they come:
the signed HTTP webhook (payment_callbacks) or the channel's partner queue
(payment_channel_events). Keyed by the channel's transaction id:

1. one BatchGetItem reads the order and the transaction's record;
2. a transaction seen before → `duplicate`, nothing written;
3. otherwise one TransactWriteItems writes the transaction record
   (`attribute_not_exists`: a concurrent duplicate loses here and is a
   duplicate too), the order's change (conditional on its version) and its
   events; or, when the result cannot be applied, the record and an exception
   for operators.

Rules:
- success, order open → `paid` + `payment.paid` (the case moves on);
- success, order expired or cancelled → kept: `refund_requested` +
  `payment.refund_requested`, and a `paid_after_close` exception;
- success, order already paid by another transaction → a `duplicate_payment`
  exception flagged for refund (the order stays paid);
- amount, currency, notice number or payer differing from the order → an
  exception, never applied (the payer is not checked for statement lines,
  which carry none);
- failure, order created or paying → `failed` (the payer may pay again);
  failure for an order past that → recorded only.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from shared.payments import events
from shared.payments.errors import CHANGED_CONCURRENTLY
from shared.payments.models import (
    CURRENCY,
    CallbackAck,
    CallbackResult,
    ChannelNotice,
    ExceptionKind,
    Order,
    Outcome,
    PaymentException,
    TransactionRecord,
    Via,
)
from shared.payments.repository import PaymentsRepository, TransactionSeen
from shared.payments.service import moved
from shared.payments.states import OrderAction, OrderState, allowed
from shared.platform.clock import now
from shared.platform.errors import Conflict
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics

_ATTEMPTS = 4


def _mismatch(order: Order, notice: ChannelNotice, via: Via) -> tuple[ExceptionKind, str] | None:
    if notice.currency != CURRENCY or notice.currency != order.currency:
        return ExceptionKind.CURRENCY_MISMATCH, f"currency {notice.currency[:8]!r}, order {order.currency}"
    if notice.amount_fen != order.amount_fen:
        return ExceptionKind.AMOUNT_MISMATCH, f"amount {notice.amount_fen} fen, order {order.amount_fen} fen"
    if notice.notice_number and notice.notice_number != order.notice_number:
        return ExceptionKind.NOTICE_MISMATCH, "notice number differs from the order's"
    if via is not Via.STATEMENT and notice.payer_id != order.payer_subject_id:
        return ExceptionKind.PAYER_MISMATCH, "payer differs from the order's"
    return None


class CallbackHandler:
    def __init__(self, repository: PaymentsRepository | None = None) -> None:
        self.repository = repository or PaymentsRepository()

    def handle(self, notice: ChannelNotice, raw: str, via: Via, correlation_id: str | None) -> CallbackAck:
        """Apply one channel result exactly once; safe to call again with the same one."""
        for _ in range(_ATTEMPTS):
            try:
                result = self._once(notice, raw, via, correlation_id)
            except TransactionSeen:
                result = CallbackResult.DUPLICATE
            except Conflict as exc:
                if exc.code == CHANGED_CONCURRENTLY:
                    continue  # the order changed between our read and write: read again
                raise
            metrics().add_metric(name=f"PaymentCallback_{result.value}", unit=MetricUnit.Count, value=1)
            logger().info(
                "payment callback",
                extra={
                    "order_id": notice.order_id,
                    "channel": notice.channel,
                    "txn_id": notice.txn_id,
                    "outcome": notice.outcome.value,
                    "via": via.value,
                    "result": result.value,
                },
            )
            return CallbackAck(result=result, order_id=notice.order_id)
        raise Conflict(CHANGED_CONCURRENTLY, headers={"Retry-After": "1"})

    def _once(self, notice: ChannelNotice, raw: str, via: Via, correlation_id: str | None) -> CallbackResult:
        order, seen = self.repository.get_with_transaction(notice.order_id, notice.channel, notice.txn_id)
        if seen is not None:
            if seen.outcome is not notice.outcome or seen.amount_fen != notice.amount_fen:
                logger().warning(
                    "a transaction reported again with another result; the first stands",
                    extra={"order_id": notice.order_id, "txn_id": notice.txn_id, "channel": notice.channel},
                )
            return CallbackResult.DUPLICATE
        at = now()

        def record(result: CallbackResult) -> TransactionRecord:
            return TransactionRecord(
                channel=notice.channel,
                txn_id=notice.txn_id,
                order_id=notice.order_id,
                outcome=notice.outcome,
                amount_fen=notice.amount_fen,
                currency=notice.currency,
                occurred_at=notice.occurred_at,
                via=via,
                result=result,
                raw=raw[:4000],
                recorded_at=at,
            )

        def exception(kind: ExceptionKind, detail: str, refund: bool, state: OrderState | None) -> PaymentException:
            metrics().add_metric(name="PaymentException", unit=MetricUnit.Count, value=1)
            logger().warning(
                "payment exception recorded",
                extra={"order_id": notice.order_id, "txn_id": notice.txn_id, "kind": kind.value, "via": via.value},
            )
            return PaymentException(
                exception_id=new_id(),
                kind=kind,
                channel=notice.channel,
                txn_id=notice.txn_id,
                order_id=notice.order_id,
                notice_number=notice.notice_number,
                via=via,
                expected_amount_fen=order.amount_fen if order else None,
                received_amount_fen=notice.amount_fen,
                received_currency=notice.currency[:8],
                order_state=state,
                refund_required=refund,
                detail=detail,
                recorded_at=at,
            )

        if order is None:
            found = exception(ExceptionKind.UNKNOWN_ORDER, "no such order", notice.outcome is Outcome.SUCCESS, None)
            self.repository.record_unapplied(record(CallbackResult.EXCEPTION), found)
            return CallbackResult.EXCEPTION
        if notice.outcome is Outcome.FAILED:
            if not allowed(order.state, OrderAction.FAIL):
                self.repository.record_unapplied(record(CallbackResult.RECORDED), None)
                return CallbackResult.RECORDED
            after = moved(order, OrderAction.FAIL, at, channel=notice.channel, failure_reason=notice.failure_reason)
            data = events.FailedData(
                **events.facts(after),
                channel=notice.channel,
                channel_txn_id=notice.txn_id,
                reason=notice.failure_reason,
            )
            self.repository.save(
                after,
                expected_version=order.version,
                expected_state=order.state,
                events=[events.envelope(events.FAILED, after, data, correlation_id)],
                transaction=record(CallbackResult.APPLIED),
            )
            return CallbackResult.APPLIED
        mismatch = _mismatch(order, notice, via)
        if mismatch is not None:
            kind, detail = mismatch
            self.repository.record_unapplied(
                record(CallbackResult.EXCEPTION), exception(kind, detail, refund=True, state=order.state)
            )
            return CallbackResult.EXCEPTION
        if allowed(order.state, OrderAction.SUCCEED):
            after = moved(
                order,
                OrderAction.SUCCEED,
                at,
                channel=notice.channel,
                channel_txn_id=notice.txn_id,
                paid_at=notice.occurred_at,
                failure_reason=None,
            )
            paid = events.PaidData(
                **events.facts(after), channel=notice.channel, channel_txn_id=notice.txn_id, paid_at=notice.occurred_at
            )
            self.repository.save(
                after,
                expected_version=order.version,
                expected_state=order.state,
                events=[events.envelope(events.PAID, after, paid, correlation_id)],
                transaction=record(CallbackResult.APPLIED),
            )
            return CallbackResult.APPLIED
        if allowed(order.state, OrderAction.PAID_LATE):
            reason = f"订单{'已过期' if order.state is OrderState.EXPIRED else '已取消'}后到账，应予退款"
            after = moved(
                order,
                OrderAction.PAID_LATE,
                at,
                channel=notice.channel,
                channel_txn_id=notice.txn_id,
                paid_at=notice.occurred_at,
                refund_reason=reason,
            )
            refund = events.RefundData(
                **events.facts(after), reason=reason, channel=notice.channel, channel_txn_id=notice.txn_id
            )
            self.repository.save(
                after,
                expected_version=order.version,
                expected_state=order.state,
                events=[events.envelope(events.REFUND_REQUESTED, after, refund, correlation_id)],
                transaction=record(CallbackResult.REFUND_FLAGGED),
                exception=exception(ExceptionKind.PAID_AFTER_CLOSE, reason, refund=True, state=order.state),
            )
            return CallbackResult.REFUND_FLAGGED
        # paid already (by another transaction), or being refunded: a second payment
        found = exception(
            ExceptionKind.DUPLICATE_PAYMENT,
            f"order already {order.state.value} by transaction {order.channel_txn_id}",
            refund=True,
            state=order.state,
        )
        self.repository.record_unapplied(record(CallbackResult.REFUND_FLAGGED), found)
        return CallbackResult.REFUND_FLAGGED


def callback_handler() -> CallbackHandler:
    return CallbackHandler()
