"""monitoring_worker — live monitoring counters from events (C26, issue 15; D-125).

Fed by MonitoringQueue (MonitoringRule: every case event that moves a case, and
the supervision warnings). A case event merges into the case's track and moves
the counters by the change of what the case contributes: the track's conditional
PutItem, then one UpdateItem ADD per counter row (D-281, no transaction; all at
once on a few threads, D-321), so a
duplicate or an older delivery changes nothing twice; warnings, orders, ratings
and rectifications keep tracks the same way. A batch is applied at once (D-208):
one BatchGetItem of its tracks, a PutItem per track and one ADD per row it moves,
falling back to one event at a time when that fails (a track moved, a bad record).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.config import catalog_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.observability import logger, metrics
from shared.supervision.api import apply_batch, monitoring_dispatcher
from shared.supervision.config import supervision_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(supervision_settings, catalog_settings, consumer_settings)

_consume = batch_handler(
    monitoring_dispatcher.record_handler(), metric="MonitoringEventParked", whole_batch=apply_batch
)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
