"""payment_expiry_sweep — closes unpaid payment orders past their expiry (过期).

Reads the expiry index shard by shard (never a Scan); each order is its own
conditional transaction with its `payment.expired` event, so a run cut short
(time budget) or run twice expires nothing twice; the next run picks up the
rest. A success arriving later is kept and flagged for refund
(shared.payments.callbacks).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.payments.api import payments_service
from shared.payments.config import payments_settings
from shared.platform.clock import iso, now
from shared.platform.config import require
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(payments_settings)

SAFETY_MARGIN_MS = 20_000


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    at = now()
    run_id = new_id()
    logger().set_correlation_id(run_id)
    result = payments_service().expire_due(
        at, run_id, keep_going=lambda: context.get_remaining_time_in_millis() > SAFETY_MARGIN_MS
    )
    metrics().add_metric(name="PaymentOrdersExpired", unit=MetricUnit.Count, value=len(result.expired))
    logger().info(
        "expiry sweep done",
        extra={"expired": len(result.expired), "skipped": result.skipped, "finished": result.finished},
    )
    return {"at": iso(at), "expired": result.expired, "skipped": result.skipped, "finished": result.finished}
