"""open_data_publisher — rewrites a division's public 不见面 / 见一次面 list
snapshot when one of its items is published or retired (C29).

Fed by OpenDataQueue (OpenDataRule: `catalog.item_published`,
`catalog.item_retired`). Each record names a division; its snapshot is
rebuilt from the current catalogue, so duplicates and any order are harmless
and no idempotency store is needed. A division rebuilt once in a batch is not
rebuilt again for the batch's later records (the rebuild already saw them).
A record that cannot be read, or whose rebuild fails, is reported as a
partial batch failure through the shared consumer: it is retried and, after
maxReceiveCount, lands in OpenDataDLQ (the function has no DLQ_URL, so the
redrive policy parks it, without a reason); its peers succeed.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.api import CatalogService, snapshot_key, write_region_snapshot
from shared.catalog.config import catalog_settings, open_data_settings
from shared.catalog.events import ITEM_PUBLISHED, ITEM_RETIRED, ItemPublishedData, ItemRetiredData
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(catalog_settings, open_data_settings, consumer_settings)

catalog_changes: Dispatcher[None] = Dispatcher("open_data_publisher")
_rebuilt_in_this_batch: set[str] = set()


@catalog_changes.on(ITEM_PUBLISHED, data=ItemPublishedData)
def published(change: ItemPublishedData, envelope: Envelope) -> None:
    rebuild(change.region_code, envelope)


@catalog_changes.on(ITEM_RETIRED, data=ItemRetiredData)
def retired(change: ItemRetiredData, envelope: Envelope) -> None:
    rebuild(change.region_code, envelope)


def rebuild(region_code: str, envelope: Envelope) -> None:
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


_consume = batch_handler(catalog_changes.record_handler(), metric="OpenDataParked")


@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _rebuilt_in_this_batch.clear()
    return _consume(event, context)
