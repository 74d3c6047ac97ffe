"""Relaying outbox items from a DynamoDB stream to the EventBridge bus.

Kept apart from the function so it can be unit-tested with a stubbed client
and so every context's table can share one relay function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from shared.platform.aws import events
from shared.platform.config import event_bus_settings
from shared.platform.dynamo import OUTBOX_KIND, outbox_events
from shared.platform.events import Envelope
from shared.platform.observability import logger, metrics

PUT_EVENTS_MAX_ENTRIES = 10


def _envelopes(record: dict[str, Any]) -> list[Envelope]:
    """The events of one stream record: those of a transaction's outbox item (D-319), or none."""
    image = record.get("dynamodb", {}).get("NewImage")
    if record.get("eventName") != "INSERT" or not image or image.get("kind") != {"S": OUTBOX_KIND}:
        return []
    # a stream record carries binary values as base64 text, which from_item does not take
    return [Envelope.model_validate(event) for event in outbox_events({"events": image["events"]["B"]})]


def relay_stream_records(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Put every outbox event in `records` on the bus, in stream order.

    Returns the partial batch response: empty when all went out, otherwise the
    sequence number of the record holding the first event that did not, so the
    stream resumes there (that record's events before it go out again: consumers
    take duplicates, as they take the bus's own).
    """
    bus = event_bus_settings().event_bus_name
    pending: list[tuple[str, Envelope]] = []
    for record in records:
        for envelope in _envelopes(record):
            pending.append((record["dynamodb"]["SequenceNumber"], envelope))

    sent = 0
    for start in range(0, len(pending), PUT_EVENTS_MAX_ENTRIES):
        chunk = pending[start : start + PUT_EVENTS_MAX_ENTRIES]
        try:
            response = events().put_events(Entries=[env.bus_entry(bus) for _, env in chunk])  # type: ignore[misc]
            results = response.get("Entries", [])
        except Exception:
            logger().exception("put_events failed", extra={"events": len(chunk)})
            results = [{"ErrorCode": "CallFailed"}] * len(chunk)
        for (sequence, envelope), result in zip(chunk, results, strict=True):
            if result.get("ErrorCode"):
                logger().warning(
                    "event not relayed; the stream will retry from it",
                    extra={"event_id": envelope.id, "event_type": envelope.type, "error": result.get("ErrorCode")},
                )
                metrics().add_metric(name="OutboxEventsRelayed", unit=MetricUnit.Count, value=sent)
                return {"batchItemFailures": [{"itemIdentifier": sequence}]}
            sent += 1
            # DEBUG: the state change was logged by the function that made it; the relay counts it (metric)
            logger().debug(
                "event relayed",
                extra={"event_id": envelope.id, "event_type": envelope.type, "subject": envelope.subject},
            )
    metrics().add_metric(name="OutboxEventsRelayed", unit=MetricUnit.Count, value=sent)
    return {"batchItemFailures": []}
