"""licence_publisher — writes the published trust list and bitstring status
list to the Licences bucket (`public/…`) after issuance and every status
change (C11).

Fed by LicencePublishQueue (LicencePublishRule: `licence.issued`,
`licence.suspended`, `licence.reinstated`, `licence.revoked`,
`licence.replaced`). Each run writes the current state, so duplicates and
any order are harmless; one write per batch covers all its records.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.licences.config import licence_documents_settings, licences_settings, signing_settings
from shared.licences.events import STATUS_EVENTS, LicenceFacts
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(licences_settings, licence_documents_settings, signing_settings, consumer_settings)

status_changes: Dispatcher[None] = Dispatcher("licence_publisher")
_published_in_this_batch: list[bool] = []


@status_changes.on(*STATUS_EVENTS, data=LicenceFacts)
def publish(licence: LicenceFacts, envelope: Envelope) -> None:
    from shared.licences.api import licences_service  # first use: boto3 stays out of the cold start

    if _published_in_this_batch:
        return
    written = licences_service().publish()
    _published_in_this_batch.append(True)
    metrics().add_metric(name="LicenceListsPublished", unit=MetricUnit.Count, value=1)
    logger().info("licence lists published", extra={"event_id": envelope.id, "keys": written})


_consume = batch_handler(status_changes.record_handler(), metric="LicencePublishParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _published_in_this_batch.clear()
    return _consume(event, context)
