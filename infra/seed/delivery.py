"""The demo shipment the counter-handover sample and README step act on
(events/delivery_api/shipment-handover.json names `DEMO_SHIPMENT_ID`).

It is made the way the booking worker makes every shipment: a `case.delivery_due`
(the facts of the sample event events/shipment_booking_worker/sqs-delivery-due.json
for a case of its own, with the recipient really sealed) handed to `DeliveryService.create_for_case`, which
writes the shipment with `shipment.requested`; the outbox, the bus and the booking
worker then book the courier simulator like any other. Its address says 窗口交寄:
the department hands the result to the courier at its counter, so the simulator
accepts the booking (waybill) and waits for the parcel instead of starting the
journey — the shipment stays handover-able on a fresh `make run`.
Idempotent: an existing demo shipment is left as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from infra.seed.environment import seeding_environment
from shared.cases.events import DeliveryDueData
from shared.delivery import service as delivery_service_module
from shared.platform import sealing

SAMPLE = Path(__file__).resolve().parents[2] / "events" / "shipment_booking_worker" / "sqs-delivery-due.json"
DEMO_SHIPMENT_ID = "01JDQ9A0000000000000000S01"
DEMO_CASE_ID = "01JDQ9A0000000000000000CH1"
"""Its own case id: a shipment is once per case, and the booking sample's case C02 stays free for its sample."""
COUNTER_HANDOVER = "窗口交寄"
"""Said in a booking's address: the courier collects the parcel at the counter (the simulator waits)."""
RECIPIENT = {"name": "张伟", "phone": "13800000001"}


def demo_delivery_due() -> DeliveryDueData:
    """The sample `case.delivery_due`, its recipient sealed for its case (as the cases context does)."""
    body = json.loads(json.loads(SAMPLE.read_text("utf-8"))["Records"][0]["body"])
    data = dict(body["detail"]["data"]) | {"case_id": DEMO_CASE_ID}
    data["recipient_sealed"] = sealing.sealer(delivery_service_module.DELIVERY_SEALING).seal(data["case_id"], RECIPIENT)
    data["address"] = f"{data['address']}（{COUNTER_HANDOVER}）"
    return DeliveryDueData.model_validate(data)


def load_shipment(service: delivery_service_module.DeliveryService) -> dict[str, int]:
    """The same, through an already configured service (tests pass theirs)."""
    if service.repository.get(DEMO_SHIPMENT_ID) is not None:
        return {"demo_shipments_created": 0, "demo_shipments_existing": 1}
    outcome = service.create_for_case(demo_delivery_due(), correlation_id=None, shipment_id=DEMO_SHIPMENT_ID)
    created = outcome.result == "created"
    return {"demo_shipments_created": int(created), "demo_shipments_existing": int(not created)}


def load(env: dict[str, str]) -> dict[str, int]:
    with seeding_environment(env):
        return load_shipment(delivery_service_module.DeliveryService())
