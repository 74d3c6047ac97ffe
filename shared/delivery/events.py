"""Events the delivery context publishes (source `jszw.delivery`), through the
outbox in the same transaction as the change they describe.

| type                        | when                                                  | consumers |
|-----------------------------|-------------------------------------------------------|-----------|
| `shipment.requested`        | a shipment was created; the courier is to be booked   | shipment_booking_worker |
| `shipment.ready_for_pickup` | a result waits at a hall (大厅自取), with its pickup code | notifications (applicant) |
| `shipment.accepted`         | the courier accepted the booking; waybill assigned    | notifications (applicant) |
| `shipment.delivery_failed`  | a delivery attempt failed (the courier will retry)    | notifications (applicant) |
| `shipment.delivered`        | signed for (proof of delivery)                        | case_progress_worker (办结) |
| `shipment.materials_received` | a pickup's paper materials reached the department   | — (the department's list) |
| `shipment.returned`         | back to the sender                                    | notifications (both) |
| `shipment.cancelled`        | cancelled (the courier refused or withdrew the order) | notifications (applicant) |

`subject` is the shipment id; data always carries `case_id`, `shipment_id`
and the inbox to notify. Data never holds the recipient's name or phone
(only the masked form).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from shared.delivery.models import Shipment
from shared.delivery.partner import OrderCreate, OrderResult, RouteEvent
from shared.platform.events import Envelope, make_envelope, register_event_type
from shared.platform.schemas import register_partner_message

CONTENT_NAMES = {
    "decision_document": "决定文书",
    "licence_certificate": "证照",
    "application_materials": "申请材料",
    "application_originals": "申请材料原件",
}
"""What a shipment carries (`contents`), as the applicant is told."""

SOURCE = "delivery"
REQUESTED = "shipment.requested"
ACCEPTED = "shipment.accepted"
DELIVERY_FAILED = "shipment.delivery_failed"
DELIVERED = "shipment.delivered"
RETURNED = "shipment.returned"
CANCELLED = "shipment.cancelled"
MATERIALS_RECEIVED = "shipment.materials_received"
READY_FOR_PICKUP = "shipment.ready_for_pickup"


class ShipmentFacts(BaseModel):
    """What every shipment event carries."""

    model_config = ConfigDict(defer_build=True)

    shipment_id: str
    kind: str
    case_id: str
    case_number: str
    item_name: str
    department_id: str
    region_code: str
    notify_subject_id: str
    handler_subject_id: str | None = None
    state: str
    state_at: dt.datetime
    waybill: str | None = None
    carrier: str
    destination_region_code: str
    recipient_masked: str
    contents: list[str]
    origin_masked: str | None = None  # where it was collected (a hall's name, or the masked applicant)


class DeliveredData(ShipmentFacts):
    proof_signer: str | None = None
    proof_url: str | None = None


class ReadyForPickupData(ShipmentFacts):
    """The code goes to the applicant's message center only; it is useless without their ID card."""

    pickup_hall_id: str
    pickup_code: str


register_event_type(
    READY_FOR_PICKUP, ReadyForPickupData, "A result waits at the chosen hall (待自取); the applicant gets the code."
)
register_event_type(REQUESTED, ShipmentFacts, "A shipment was created (寄递下单); the courier is to be booked.")
register_event_type(ACCEPTED, ShipmentFacts, "The courier accepted the booking and assigned a waybill (已接单).")
register_event_type(DELIVERY_FAILED, ShipmentFacts, "A delivery attempt failed; the courier will try again (未妥投).")
register_event_type(
    DELIVERED, DeliveredData, "The shipment was signed for (已签收); a result delivery completes its case (办结)."
)
register_event_type(
    MATERIALS_RECEIVED,
    DeliveredData,
    "A pickup's paper materials reached the department (材料已送达); the case is not moved by it.",
)
register_event_type(RETURNED, ShipmentFacts, "The shipment went back to the sender (已退回); the department must act.")
register_event_type(CANCELLED, ShipmentFacts, "The shipment was cancelled (已取消).")

STATE_EVENTS = {
    "accepted": ACCEPTED,
    "failed_attempt": DELIVERY_FAILED,
    "delivered": DELIVERED,
    "returned": RETURNED,
    "cancelled": CANCELLED,
}
"""A shipment reaching one of these states publishes the event (other states are tracking only)."""


def event_for(shipment: Shipment) -> str | None:
    """The event a shipment's new state publishes: a pickup's delivery is not a result's
    delivery (it must never complete the case)."""
    if shipment.kind.value == "material_pickup" and shipment.state.value == "delivered":
        return MATERIALS_RECEIVED
    return STATE_EVENTS.get(shipment.state.value)


def facts(shipment: Shipment) -> dict[str, object]:
    return ShipmentFacts(
        shipment_id=shipment.shipment_id,
        kind=shipment.kind.value,
        case_id=shipment.case_id,
        case_number=shipment.case_number,
        item_name=shipment.item_name,
        department_id=shipment.department_id,
        region_code=shipment.region_code,
        notify_subject_id=shipment.applicant_subject_id,
        handler_subject_id=shipment.handler_subject_id,
        state=shipment.state.value,
        state_at=shipment.state_at,
        waybill=shipment.waybill,
        carrier=shipment.carrier,
        destination_region_code=shipment.destination.region_code,
        recipient_masked=shipment.destination.label,
        contents=shipment.contents,
        origin_masked=shipment.origin.label,
    ).model_dump(mode="json")


def envelope(event_type: str, shipment: Shipment, correlation_id: str | None) -> Envelope:
    data: dict[str, object] = facts(shipment)
    if event_type in (DELIVERED, MATERIALS_RECEIVED):
        proof = shipment.proof
        data = DeliveredData.model_validate(
            {**data, "proof_signer": proof.signer if proof else None, "proof_url": proof.url if proof else None}
        ).model_dump(mode="json")
    return make_envelope(SOURCE, event_type, shipment.shipment_id, data, correlation_id)


def ready_for_pickup_envelope(shipment: Shipment, code: str, correlation_id: str | None) -> Envelope:
    data = ReadyForPickupData.model_validate(
        {**facts(shipment), "pickup_hall_id": shipment.pickup_hall_id, "pickup_code": code}
    ).model_dump(mode="json")
    return make_envelope(SOURCE, READY_FOR_PICKUP, shipment.shipment_id, data, correlation_id)


# the courier partner's own messages on its two queues (shared/delivery/partner.py), in the schema registry
register_partner_message("courier.order_create", OrderCreate, "A booking we send the courier (CourierOutboundQueue).")
register_partner_message(
    "courier.order_result", OrderResult, "The courier accepts or rejects a booking (CourierInboundQueue)."
)
register_partner_message("courier.route", RouteEvent, "A status event on a waybill (CourierInboundQueue).")
