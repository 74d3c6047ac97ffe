"""courier_events — the courier partner's answers and status events (C12).

Fed by CourierInboundQueue (partner-inbound), in the partner's own schema,
mapped to ours in one place (`shared.delivery.partner.to_update`). Each event
is kept once in the shipment's tracking history (its fingerprint is the
entry's key) and moves the shipment forward only when it is beyond the
current state by (terminal, event time, rank), so duplicates and any order
end in the same state. Reaching delivered publishes `shipment.delivered`,
which completes the case (办结) through the case-progress worker.

An event for an unknown waybill or order, or one we cannot map (unknown
status code or message type), is parked in CourierInboundDLQ at once with
its reason (operators: GET /v1/operations/courier-dlq, then
`make redrive QUEUE=CourierInboundQueue` after the fix); peers succeed.
AWS calls per status event: one Query of the waybill index and one consistent
GetItem, then one TransactWriteItems when the move publishes an event, else the
shipment's and the entry's conditional PutItems (D-322).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.delivery.api import UnknownShipment, UnknownWaybill, UnmappableMessage, delivery_service, to_update
from shared.delivery.config import delivery_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import PermanentFailure, batch_handler
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(delivery_settings, consumer_settings)


def apply(record: SQSRecord) -> None:
    try:
        update = to_update(record.body)
        outcome = delivery_service().apply(update, correlation_id=record.message_id)
    except (UnmappableMessage, UnknownWaybill, UnknownShipment) as exc:
        raise PermanentFailure(str(exc)) from None
    metrics().add_metric(name=f"CourierEvent_{outcome.result}", unit=MetricUnit.Count, value=1)
    # the partner's message is the correlation of what it changes (as the service is told); a repeated
    # message changes nothing and is the metric's to count (D-333)
    logger().set_correlation_id(record.message_id)
    log = logger().debug if outcome.result == "duplicate" else logger().info
    log(
        "courier event",
        extra={
            "shipment_id": outcome.shipment_id,
            "partner_state": update.state.value,
            "result": outcome.result,
            "state": outcome.state.value,
        },
    )


_consume = batch_handler(apply, metric="CourierEventParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
