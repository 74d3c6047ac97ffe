"""outbox_relay — puts outbox events from the tables' streams on the domain bus.

Fed by each context table's stream, filtered in the template to outbox
INSERTs. Entries go out in PutEvents calls of up to 10; when an entry fails,
the handler reports the first failed record so the stream retries from there
(earlier records are done; later ones are sent again, which consumers
tolerate since every consumer is idempotent). An event is never dropped:
after the retries the record goes to the OutboxRelayDLQ with an alarm.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import event_bus_settings, require
from shared.platform.observability import logger, metrics
from shared.platform.relay import relay_stream_records

# cold start: a missing or malformed variable fails the first invocation, by name
require(event_bus_settings)


@metrics().log_metrics
@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return relay_stream_records(event.get("Records", []))
