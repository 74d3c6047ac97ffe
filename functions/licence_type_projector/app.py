"""licence_type_projector — keeps the catalogue's copy of the licence-type
directory (D-101) from the licences context's `licence_type.changed` events.

Fed by LicenceTypesQueue (LicenceTypesRule: `licence_type.changed`). The copy
(code, name, active or retired, version) is what the catalogue reads when it
refuses to publish an item naming an unknown or retired licence type; it
keeps the newest version seen, so duplicates and any order are harmless and
no idempotency store is needed. A record that cannot be read or written is a
partial batch failure through the shared consumer: retried, then parked in
LicenceTypesDLQ with the reason.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.api import record_licence_type
from shared.catalog.config import catalog_settings
from shared.licences.events import LICENCE_TYPE_CHANGED, LicenceTypeChangedData
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(catalog_settings, consumer_settings)

directory_changes: Dispatcher[None] = Dispatcher("licence_type_projector")


@directory_changes.on(LICENCE_TYPE_CHANGED, data=LicenceTypeChangedData)
def changed(change: LicenceTypeChangedData, envelope: Envelope) -> None:
    recorded = record_licence_type(change.code, name=change.name, status=change.status, version=change.version)
    logger().info(
        "licence type copied",
        extra={"event_id": envelope.id, "type_code": change.code, "version": change.version, "recorded": recorded},
    )


_consume = batch_handler(directory_changes.record_handler(), metric="LicenceTypesParked")


@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
