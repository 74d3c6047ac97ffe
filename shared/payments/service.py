"""Payment orders: opened from a case's fees, paid through a channel's cashier,
expired by a sweep, cancelled with their case. Callbacks are in `callbacks`.

Every change is one conditional transaction on the order (its version and
state) with the events describing it (shared.platform.dynamo.Transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from shared.payments import events
from shared.payments.channel import cashier_url
from shared.payments.config import payments_settings
from shared.payments.errors import (
    CHANGED_CONCURRENTLY,
    NOT_EXPIRED,
    ORDER_CLOSED,
    ORDER_NOT_FOUND,
    TRANSITION_NOT_ALLOWED,
    UNKNOWN_CHANNEL,
)
from shared.payments.models import FeeLine, Order, OrderView, PaySession, Stage
from shared.payments.notice_numbers import new_notice_number
from shared.payments.repository import EXPIRY_SHARDS, NoticeNumberTaken, OrderExists, PaymentsRepository, payer_key
from shared.payments.signing import channel_secret, channels
from shared.payments.states import (
    OPEN_STATES,
    STATE_NAMES,
    OrderAction,
    OrderState,
    TransitionNotAllowed,
    next_state,
)
from shared.platform.clock import now, today_in_shanghai
from shared.platform.errors import AppError, Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shared.platform.ids import new_id
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import Action, Principal, RecordScope, Role, ensure

if TYPE_CHECKING:  # the case event's shape, for the order worker; callbacks and the API never load it
    from shared.cases.events import FeeDueData

_NOTICE_ATTEMPTS = 5
ACTION_NAMES = {
    OrderAction.START_PAYMENT: "支付",
    OrderAction.SUCCEED: "确认到账",
    OrderAction.FAIL: "标记失败",
    OrderAction.EXPIRE: "过期",
    OrderAction.CANCEL: "取消",
    OrderAction.PAID_LATE: "登记迟到账",
    OrderAction.REQUEST_REFUND: "申请退款",
    OrderAction.REFUND: "退款",
}


@dataclass(frozen=True)
class OpenOutcome:
    result: str  # created | waived | duplicate
    order: Order


@dataclass
class ExpiryResult:
    expired: list[str] = field(default_factory=list)
    skipped: int = 0
    finished: bool = True


def refuse(order: Order, action: OrderAction) -> AppError:
    return Conflict(TRANSITION_NOT_ALLOWED, params={"state": STATE_NAMES[order.state], "action": ACTION_NAMES[action]})


def moved(order: Order, action: OrderAction, at: dt.datetime, **changes: object) -> Order:
    """`order` after `action` (raises TransitionNotAllowed), one version on."""
    target = next_state(order.state, action)
    closed = {"closed_at": at} if target not in OPEN_STATES and order.closed_at is None else {}
    return order.model_copy(
        update={"state": target, "version": order.version + 1, "updated_at": at, **closed, **changes}
    )


def view(order: Order) -> OrderView:
    return OrderView.model_validate(order.model_dump() | {"state_name": STATE_NAMES[order.state]})


def record_scope(order: Order) -> RecordScope:
    return RecordScope(
        applicant_subject_id=order.payer_subject_id,
        applicant_uscc=order.payer_uscc or "",
        department_id=order.department_id,
        region_code=order.region_code,
        required_scope="payments",
    )


class PaymentsService:
    def __init__(self, repository: PaymentsRepository | None = None) -> None:
        self.repository = repository or PaymentsRepository()

    # --- orders from case events --------------------------------------------------------------

    def open_order(self, due: FeeDueData, correlation_id: str | None) -> OpenOutcome:
        """One order per case and stage (a redelivered `case.fee_due` finds it and changes
        nothing). A total of 0 (fee waiver, 免缴) makes an order born paid, so the case moves
        on by the same `payment.paid` path as any other."""
        stage = Stage(due.stage)
        existing = self.repository.order_for_case_stage(due.case_id, stage.value)
        if existing is not None:
            return OpenOutcome("duplicate", existing)
        lines = [FeeLine(name=f.name, amount_fen=f.amount_fen, non_tax=f.non_tax) for f in due.fees]
        total = sum(line.amount_fen for line in lines)
        if total != due.total_fen:
            logger().warning(
                "fee lines and total differ; the lines are charged",
                extra={"case_id": due.case_id, "lines_fen": total, "total_fen": due.total_fen},
            )
        at = now()
        waived = total == 0
        for _ in range(_NOTICE_ATTEMPTS):
            order = Order(
                order_id=new_id(),
                notice_number=new_notice_number(due.region_code, today_in_shanghai()),
                state=OrderState.PAID if waived else OrderState.CREATED,
                stage=stage,
                case_id=due.case_id,
                case_number=due.case_number,
                item_code=due.item_code,
                item_name=due.item_name,
                department_id=due.department_id,
                region_code=due.region_code,
                payer_subject_id=due.payer_subject_id,
                payer_uscc=due.payer_uscc,
                notify_subject_id=due.notify_subject_id,
                lines=lines,
                amount_fen=total,
                non_tax=any(line.non_tax for line in lines),
                waived=waived,
                created_at=at,
                updated_at=at,
                expires_at=at + dt.timedelta(hours=payments_settings().payment_order_valid_hours),
                channel="waiver" if waived else None,
                paid_at=at if waived else None,
                closed_at=at if waived else None,
            )
            facts = events.facts(order)
            envelopes = [
                events.envelope(
                    events.ORDER_CREATED,
                    order,
                    events.OrderCreatedData(**facts, expires_at=order.expires_at, waived=waived),
                    correlation_id,
                )
            ]
            if waived:
                paid = events.PaidData(**facts, channel="waiver", paid_at=at, waived=True)
                envelopes.append(events.envelope(events.PAID, order, paid, correlation_id))
            try:
                self.repository.create(order, envelopes)
            except NoticeNumberTaken:
                continue
            except OrderExists:
                found = self.repository.order_for_case_stage(due.case_id, stage.value)
                if found is None:
                    raise
                return OpenOutcome("duplicate", found)
            logger().info(
                "payment order opened",
                extra={"order_id": order.order_id, "case_id": order.case_id, "amount_fen": total, "waived": waived},
            )
            return OpenOutcome("waived" if waived else "created", order)
        raise RuntimeError("could not draw a free notice number")

    def cancel_for_case(self, case_id: str, reason: str, correlation_id: str | None) -> list[str]:
        """Cancel the case's unpaid orders (the case was withdrawn); idempotent."""
        cancelled: list[str] = []
        for order in self.repository.orders_of_case(case_id):
            if order.state not in OPEN_STATES:
                continue
            at = now()
            after = moved(order, OrderAction.CANCEL, at)
            data = events.ClosedData(**events.facts(after), reason=reason)
            try:
                self.repository.save(
                    after,
                    expected_version=order.version,
                    expected_state=order.state,
                    events=[events.envelope(events.CANCELLED, after, data, correlation_id)],
                )
            except Conflict:
                continue  # changed meanwhile: a redelivery of the withdrawal retries it
            cancelled.append(order.order_id)
        return cancelled

    # --- the payer ------------------------------------------------------------------------------

    def order_for(self, principal: Principal, order_id: str, action: Action = Action.READ) -> Order:
        order = self.repository.get(order_id)
        if order is None:
            raise NotFound(ORDER_NOT_FOUND)
        try:
            ensure(principal, record_scope(order), action)
        except NotFound:
            raise NotFound(ORDER_NOT_FOUND) from None
        return order

    def list_for(self, principal: Principal, limit: int, cursor: str | None) -> Page[OrderView]:
        if principal.role is Role.AGENT and "payments" not in principal.scopes:
            raise Forbidden()
        key = payer_key(principal.subject_id, principal.acting_for if principal.role is Role.AGENT else None)
        page = self.repository.list_for_payer(key, limit, cursor)
        return Page[OrderView](items=[view(o) for o in page.items], next_cursor=page.next_cursor)

    def start_payment(self, principal: Principal, order_id: str, channel: str | None) -> PaySession:
        """A cashier session (收银台) at the channel: the signed link the payer opens or scans."""
        order = self.order_for(principal, order_id, Action.WRITE)
        chosen = channel or payments_settings().payment_default_channel
        if chosen not in channels():
            raise ValidationFailed(UNKNOWN_CHANNEL, errors=[FieldError(field="channel", code=UNKNOWN_CHANNEL)])
        at = now()
        if order.state not in OPEN_STATES or order.expires_at <= at:
            state = OrderState.EXPIRED if order.state in OPEN_STATES else order.state
            raise Conflict(ORDER_CLOSED, params={"state": STATE_NAMES[state]})
        try:
            after = moved(order, OrderAction.START_PAYMENT, at, channel=chosen, session_started_at=at)
        except TransitionNotAllowed:
            raise refuse(order, OrderAction.START_PAYMENT) from None
        try:
            self.repository.save(after, expected_version=order.version, expected_state=order.state)
        except Conflict:
            raise Conflict(CHANGED_CONCURRENTLY, headers={"Retry-After": "1"}) from None
        url = cashier_url(payments_settings().payment_channel_pay_url, after, channel_secret(chosen), at)
        logger().info("cashier session started", extra={"order_id": order_id, "channel": chosen})
        return PaySession(
            order_id=after.order_id,
            notice_number=after.notice_number,
            channel=chosen,
            amount_fen=after.amount_fen,
            currency=after.currency,
            pay_url=url,
            qr_code=url,
            expires_at=after.expires_at,
        )

    def reissue(self, principal: Principal, order_id: str, correlation_id: str | None) -> Order:
        """A fresh order (new notice number, new expiry) for an expired one, so a case whose
        payer missed the deadline can still be paid (重新开具). Idempotent: asking again
        returns the order already reissued."""
        expired = self.order_for(principal, order_id, Action.WRITE)
        if expired.replaced_by:
            return self.order_for(principal, expired.replaced_by)
        if expired.state is not OrderState.EXPIRED:
            raise Conflict(NOT_EXPIRED)
        at = now()
        for _ in range(_NOTICE_ATTEMPTS):
            fresh = expired.model_copy(
                update={
                    "order_id": new_id(),
                    "notice_number": new_notice_number(expired.region_code, today_in_shanghai()),
                    "version": 1,
                    "state": OrderState.CREATED,
                    "created_at": at,
                    "updated_at": at,
                    "expires_at": at + dt.timedelta(hours=payments_settings().payment_order_valid_hours),
                    "channel": None,
                    "session_started_at": None,
                    "failure_reason": None,
                    "closed_at": None,
                    "replaces": expired.order_id,
                }
            )
            replaced = expired.model_copy(
                update={"version": expired.version + 1, "updated_at": at, "replaced_by": fresh.order_id}
            )
            data = events.OrderCreatedData(**events.facts(fresh), expires_at=fresh.expires_at, waived=False)
            try:
                self.repository.reissue(
                    expired, replaced, fresh, [events.envelope(events.ORDER_CREATED, fresh, data, correlation_id)]
                )
            except NoticeNumberTaken:
                continue
            except OrderExists:
                again = self.repository.get(order_id)
                if again is not None and again.replaced_by:
                    return self.order_for(principal, again.replaced_by)
                raise Conflict(CHANGED_CONCURRENTLY, headers={"Retry-After": "1"}) from None
            logger().info("payment order reissued", extra={"order_id": fresh.order_id, "replaces": order_id})
            return fresh
        raise RuntimeError("could not draw a free notice number")

    # --- refunds (operators) ------------------------------------------------------------------

    def refund_step(
        self, order_id: str, action: OrderAction, reason: str, refund_id: str | None, correlation_id: str | None
    ) -> Order:
        """paid → refund_requested (申请退款), refund_requested → refunded (退款完成, after the
        channel refunded: its reference is kept). Operators only; the payer is told."""
        order = self.repository.get(order_id)
        if order is None:
            raise NotFound(ORDER_NOT_FOUND)
        at = now()
        try:
            after = moved(
                order, action, at, refund_reason=reason if action is OrderAction.REQUEST_REFUND else order.refund_reason
            )
        except TransitionNotAllowed:
            raise refuse(order, action) from None
        data = events.RefundData(
            **events.facts(after),
            reason=reason,
            channel=order.channel,
            channel_txn_id=refund_id if action is OrderAction.REFUND else order.channel_txn_id,
        )
        event_type = events.REFUND_REQUESTED if action is OrderAction.REQUEST_REFUND else events.REFUNDED
        try:
            self.repository.save(
                after,
                expected_version=order.version,
                expected_state=order.state,
                events=[events.envelope(event_type, after, data, correlation_id)],
            )
        except Conflict:
            raise Conflict(CHANGED_CONCURRENTLY, headers={"Retry-After": "1"}) from None
        logger().info("refund step", extra={"order_id": order_id, "action": action.value})
        return after

    # --- the expiry sweep -----------------------------------------------------------------------

    def expire_due(
        self, at: dt.datetime, correlation_id: str | None, keep_going: Callable[[], bool] = lambda: True
    ) -> ExpiryResult:
        """Close every open order whose expiry time has passed: the expiry index, shard by
        shard (never a Scan; it projects whole orders, so no read per order); each order its
        own conditional transaction (version and state), so a re-run, an interrupted run or an
        index lagging a payment never expires one twice or expires a paid one."""
        result = ExpiryResult()
        for shard in range(EXPIRY_SHARDS):
            for order in self.repository.due_for_expiry(shard, at):
                if not keep_going():
                    result.finished = False
                    return result
                if order.state not in OPEN_STATES or order.expires_at > at:
                    result.skipped += 1
                    continue
                after = moved(order, OrderAction.EXPIRE, at)
                data = events.ClosedData(**events.facts(after), reason="超过缴费期限未缴费")
                try:
                    self.repository.save(
                        after,
                        expected_version=order.version,
                        expected_state=order.state,
                        events=[events.envelope(events.EXPIRED, after, data, correlation_id)],
                    )
                except Conflict:
                    result.skipped += 1  # paid or changed meanwhile
                    continue
                result.expired.append(order.order_id)
        return result


@cache
def payments_service() -> PaymentsService:
    return PaymentsService()
