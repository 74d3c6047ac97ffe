"""supervision_sweep — 效能监察 on a schedule (C26): yellow when a configurable
share of a time limit is used or few working days are left, red when overdue,
for every running limit of the platform (cases, joint tasks, the Art. 44
licence limit, 12345 tickets, rectifications, supervision orders). Each warning
is written once per limit and level, with its `supervision.warning_raised`
event, in one conditional transaction: a sweep cut short or run twice raises
nothing twice, and a paused limit (not in the due index) raises nothing.
A supervision order unanswered past its reply limit goes to the supervisors of
the level above (county → city → province), once per level.

Reads the Supervision table's due index shard by shard up to the yellow
horizon (never a Scan), and the platform calendar. Configuration:
`SUPERVISION_YELLOW_SHARE` (default 0.8), `SUPERVISION_YELLOW_DAYS_LEFT`
(default 3 working days), `SUPERVISION_HORIZON_DAYS` (default 120).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.config import catalog_settings
from shared.platform.clock import today_in_shanghai
from shared.platform.config import require
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics
from shared.supervision.api import WarningPolicy, supervision_service
from shared.supervision.config import supervision_settings, warning_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(supervision_settings, warning_settings, catalog_settings)

SAFETY_MARGIN_MS = 20_000


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    today = today_in_shanghai()
    run_id = new_id()
    logger().set_correlation_id(run_id)
    result = supervision_service().sweep(
        today,
        WarningPolicy.configured(),
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
            "escalated": len(result.escalated),
            "already": result.already,
            "finished": result.finished,
        },
    )
    return {
        "today": today.isoformat(),
        "read": result.read,
        "raised": result.raised,
        "escalated": result.escalated,
        "already": result.already,
        "finished": result.finished,
    }
