"""payment_reconciliation — daily reconciliation (对账) of each channel's
statement against the successes we received (shared.payments.reconciliation).

Scheduled at 02:00 Asia/Shanghai for the day before. A manual run may name the
day and channel: `{"day": "2026-11-25", "channel": "jspay"}`. Writes a report
per channel and day to the reconciliation bucket and the metric
`ReconciliationDiscrepancies` (alarmed above 0).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.payments.api import channels, reconcile, report_key
from shared.payments.config import channel_settings, payments_settings, reconciliation_settings
from shared.platform.clock import today_in_shanghai
from shared.platform.config import require
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(payments_settings, channel_settings, reconciliation_settings)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger().set_correlation_id(new_id())
    asked = event.get("day") if isinstance(event, dict) else None
    day = dt.date.fromisoformat(asked) if isinstance(asked, str) else today_in_shanghai() - dt.timedelta(days=1)
    wanted = event.get("channel") if isinstance(event, dict) else None
    summaries = []
    total = 0
    for channel in sorted(channels()):
        if wanted and channel != wanted:
            continue
        report = reconcile(channel, day)
        total += report.discrepancies
        summaries.append(report.summary() | {"report_key": report_key(channel, day)})
        logger().info("reconciliation done", extra=report.summary())
    metrics().add_metric(name="ReconciliationDiscrepancies", unit=MetricUnit.Count, value=total)
    return {"day": day.isoformat(), "reports": summaries, "discrepancies": total}
