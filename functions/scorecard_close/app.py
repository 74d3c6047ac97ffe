"""scorecard_close — closes last month's department scorecards (issue 15; D-127).

Scheduled at 00:30 Asia/Shanghai on the 2nd, 3rd and 4th of each month (a failed
run is caught up the next day; closing a closed month changes nothing). For every
region with counts in the month — found by walking the monitoring rows down from
the deployment's province (PROVINCE_CODE) — the region's departments' month counters are frozen as
the scorecard's inputs and scored under the current rule.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.clock import previous_month
from shared.platform.config import province_settings, require
from shared.platform.observability import logger, metrics
from shared.supervision.api import Scorecards, monitoring
from shared.supervision.config import supervision_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(supervision_settings, province_settings)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    month = previous_month()
    closed = Scorecards(monitoring()).close_month(month, [province_settings().province_code])
    metrics().add_metric(name="ScorecardsClosed", unit=MetricUnit.Count, value=len(closed))
    logger().info("scorecards closed", extra={"month": month, "regions": len(closed)})
    return {"month": month, "regions": closed}
