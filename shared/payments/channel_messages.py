"""What the payment channel sends us, as models: the schema registry publishes
them (`payment_channel.notification`, `payment_channel.queue_message`, D-235)
and shared/payments/channel.py reads every notification through them, so the
published schema is the one the code applies.

The channel's field names are its own (see shared/payments/channel.py); they
are mapped to ours (`ChannelNotice`) in that one place. Pydantic only: the
events module imports this for the registry without the payments models.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.schemas import register_partner_message

TradeState = Literal["SUCCESS", "PAYERROR", "CLOSED"]


class ChannelNotification(BaseModel):
    """A payment result: the signed HTTP callback's body, or the `notification` of a queue message."""

    # the channel may add fields of its own; they are kept in the raw notification, not read
    model_config = ConfigDict(frozen=True, extra="allow", defer_build=True)

    transaction_id: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="The channel's transaction id."
    )
    # an empty one is refused by the callback and the queue reader ("no out_trade_no"), counted by reconciliation
    out_trade_no: str = Field(max_length=64, description="Our payment order id.")
    notice_no: str | None = Field(default=None, max_length=40, description="The 缴款码 (non-tax notice number).")
    trade_state: TradeState
    total_fee: int = Field(description="Amount in fen.")
    fee_type: str = Field(max_length=8, description="Currency (CNY).")
    payer_id: str | None = Field(default=None, max_length=64, description="The payer reference we gave the cashier.")
    success_time: dt.datetime = Field(description="RFC 3339; for a failure, when it failed.")
    err_msg: str | None = Field(default=None, description="Why the payment failed (PAYERROR).")


class ChannelQueueMessage(BaseModel):
    """A message on the channel's own queue (PaymentChannelInboundQueue); IAM authenticates the sender."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    channel: str = Field(min_length=1, max_length=40, description="The registered channel (jspay).")
    notification: ChannelNotification


register_partner_message(
    "payment_channel.notification",
    ChannelNotification,
    "A payment result from the payment channel: the signed callback's body (POST /v1/payment-callbacks/{channel}).",
)
register_partner_message(
    "payment_channel.queue_message",
    ChannelQueueMessage,
    "A payment result on the channel's own queue (PaymentChannelInboundQueue).",
)
