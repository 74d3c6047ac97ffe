"""Payment orders, cashier sessions, channel notices and exceptions.

Money is integer fen with `currency` CNY everywhere (api-conventions.md).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.payments.states import OrderState

ORDER_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"  # ULID
CHANNEL_PATTERN = r"^[a-z][a-z0-9_]{1,31}$"
CURRENCY = "CNY"


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


class FeeLine(_Shape):
    name: str
    amount_fen: int = Field(ge=0)
    non_tax: bool = False  # 非税收入


class Stage(StrEnum):
    BEFORE_ACCEPTANCE = "before_acceptance"  # 受理前缴费
    AFTER_APPROVAL = "after_approval"  # 准予许可后缴费


class Order(_Shape):
    """A payment order (缴费订单) for the fees of one case at one stage."""

    order_id: str
    notice_number: str  # 缴款码, shared.payments.notice_numbers
    version: int = 1
    state: OrderState
    stage: Stage
    case_id: str
    case_number: str
    item_code: str
    item_name: str
    department_id: str
    region_code: str
    payer_subject_id: str
    payer_uscc: str | None = None
    notify_subject_id: str
    lines: list[FeeLine]
    amount_fen: int = Field(ge=0)
    currency: str = CURRENCY
    non_tax: bool = False
    waived: bool = False  # 免缴: total 0, born paid
    created_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime
    channel: str | None = None
    session_started_at: dt.datetime | None = None
    paid_at: dt.datetime | None = None
    channel_txn_id: str | None = None
    failure_reason: str | None = None
    refund_reason: str | None = None
    closed_at: dt.datetime | None = None
    replaces: str | None = None  # the expired order this one was reissued for
    replaced_by: str | None = None  # the order reissued for this expired one


class OrderView(_Shape):
    """What the payer sees of an order (GET /v1/payment-orders…)."""

    order_id: str
    notice_number: str = Field(description="缴款码: 20 digits, the last a Damm check digit")
    state: OrderState
    state_name: str
    stage: Stage
    case_id: str
    case_number: str
    item_code: str
    item_name: str
    lines: list[FeeLine]
    amount_fen: int
    currency: str = CURRENCY
    non_tax: bool
    waived: bool
    created_at: dt.datetime
    expires_at: dt.datetime
    paid_at: dt.datetime | None = None
    channel: str | None = None
    refund_reason: str | None = None
    replaces: str | None = None
    replaced_by: str | None = Field(default=None, description="Reissued as this order (after expiry).")


class PayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    channel: str | None = Field(
        default=None, pattern=CHANNEL_PATTERN, description="Defaults to the platform's channel."
    )


class RefundRequest(BaseModel):
    """An operator's refund step: why (申请退款), or the channel's refund reference (退款完成)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    reason: str = Field(min_length=2, max_length=200)
    channel_refund_id: str | None = Field(default=None, min_length=1, max_length=64)


class PaySession(_Shape):
    """Where to pay (收银台): open `pay_url`, or show `qr_code` for a phone to scan."""

    order_id: str
    notice_number: str
    channel: str
    amount_fen: int
    currency: str = CURRENCY
    pay_url: str
    qr_code: str = Field(description="The text to render as a QR code (the same cashier URL).")
    expires_at: dt.datetime


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"


class Via(StrEnum):
    HTTP = "http"  # POST /v1/payment-callbacks/{channel}
    QUEUE = "queue"  # the channel's partner SQS queue
    STATEMENT = "statement"  # a daily statement line (reconciliation)


class ChannelNotice(_Shape):
    """A channel's payment result in our terms (mapped at the edge by shared.payments.channel)."""

    channel: str
    txn_id: str = Field(min_length=1, max_length=64)
    order_id: str
    notice_number: str | None = None
    outcome: Outcome
    amount_fen: int
    currency: str
    payer_id: str | None = None
    occurred_at: dt.datetime
    failure_reason: str | None = None


class ExceptionKind(StrEnum):
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    PAYER_MISMATCH = "payer_mismatch"
    NOTICE_MISMATCH = "notice_mismatch"
    UNKNOWN_ORDER = "unknown_order"
    PAID_AFTER_CLOSE = "paid_after_close"  # success after expiry or cancellation: refund
    DUPLICATE_PAYMENT = "duplicate_payment"  # a second success for a paid order: refund
    CONFLICTING_OUTCOME = "conflicting_outcome"  # the same transaction reported differently


class PaymentException(_Shape):
    """A callback we did not apply, or applied only to flag a refund (对账/支付异常), for operators."""

    exception_id: str
    kind: ExceptionKind
    channel: str
    txn_id: str
    order_id: str
    notice_number: str | None = None
    via: Via
    expected_amount_fen: int | None = None
    received_amount_fen: int | None = None
    received_currency: str | None = None
    order_state: OrderState | None = None
    refund_required: bool = False
    detail: str
    recorded_at: dt.datetime


class CallbackResult(StrEnum):
    APPLIED = "applied"  # the order changed
    DUPLICATE = "duplicate"  # this transaction was handled before: nothing changed
    RECORDED = "recorded"  # kept (e.g. a failure for an order already paid), no change
    EXCEPTION = "exception"  # not applied; an exception for operators
    REFUND_FLAGGED = "refund_flagged"  # money kept and flagged for refund


class CallbackAck(_Shape):
    """The answer to a channel: 200 with this body means "received, do not resend"."""

    received: bool = True
    result: CallbackResult
    order_id: str


class TransactionRecord(_Shape):
    """One channel transaction as we received it (the callback idempotency key)."""

    channel: str
    txn_id: str
    order_id: str
    outcome: Outcome
    amount_fen: int
    currency: str
    occurred_at: dt.datetime
    via: Via
    result: CallbackResult
    raw: str  # the channel's payload as received, for audit
    recorded_at: dt.datetime
