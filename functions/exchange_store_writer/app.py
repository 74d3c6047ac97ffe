"""exchange_store_writer — every region's case steps into the province's exchange
store (汇聚, issue 19; D-296, D-297).

Fed by ExchangeStoreQueue (ExchangeStoreRule: the case events a 办件 record is
built from, every region). A batch is written at once: one BatchGetItem of the
events' claims, one TransactWriteItems claiming the new ones, one PutObject
per (day, region) partition. A redelivered event whose object exists is
skipped, so a record is never stored twice. If the batch fails (a claim held
by another invocation, a record that cannot be read) the records are written
one by one; a record that keeps failing is parked in ExchangeStoreDLQ with
its reason.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.exchange.api import store_batch, store_one
from shared.exchange.config import exchange_settings, exchange_store_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(exchange_settings, exchange_store_settings, consumer_settings)

_consume = batch_handler(store_one, metric="ExchangeStoreParked", whole_batch=store_batch)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
