"""shipment_booking_worker — books the courier for results due by courier (C12).

Fed by ShipmentBookingQueue (ShipmentBookingRule):
- `case.delivery_due` (jszw.cases): creates the case's shipment in `requested`,
  with `shipment.requested` in the same transaction (once per case: a
  redelivered event finds the shipment and changes nothing);
- `shipment.requested` (jszw.delivery, back through the outbox and the bus):
  unseals the recipient and puts the booking (`ORDER_CREATE`, the partner's
  schema) on the partner-outbound queue; sent again on redelivery only while
  the courier has not answered (the partner dedupes by order number).

An address whose region the catalogue does not know, or an unknown shipment,
is parked in ShipmentBookingDLQ at once with the reason; peers succeed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases.events import DELIVERY_DUE
from shared.delivery import events
from shared.delivery.api import UnknownRegion, UnknownShipment, delivery_service
from shared.platform.consumer import PermanentFailure, UnexpectedEvent, batch_handler
from shared.platform.events import parse_bus_message
from shared.platform.observability import logger, metrics


def book(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    correlation = envelope.correlation_id or envelope.id
    try:
        if envelope.type == DELIVERY_DUE:
            outcome = delivery_service().create_for_case(envelope.data, correlation_id=correlation)
        elif envelope.type == events.REQUESTED:
            outcome = delivery_service().book(str(envelope.data.get("shipment_id") or envelope.subject))
        else:
            raise UnexpectedEvent(envelope.type)
    except (UnknownRegion, UnknownShipment) as exc:
        raise PermanentFailure(str(exc)) from None
    metrics().add_metric(name=f"ShipmentBooking_{outcome.result}", unit=MetricUnit.Count, value=1)
    logger().info(
        "shipment booking",
        extra={
            "event_id": envelope.id,
            "event_type": envelope.type,
            "shipment_id": outcome.shipment_id,
            "result": outcome.result,
        },
    )


_consume = batch_handler(book, metric="ShipmentBookingParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
