"""supervision_api — supervision over HTTP (效能监察与督办, C20, C26): supervisors list
open warnings of their region and issue, list, close or escalate supervision orders;
the responsible departments' staff list and reply to theirs. Thin: routing lives in shared.supervision.routes,
rules in shared.supervision.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.config import catalog_settings
from shared.platform.config import http_settings, idempotency_settings, province_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.supervision.api import router as supervision_router
from shared.supervision.config import supervision_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, idempotency_settings, supervision_settings, catalog_settings, province_settings)

app = make_resolver()
app.include_router(supervision_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
