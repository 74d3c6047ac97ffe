"""pre_review_worker — automatic pre-review (自动预审, C14) of every submission.

Fed by PreReviewQueue (CaseSubmittedRule: `case.submitted`, first submissions
and resubmissions after a supplement). Each record's case is checked against
its item's material list, formats and sizes, form and applicant kind; the
case moves to pre_review_passed (即办件: accepted at once) or to
supplement_required with one notice listing everything (一次性告知), in one
transaction with the event that tells the applicant's message center.

Idempotent without a store: a case no longer at the state and version the
event describes was handled already, so redeliveries are skipped. A record
that keeps failing is parked in PreReviewDLQ by this function on its last
receive, with the failure reason as message attributes (the queue's redrive
policy remains the backstop); its case stays visible as submitted. Peers in
the batch succeed (partial batch response).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases.events import SUBMITTED, SubmittedData
from shared.cases.service import cases_service
from shared.platform.aws import sqs
from shared.platform.clock import iso, now
from shared.platform.config import settings
from shared.platform.events import parse_bus_message
from shared.platform.observability import logger, metrics

# a batch whose every record failed is still answered with its failures (not an exception),
# so SQS retries exactly those records and counts their receives
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
_MAX_REASON = 900


class UnexpectedEvent(ValueError):
    """An event type this consumer is not subscribed to: a routing mistake worth a DLQ look."""


def review(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    if envelope.type != SUBMITTED:
        raise UnexpectedEvent(envelope.type)
    submitted = SubmittedData.model_validate(envelope.data)
    outcome = cases_service().pre_review(
        submitted.case_id, submitted.version, correlation_id=envelope.correlation_id or envelope.id
    )
    metrics().add_metric(name=f"PreReview_{outcome.result}", unit=MetricUnit.Count, value=1)
    logger().info(
        "pre-review done",
        extra={
            "case_id": submitted.case_id,
            "event_id": envelope.id,
            "result": outcome.result,
            "deficiencies": len(outcome.deficiencies),
        },
    )


def _receives(record: SQSRecord) -> int:
    try:
        return int(record.attributes.approximate_receive_count or 1)
    except (TypeError, ValueError):
        return 1


def park(record: SQSRecord, failure: Exception) -> bool:
    """Move the message to the DLQ with why it failed; False when that did not work
    (then the message is retried and the redrive policy parks it without a reason)."""
    dlq = settings().pre_review_dlq_url
    if not dlq:
        return False
    reason = f"{type(failure).__name__}: {failure}"[:_MAX_REASON]
    try:
        sqs().send_message(
            QueueUrl=dlq,
            MessageBody=record.body,
            MessageAttributes={
                "failure_reason": {"DataType": "String", "StringValue": reason},
                "failed_at": {"DataType": "String", "StringValue": iso(now())},
                "receive_count": {"DataType": "Number", "StringValue": str(_receives(record))},
                "source_message_id": {"DataType": "String", "StringValue": record.message_id},
            },
        )
    except Exception:
        logger().exception("could not park the message in the DLQ", extra={"message_id": record.message_id})
        return False
    logger().error("pre-review message parked in the DLQ", extra={"message_id": record.message_id, "reason": reason})
    metrics().add_metric(name="PreReviewParked", unit=MetricUnit.Count, value=1)
    return True


def record_handler(record: SQSRecord) -> None:
    try:
        review(record)
    except Exception as failure:
        if _receives(record) >= settings().pre_review_max_receives and park(record, failure):
            return
        raise


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
