"""open_data_publisher — rewrites a division's public 不见面 / 见一次面 list
snapshot when one of its items is published or retired (C29).

Fed by OpenDataQueue (OpenDataRule: `catalog.item_published`,
`catalog.item_retired`). Each record names a division; its snapshot is
rebuilt from the current catalogue, so duplicates and any order are harmless
and no idempotency store is needed. A division rebuilt once in a batch is not
rebuilt again for the batch's later records (the rebuild already saw them).
A record that cannot be read, or whose rebuild fails, is reported as a
partial batch failure: it is retried and, after maxReceiveCount, lands in
OpenDataDLQ; its peers succeed.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.api import CatalogService, snapshot_key, write_region_snapshot
from shared.catalog.events import ITEM_PUBLISHED, ITEM_RETIRED, ItemPublishedData, ItemRetiredData
from shared.platform.events import parse_bus_message
from shared.platform.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)
_DATA_MODELS: dict[str, type[ItemPublishedData] | type[ItemRetiredData]] = {
    ITEM_PUBLISHED: ItemPublishedData,
    ITEM_RETIRED: ItemRetiredData,
}
_rebuilt_in_this_batch: set[str] = set()


class UnexpectedEvent(ValueError):
    """An event type this consumer is not subscribed to: a routing mistake worth a DLQ look."""


def record_handler(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    model = _DATA_MODELS.get(envelope.type)
    if model is None:
        raise UnexpectedEvent(envelope.type)
    region_code = model.model_validate(envelope.data).region_code
    if region_code in _rebuilt_in_this_batch:
        return
    snapshot = write_region_snapshot(CatalogService(), region_code)
    _rebuilt_in_this_batch.add(region_code)
    logger().info(
        "open-data snapshot written",
        extra={
            "event_id": envelope.id,
            "event_type": envelope.type,
            "key": snapshot_key(region_code),
            "items": snapshot.item_count,
        },
    )


@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _rebuilt_in_this_batch.clear()
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
