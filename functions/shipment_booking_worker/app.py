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

from typing import TYPE_CHECKING, Any, Protocol

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.config import catalog_settings
from shared.delivery import events
from shared.delivery.api import UnknownRegion, UnknownShipment, delivery_service
from shared.delivery.config import courier_outbound_settings, delivery_settings, hall_pickup_settings
from shared.platform.config import consumer_settings, require, sealing_settings
from shared.platform.consumer import PermanentFailure, batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope, parse_bus_message
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    catalog_settings,
    delivery_settings,
    courier_outbound_settings,
    hall_pickup_settings,
    sealing_settings,
    consumer_settings,
)

if TYPE_CHECKING:
    from shared.cases.events import DeliveryDueData

DELIVERY_DUE = "case.delivery_due"  # shared.cases.events.DELIVERY_DUE (a test keeps them equal)


def _delivery_due() -> type[DeliveryDueData]:
    # first use: the case event models (~25 ms of class creation) stay out of the cold start
    from shared.cases.events import DeliveryDueData

    return DeliveryDueData


class Booking(Protocol):
    """What the delivery service answers for either event (its `Outcome`)."""

    @property
    def shipment_id(self) -> str: ...

    @property
    def result(self) -> str: ...


bookings: Dispatcher[Booking] = Dispatcher("shipment_booking_worker")


@bookings.on(DELIVERY_DUE, data=_delivery_due)
def create_shipment(due: DeliveryDueData, envelope: Envelope) -> Booking:
    return delivery_service().create_for_case(due, correlation_id=envelope.correlation_id or envelope.id)


@bookings.on(events.REQUESTED, data=events.ShipmentFacts)
def book_courier(shipment: events.ShipmentFacts, envelope: Envelope) -> Booking:
    return delivery_service().book(shipment.shipment_id)


def book(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    try:
        outcome = bookings.dispatch(envelope)
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
