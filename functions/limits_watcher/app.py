"""limits_watcher — keeps the newest state of every time limit of the platform (C26).

Fed by LimitsWatcherQueue (LimitsWatcherRule): `limit.set`, `limit.cleared` and
`limits.changed` (several of them in one event, D-340) from every context that
runs limits (shared/platform/limits.py). Each limit is
stored once, replaced only by a newer version, so duplicates and any delivery
order end in the same state; a running limit sits in the due index the warning
sweep reads, a paused or cleared one does not. AWS calls per event: one
conditional PutItem or UpdateItem (a lone write, D-322), or, when a clearing
resolves open warnings, one Query of them and one TransactWriteItems with
their `supervision.warning_resolved` events; `limits.changed` does the same for
each limit it carries (a retried record finds those already written stale).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope, parse_bus_message
from shared.platform.limits import (
    LIMIT_CLEARED,
    LIMIT_SET,
    LIMITS_CHANGED,
    LimitClearedData,
    LimitData,
    LimitsChangedData,
)
from shared.platform.observability import logger, metrics
from shared.supervision.api import Watched, limits_watcher
from shared.supervision.config import supervision_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(supervision_settings, consumer_settings)

limits: Dispatcher[list[Watched]] = Dispatcher("limits_watcher")


@limits.on(LIMIT_SET, data=LimitData)
def limit_set(data: LimitData, envelope: Envelope) -> list[Watched]:
    return [limits_watcher().set(data)]


@limits.on(LIMIT_CLEARED, data=LimitClearedData)
def limit_cleared(data: LimitClearedData, envelope: Envelope) -> list[Watched]:
    return [limits_watcher().clear(data)]


@limits.on(LIMITS_CHANGED, data=LimitsChangedData)
def limits_changed(data: LimitsChangedData, envelope: Envelope) -> list[Watched]:
    watcher = limits_watcher()
    return [*map(watcher.clear, data.limits_cleared), *map(watcher.set, data.limits_set)]


def watch(record: SQSRecord) -> None:
    envelope = parse_bus_message(record.body)
    for watched in limits.dispatch(envelope):
        metrics().add_metric(name=f"LimitWatched_{watched.result}", unit=MetricUnit.Count, value=1)
        # a stale (older or repeated) delivery changes nothing: the metric counts it (D-333)
        log = logger().debug if watched.result == "stale" else logger().info
        log(
            "limit watched",
            extra={
                "event_id": envelope.id,
                "event_type": envelope.type,
                "limit_id": watched.limit_id,
                "result": watched.result,
            },
        )


_consume = batch_handler(watch, metric="LimitsWatcherParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
