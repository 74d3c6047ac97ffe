"""trading_worker — a trading notice follows the 12345 complaints that name it (D-312).

Fed by TradingComplaintsQueue (TradingComplaintsRule): ticket.opened, ticket.answered and
ticket.closed of the hotline. A ticket carrying `link_notice_id` is kept on the notice as a
complaint, answered once the department answers or the ticket closes; the notice's result
waits while one is unanswered. Tickets naming no notice are ignored. Idempotent and
order-proof (`TradingService.follow_complaint`). A record that keeps failing is parked in
TradingComplaintsDLQ (`shared.platform.consumer`).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Reported
from shared.platform.observability import logger, metrics
from shared.trading.api import trading_consumer
from shared.trading.config import trading_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(trading_settings, consumer_settings)


_consume = batch_handler(
    trading_consumer.record_handler(reported=Reported("TradingComplaints", "trading complaint event", "ignored")),
    metric="TradingComplaintsParked",
)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
