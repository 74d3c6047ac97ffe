"""scene_progress — the one progress view of scene applications (一件事, D-279).

Fed by SceneProgressQueue (SceneProgressRule): case events whose data names a
scene application move that application's view of the case (older or repeated
events change nothing); the last finished case completes the application with
`scene_application.completed` in the same transaction.

A record that keeps failing is parked in SceneProgressDLQ with the reason
(`shared.platform.consumer`).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Reported
from shared.platform.observability import logger, metrics
from shared.scenes.api import scenes_consumer
from shared.scenes.config import scenes_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(scenes_settings, consumer_settings)


_consume = batch_handler(
    scenes_consumer.record_handler(reported=Reported("SceneProgress", "scene progress", "unchanged")),
    metric="SceneProgressParked",
)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
