"""payment_channel_events — payment results the channel sends on its partner
queue (PaymentChannelInboundQueue), the second path beside the HTTP webhook.

Each message is the channel's notification (`{"channel", "notification"}`,
shared.payments.channel), mapped at the edge and applied by the same handler
as the webhook, keyed by the channel's transaction id: a result that came by
HTTP already is a duplicate here and changes nothing. A message that cannot be
read is a PermanentFailure: parked in PaymentChannelInboundDLQ at once with
the reason (alarmed); its batch peers succeed.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.payments.api import MalformedNotification, Via, callback_handler, channels, parse_queue_message
from shared.payments.config import channel_settings, payments_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import PermanentFailure, batch_handler
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(payments_settings, channel_settings, consumer_settings)


def apply(record: SQSRecord) -> None:
    try:
        notice, raw = parse_queue_message(record.body)
    except MalformedNotification as exc:
        raise PermanentFailure(f"unreadable channel message: {exc}") from None
    if notice.channel not in channels():
        raise PermanentFailure(f"unknown channel {notice.channel[:32]}")
    logger().set_correlation_id(record.message_id)
    callback_handler().handle(notice, raw, Via.QUEUE, correlation_id=record.message_id)


_consume = batch_handler(apply, metric="PaymentChannelMessageParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
