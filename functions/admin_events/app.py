"""admin_events — the management platform's consumer (issue 19, D-290, D-292).

Fed by AdminEventsQueue (AdminEventsRule):
- every administrative event (identity.workforce_account_changed, the catalogue's
  item_published / item_retired / caps_set / synonym_set / synonym_removed / scene_set,
  admin.claim_claimed): appended to the hash-chained admin audit log, once per event id;
- `catalog.item_published` at the province's level also opens one claim task per
  concerned city and county department, with its `limit.set` (idempotent per task).

A record that keeps failing is parked in AdminEventsDLQ with the reason
(`shared.platform.consumer`).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.admin.api import admin_consumer, wire
from shared.admin.config import admin_settings, claim_settings
from shared.catalog import api as catalog
from shared.catalog.config import catalog_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Reported
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
# (the catalogue's table: its departments, and the working-day calendar for claim limits)
require(admin_settings, claim_settings, catalog_settings, consumer_settings)
# the catalogue's service loads on a publication's first claim, not at cold start (D-315, D-339)
wire(
    departments=lambda region_prefix: catalog.departments_in(region_prefix),
    implemented=lambda basic_code, department_ids: catalog.departments_implementing(basic_code, department_ids),
)


_consume = batch_handler(
    admin_consumer.record_handler(reported=Reported("AdminEvents", "admin event", "duplicate")),
    metric="AdminEventsParked",
)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
