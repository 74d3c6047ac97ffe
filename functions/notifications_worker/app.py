"""notifications_worker — puts messages in users' inboxes when other contexts
report facts (C13 message center).

Fed by NotificationsQueue (NotificationsRule: the event types listed in
shared.notifications.consumers). Each record's envelope becomes one message
for one subject; the event id is the message's dedupe key, so redelivery and
any order are harmless and no idempotency store is needed. A record that
cannot be read or delivered is reported as a partial batch failure: retried,
then parked in NotificationsDLQ (alarmed); its peers succeed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.notifications.consumers import messages_for
from shared.notifications.service import inbox_service
from shared.platform.events import parse_bus_message
from shared.platform.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    for subject_id, message in messages_for(envelope):
        delivered = inbox_service().deliver(subject_id, message)
        logger().info(
            "event turned into a message",
            extra={"event_id": envelope.id, "event_type": envelope.type, "new_message": delivered is not None},
        )


@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
