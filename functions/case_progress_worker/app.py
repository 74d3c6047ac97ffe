"""case_progress_worker — moves approved cases through payment, licence and
delivery to 办结 (网上批、快递送).

Fed by CaseProgressQueue (CaseProgressRule: `payment.paid`, `licence.issued`,
`shipment.delivered` from the payments, licences and delivery contexts). Each
event names its case and a reference (order, licence, shipment); the case
records the step, starts the next one or completes, in one transaction with
its events (`shared.cases.fulfilment`, behind `shared.cases.api`). A redelivered event finds its step
recorded and changes nothing. An event without a case or reference, or for
an unknown case, is parked in CaseProgressDLQ with the reason at once.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases.api import STEP_EVENTS, cases_service
from shared.platform.consumer import PermanentFailure, UnexpectedEvent, batch_handler
from shared.platform.errors import NotFound
from shared.platform.events import parse_bus_message
from shared.platform.observability import logger, metrics


def progress(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    if envelope.type not in STEP_EVENTS:
        raise UnexpectedEvent(envelope.type)
    step, reference_field = STEP_EVENTS[envelope.type]
    case_id = envelope.data.get("case_id")
    reference = envelope.data.get(reference_field)
    if not isinstance(case_id, str) or not isinstance(reference, str):
        raise PermanentFailure(f"{envelope.type} without case_id or {reference_field}")
    try:
        outcome = cases_service().step_done(
            case_id, step, reference, correlation_id=envelope.correlation_id or envelope.id
        )
    except NotFound:
        raise PermanentFailure(f"{envelope.type} for unknown case {case_id}") from None
    metrics().add_metric(name=f"CaseProgress_{outcome.result}", unit=MetricUnit.Count, value=1)
    logger().info(
        "case progress",
        extra={"case_id": case_id, "event_id": envelope.id, "step": step.value, "result": outcome.result},
    )


_consume = batch_handler(progress, metric="CaseProgressParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
