"""analytics_worker — the slow-step and load projection from case events (issue 16; D-267).

Fed by AnalyticsQueue (AnalyticsRule: every case event that moves a case). Each event joins
its case's timeline in the Reports table; the stays the case has left count in the working-day
histograms of their department and item, and its first submission in its department's week,
right after the timeline's conditional write, one write each (D-281): a duplicate or a late delivery
changes nothing twice. A batch is read at once (one BatchGetItem of its timelines), falling
back to one record at a time when anything fails.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.config import catalog_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.observability import logger, metrics
from shared.reports.api import analytics_apply_batch, analytics_apply_record
from shared.reports.config import analytics_settings

# cold start: a missing or malformed variable fails the first invocation, by name
# (the catalogue's table holds the working-day calendar)
require(analytics_settings, catalog_settings, consumer_settings)

_consume = batch_handler(analytics_apply_record, metric="AnalyticsEventParked", whole_batch=analytics_apply_batch)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
