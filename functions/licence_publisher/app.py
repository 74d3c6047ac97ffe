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

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.licences.events import STATUS_EVENTS
from shared.platform.consumer import UnexpectedEvent, batch_handler
from shared.platform.events import parse_bus_message
from shared.platform.observability import logger, metrics

_published_in_this_batch: list[bool] = []


def publish(record: SQSRecord) -> None:
    from shared.licences.api import licences_service  # first use: boto3 stays out of the cold start

    envelope = parse_bus_message(record.body)
    if envelope.type not in STATUS_EVENTS:
        raise UnexpectedEvent(envelope.type)
    if _published_in_this_batch:
        return
    written = licences_service().publish()
    _published_in_this_batch.append(True)
    metrics().add_metric(name="LicenceListsPublished", unit=MetricUnit.Count, value=1)
    logger().info("licence lists published", extra={"event_id": envelope.id, "keys": written})


_consume = batch_handler(publish, metric="LicencePublishParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _published_in_this_batch.clear()
    return _consume(event, context)
