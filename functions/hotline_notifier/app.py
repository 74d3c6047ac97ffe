"""hotline_notifier — texts a requester without an account when their 12345 ticket is
answered (the SMS port; locally the SMS outbox), since only the hotline can unseal the
number they verified. Signed-in requesters hear through the message center instead.

Fed by HotlineSmsQueue (HotlineSmsRule: `ticket.answered`). One text per answer round
(a marker in the Hotline table), so redelivery sends nothing twice; a record that keeps
failing is parked in HotlineSmsDLQ (alarmed) with its reason (`shared.platform.consumer`).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.hotline.api import tell_answered
from shared.hotline.config import hotline_settings
from shared.hotline.events import ANSWERED, TicketFacts
from shared.platform.config import consumer_settings, require, sealing_settings, sms_settings
from shared.platform.consumer import UnexpectedEvent, batch_handler
from shared.platform.events import parse_bus_message
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(hotline_settings, sealing_settings, sms_settings, consumer_settings)


def record_handler(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    if envelope.type != ANSWERED:
        raise UnexpectedEvent(envelope.type)
    sent = tell_answered(TicketFacts.model_validate(envelope.data))
    logger().info("answer notice handled", extra={"event_id": envelope.id, "texted": sent})


_consume = batch_handler(record_handler, metric="HotlineSmsParked")


@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
