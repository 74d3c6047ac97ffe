"""notifications_worker — puts messages in users' inboxes when other contexts
report facts (C13 message center).

Fed by NotificationsQueue (NotificationsRule: the event types listed in
shared.notifications.consumers). Each record's envelope becomes one message
for one subject; the event id is the message's dedupe key, so redelivery and
any order are harmless and no idempotency store is needed. A record that
cannot be delivered is retried and parked in NotificationsDLQ (alarmed) on its
last receive, with the reason as message attributes; an event type nobody
subscribed it to is parked at once (`shared.platform.consumer`). Its peers
succeed.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.notifications.api import inbox_service, messages_for
from shared.notifications.config import notifications_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.events import parse_bus_message
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(notifications_settings, consumer_settings)


def record_handler(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    for subject_id, message in messages_for(envelope):
        delivered = inbox_service().deliver(subject_id, message)
        # DEBUG: the inbox logs the message it stored (its id is the event's), or that it had it already
        logger().debug(
            "event turned into a message",
            extra={"event_id": envelope.id, "event_type": envelope.type, "new_message": delivered is not None},
        )


_consume = batch_handler(record_handler, metric="NotificationParked")


@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
