"""supervision_sweep — 效能监察 on a schedule (C26): yellow when a configurable
share of a time limit is used or few working days are left, red when overdue,
for running cases and open joint tasks. Each warning is written once per
case (or task) and level, with its `case.deadline_warning` event, in one
conditional transaction: a sweep cut short or run twice raises nothing twice.

Reads the legal-clock due index shard by shard up to the yellow horizon
(never a Scan). Configuration: `SUPERVISION_YELLOW_SHARE` (default 0.8),
`SUPERVISION_YELLOW_DAYS_LEFT` (default 3 working days), `SUPERVISION_HORIZON_DAYS`
(default 120); the list partitions are the cities of `PROVINCE_CODE` (default
`320000`) in the division table.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases.api import WarningPolicy, cases_service
from shared.cases.config import cases_settings, supervision_settings
from shared.catalog.config import catalog_settings
from shared.platform.clock import today_in_shanghai
from shared.platform.config import province_settings, require
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(cases_settings, catalog_settings, supervision_settings, province_settings)

SAFETY_MARGIN_MS = 20_000


def policy() -> WarningPolicy:
    """The validated settings (shared.platform.config): a bad value fails by name."""
    return WarningPolicy.configured()


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    today = today_in_shanghai()
    run_id = new_id()
    logger().set_correlation_id(run_id)
    result = cases_service().sweep_deadlines(
        today,
        policy(),
        correlation_id=run_id,
        keep_going=lambda: context.get_remaining_time_in_millis() > SAFETY_MARGIN_MS,
    )
    metrics().add_metric(name="DeadlineWarningsRaised", unit=MetricUnit.Count, value=len(result.raised))
    logger().info(
        "supervision sweep done",
        extra={
            "today": today.isoformat(),
            "read": result.read,
            "raised": len(result.raised),
            "already": result.already,
            "finished": result.finished,
        },
    )
    return {
        "today": today.isoformat(),
        "read": result.read,
        "raised": result.raised,
        "already": result.already,
        "finished": result.finished,
    }
