"""One way to consume an SQS queue (every queue consumer of the platform).

- Partial batch response: each record succeeds or fails alone, so one bad
  message never blocks its batch peers (ReportBatchItemFailures).
- A record that keeps failing is parked by the consumer itself in its DLQ on
  its last receive (`MAX_RECEIVES`, equal to the queue's maxReceiveCount),
  with the reason as message attributes, so an operator sees why; the
  queue's redrive policy stays the backstop if parking fails.
- A `PermanentFailure` (unknown event type, a partner message we cannot map,
  an unknown reference) is parked at once: retrying cannot fix it, only a
  fix and a redrive (`make redrive QUEUE=…`) can.

Handlers must be idempotent: SQS delivers at least once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.aws import sqs
from shared.platform.clock import iso, now
from shared.platform.config import consumer_settings
from shared.platform.observability import logger, metrics

_MAX_REASON = 900

RecordHandler = Callable[[SQSRecord], None]
WholeBatch = Callable[[list[SQSRecord]], None]
BatchHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class PermanentFailure(ValueError):
    """The message can never succeed as it is: park it in the DLQ now, with this reason."""


class UnexpectedEvent(PermanentFailure):
    """An event type this consumer is not subscribed to: a routing mistake worth a DLQ look."""


def receives(record: SQSRecord) -> int:
    try:
        return int(record.attributes.approximate_receive_count or 1)
    except (KeyError, TypeError, ValueError):  # a record without the attribute counts as its first receive
        return 1


def park(record: SQSRecord, failure: Exception, *, metric: str) -> bool:
    """Move the message to the DLQ with why it failed; False when that did not work
    (then the message is retried and the redrive policy parks it without a reason)."""
    dlq = consumer_settings().dlq_url
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
                "receive_count": {"DataType": "Number", "StringValue": str(receives(record))},
                "source_message_id": {"DataType": "String", "StringValue": record.message_id},
            },
        )
    except Exception:
        logger().exception("could not park the message in the DLQ", extra={"message_id": record.message_id})
        return False
    logger().error("message parked in the DLQ", extra={"message_id": record.message_id, "reason": reason})
    metrics().add_metric(name=metric, unit=MetricUnit.Count, value=1)
    return True


def parking(handle: RecordHandler, *, metric: str) -> RecordHandler:
    """`handle`, with failures parked on the last receive (or at once when permanent)."""

    def record_handler(record: SQSRecord) -> None:
        try:
            handle(record)
        except Exception as failure:
            last = isinstance(failure, PermanentFailure) or receives(record) >= consumer_settings().max_receives
            if last and park(record, failure, metric=metric):
                return
            raise

    return record_handler


def batch_handler(handle: RecordHandler, *, metric: str, whole_batch: WholeBatch | None = None) -> BatchHandler:
    """A Lambda handler for an SQS trigger: `handle` per record, partial batch response.

    `whole_batch`, when given, first tries the batch at once (a consumer that can write
    a batch in fewer calls than its records, D-208); if it raises, every record goes
    through `handle` as usual, so `handle` must give the same result whatever part of
    the batch the attempt wrote (idempotent handlers do).

    The loop is ours rather than Powertools' `BatchProcessor` (D-093): that module loads
    every Powertools parser model at import, ~50 ms of each consumer's cold start, for
    the dozen lines below (the outbox relay answers its stream the same way)."""
    record_handler = parking(handle, metric=metric)

    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        records = [SQSRecord(raw) for raw in event.get("Records") or []]
        if whole_batch is not None and len(records) > 1:
            try:
                whole_batch(records)
            except Exception as failure:
                logger().info("batch applied record by record", extra={"error": type(failure).__name__})
            else:
                return {"batchItemFailures": []}
        # a batch whose every record failed is still answered with its failures (not an
        # exception), so SQS retries exactly those records and counts their receives
        failures: list[dict[str, str]] = []
        for record in records:
            try:
                record_handler(record)
            except Exception as failure:  # one bad record never fails its batch peers
                # the type only: an exception's text may quote the message's personal data
                logger().warning(
                    "record failed; SQS will deliver it again",
                    extra={"message_id": record.message_id, "error": type(failure).__name__},
                )
                failures.append({"itemIdentifier": record.message_id})
        return {"batchItemFailures": failures}

    return handler
