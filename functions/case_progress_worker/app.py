"""case_progress_worker — moves approved cases through payment, licence and
delivery to 办结 (网上批、快递送).

Fed by CaseProgressQueue (CaseProgressRule: `payment.paid`, `licence.issued`,
`shipment.delivered` from the payments, licences and delivery contexts, and
`shipment.materials_received`: paper a courier collected — the applicant's, or
the originals a hall took in (异地可办, D-275) — reached the department, which
the case's timeline records with where it came from). Each
event names its case and a reference (order, licence, shipment); the case
records the step, starts the next one or completes, in one transaction with
its events (`shared.cases.fulfilment`, behind `shared.cases.api`). A redelivered event finds its step
recorded and changes nothing. An event without a case or reference, or for
an unknown case, is parked in CaseProgressDLQ with the reason at once.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from shared.cases.api import STEP_EVENTS, cases_service
from shared.cases.config import cases_settings, joint_task_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import PermanentFailure, batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.errors import NotFound
from shared.platform.events import Envelope
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(cases_settings, consumer_settings, joint_task_settings)


class StepEvent(BaseModel):
    """What this worker reads of another context's event (it ignores the rest): the case
    and the reference that finished the step. Missing fields are checked below, so that
    the parked reason names them."""

    model_config = ConfigDict(defer_build=True)  # built with the first event of its types (D-339)

    case_id: str | None = None
    order_id: str | None = None
    licence_id: str | None = None
    shipment_id: str | None = None


step_events: Dispatcher[None] = Dispatcher("case_progress_worker")


@step_events.on(*STEP_EVENTS, data=StepEvent)
def progress(event: StepEvent, envelope: Envelope) -> None:
    step, reference_field = STEP_EVENTS[envelope.type]
    reference = getattr(event, reference_field, None)
    if not event.case_id or not reference:
        raise PermanentFailure(f"{envelope.type} without case_id or {reference_field}")
    try:
        outcome = cases_service().step_done(
            event.case_id, step, reference, correlation_id=envelope.correlation_id or envelope.id
        )
    except NotFound:
        raise PermanentFailure(f"{envelope.type} for unknown case {event.case_id}") from None
    metrics().add_metric(name=f"CaseProgress_{outcome.result}", unit=MetricUnit.Count, value=1)
    # a step that moved the case has the ledger's "case transition" line, a redelivery only its metric; an
    # ignored step (the case was not waiting for it) is worth a line (D-333)
    log = logger().info if outcome.result == "ignored" else logger().debug
    log(
        "case progress",
        extra={"case_id": event.case_id, "event_id": envelope.id, "step": step.value, "result": outcome.result},
    )


# the delivery context's type; its events module is not imported (it loads the shipment models at cold start)
MATERIALS_RECEIVED = "shipment.materials_received"


class PaperEvent(BaseModel):
    """What this worker reads of `shipment.materials_received`."""

    model_config = ConfigDict(defer_build=True)

    case_id: str | None = None
    shipment_id: str | None = None
    origin_masked: str | None = None
    recipient_masked: str | None = None
    waybill: str | None = None


@step_events.on(MATERIALS_RECEIVED, data=PaperEvent)
def paper_arrived(event: PaperEvent, envelope: Envelope) -> None:
    if not event.case_id or not event.shipment_id:
        raise PermanentFailure(f"{envelope.type} without case_id or shipment_id")
    text = f"纸质材料已由 {event.origin_masked or '寄件人'} 寄达 {event.recipient_masked or '办理部门'}"
    if event.waybill:
        text += f"（运单 {event.waybill}）"
    try:
        outcome = cases_service().paper_arrived(
            event.case_id, event.shipment_id, text, correlation_id=envelope.correlation_id or envelope.id
        )
    except NotFound:
        raise PermanentFailure(f"{envelope.type} for unknown case {event.case_id}") from None
    logger().info("paper arrived", extra={"case_id": event.case_id, "event_id": envelope.id, "result": outcome.result})


_consume = batch_handler(step_events.record_handler(), metric="CaseProgressParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
