"""hotline_follow_up — 回访 on a schedule: an answered 12345 ticket whose requester has
not rated it within the follow-up limit (3 working days, HOTLINE `RATING_DAYS`) is closed
as `no_response`, with its `ticket.closed` event.

Reads only the due entries of the follow-up index, shard by shard (never a Scan). Each
ticket is its own conditional transaction: a ticket rated meanwhile stays as rated, and
a run cut short or repeated closes nothing twice.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.hotline.api import hotline_service
from shared.hotline.config import hotline_settings
from shared.platform.clock import today_in_shanghai
from shared.platform.config import require
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(hotline_settings)

SAFETY_MARGIN_MS = 20_000


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    today = today_in_shanghai()
    run_id = new_id()
    logger().set_correlation_id(run_id)
    result = hotline_service().close_unrated(
        today, correlation_id=run_id, keep_going=lambda: context.get_remaining_time_in_millis() > SAFETY_MARGIN_MS
    )
    metrics().add_metric(name="TicketsClosedNoResponse", unit=MetricUnit.Count, value=result["closed"])
    logger().info("follow-up closer done", extra={"today": today.isoformat(), **result})
    return {"today": today.isoformat(), **result}
