"""intake_sweep — 行政许可法 第32条 on a schedule: a case whose intake decision
(accept, refuse or ask for supplements) is still pending after the 5th working
day from receipt counts as accepted from receipt (视为受理); the sweep records
that, with why, in the case's timeline and tells the applicant.

Reads the Art. 32 index shard by shard (never a Scan). Each case is its own
conditional transaction, so a sweep cut short (time budget) or run twice
changes nothing twice; the next run picks up the rest.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases import api as cases
from shared.cases.api import cases_service
from shared.cases.config import cases_settings
from shared.catalog.config import catalog_settings
from shared.platform.clock import today_in_shanghai
from shared.platform.config import require
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(cases_settings, catalog_settings)
# every run is the intake use case's Art. 32 sweep: load it now, not on the first run (D-317)
cases.preload("intake")

SAFETY_MARGIN_MS = 20_000


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    today = today_in_shanghai()
    run_id = new_id()
    logger().set_correlation_id(run_id)
    result = cases_service().deem_accepted_when_due(
        today,
        correlation_id=run_id,
        keep_going=lambda: context.get_remaining_time_in_millis() > SAFETY_MARGIN_MS,
    )
    metrics().add_metric(name="CasesDeemedAccepted", unit=MetricUnit.Count, value=len(result.deemed_accepted))
    logger().info(
        "art. 32 sweep done",
        extra={
            "today": today.isoformat(),
            "deemed_accepted": len(result.deemed_accepted),
            "skipped": result.skipped,
            "finished": result.finished,
        },
    )
    return {
        "today": today.isoformat(),
        "deemed_accepted": result.deemed_accepted,
        "skipped": result.skipped,
        "finished": result.finished,
    }
