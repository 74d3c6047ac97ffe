"""The payment channel's own formats, mapped to ours in this one place
(api-conventions: partner payloads are mapped at the edge; their raw form is
kept for audit on the transaction record).

The local channel `jspay` (江苏省统一公共支付平台, played by
infra/local/partners/payment_channel.py) speaks this form, close to the
page-pay channels used in China:

callback body (HTTP, signed; or the `notification` of a partner-queue message)
    {"transaction_id": "JSP…", "out_trade_no": "<order id>", "notice_no": "<缴款码>",
     "trade_state": "SUCCESS" | "PAYERROR", "total_fee": 2000, "fee_type": "CNY",
     "payer_id": "<payer reference>", "success_time": "<RFC 3339>", "err_msg": "…"}

partner-queue message body
    {"channel": "jspay", "notification": {…the callback body…}}
    (the queue is the channel's own: IAM authenticates the sender, SQS keeps it in transit)

daily statement (CSV in the reconciliation bucket, `statements/<channel>/<YYYY-MM-DD>.csv`)
    transaction_id,out_trade_no,notice_no,trade_state,total_fee,fee_type,success_time

cashier link (what POST /v1/payment-orders/{id}/pay returns)
    <PAYMENT_CHANNEL_PAY_URL>?order_id=…&notice_no=…&amount=…&currency=CNY&payer=…&expires=…&ts=…&sign=…
    signed by the platform with the channel's secret (shared.payments.signing.sign_params).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError

from shared.payments.channel_messages import ChannelNotification
from shared.payments.models import ChannelNotice, Order, Outcome
from shared.payments.signing import sign_params

STATEMENT_COLUMNS = (
    "transaction_id",
    "out_trade_no",
    "notice_no",
    "trade_state",
    "total_fee",
    "fee_type",
    "success_time",
)
_OUTCOMES = {"SUCCESS": Outcome.SUCCESS, "PAYERROR": Outcome.FAILED, "CLOSED": Outcome.FAILED}
_OPTIONAL = frozenset({"notice_no", "payer_id", "err_msg"})


class MalformedNotification(ValueError):
    """A channel payload we cannot read: never applied."""


def to_notice(channel: str, raw: Any) -> ChannelNotice:
    """The channel's notification (a dict) in our terms, read through its published model
    (`payment_channel.notification`, shared/payments/channel_messages.py)."""
    if not isinstance(raw, dict):
        raise MalformedNotification("notification is not an object")
    state = str(raw.get("trade_state", ""))
    if state not in _OUTCOMES:
        raise MalformedNotification(f"unknown trade_state {state[:20]!r}")
    # a statement's CSV leaves optional columns empty
    fields = {k: (None if k in _OPTIONAL and v == "" else v) for k, v in raw.items()}
    try:
        notification = ChannelNotification.model_validate(fields)
        return ChannelNotice(
            channel=channel,
            txn_id=notification.transaction_id,
            order_id=notification.out_trade_no,
            notice_number=notification.notice_no or None,
            outcome=_OUTCOMES[state],
            amount_fen=notification.total_fee,
            currency=notification.fee_type,
            payer_id=notification.payer_id or None,
            occurred_at=notification.success_time,
            failure_reason=notification.err_msg[:200] if notification.err_msg else None,
        )
    except ValidationError as exc:
        raise MalformedNotification(f"notification fields invalid: {exc.error_count()} problem(s)") from None


def parse_callback_body(channel: str, body: bytes) -> ChannelNotice:
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedNotification("body is not JSON") from None
    notice = to_notice(channel, raw)
    if not notice.order_id:
        raise MalformedNotification("no out_trade_no")
    return notice


def parse_queue_message(body: str) -> tuple[ChannelNotice, str]:
    """(notice, the raw notification text) from a partner-queue message body."""
    try:
        message = json.loads(body)
    except ValueError:
        raise MalformedNotification("message is not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("channel"), str):
        raise MalformedNotification("message has no channel")
    notice = to_notice(message["channel"], message.get("notification"))
    if not notice.order_id:
        raise MalformedNotification("no out_trade_no")
    return notice, json.dumps(message.get("notification"), ensure_ascii=False, sort_keys=True)


def notification_of(notice: ChannelNotice) -> dict[str, Any]:
    """A notice back in the channel's form (the simulator and tests build callbacks with it)."""
    raw: dict[str, Any] = {
        "transaction_id": notice.txn_id,
        "out_trade_no": notice.order_id,
        "notice_no": notice.notice_number,
        "trade_state": "SUCCESS" if notice.outcome is Outcome.SUCCESS else "PAYERROR",
        "total_fee": notice.amount_fen,
        "fee_type": notice.currency,
        "payer_id": notice.payer_id,
        "success_time": notice.occurred_at.isoformat(),
    }
    if notice.failure_reason:
        raw["err_msg"] = notice.failure_reason
    return raw


def statement_rows(text: str) -> Iterator[dict[str, Any]]:
    """The rows of a channel's daily statement (对账单), raw: the caller reads each with `to_notice`, so one
    malformed line is counted and the lines after it are still read (a generator that raised would stop)."""
    for row in csv.DictReader(io.StringIO(text)):
        amount = row.get("total_fee") or ""
        yield {**row, "total_fee": int(amount) if amount.isdigit() else amount}


def statement_csv(notices: list[ChannelNotice]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=STATEMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for notice in notices:
        raw = notification_of(notice)
        writer.writerow({column: raw.get(column) or "" for column in STATEMENT_COLUMNS})
    return out.getvalue()


def cashier_url(base_url: str, order: Order, secret: bytes, issued_at: dt.datetime) -> str:
    params = {
        "order_id": order.order_id,
        "notice_no": order.notice_number,
        "amount": str(order.amount_fen),
        "currency": order.currency,
        "payer": order.payer_subject_id,
        "expires": str(int(order.expires_at.timestamp())),
        "ts": str(int(issued_at.timestamp())),
    }
    params["sign"] = sign_params(secret, params)
    return f"{base_url}?{urlencode(params)}"
