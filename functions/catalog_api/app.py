"""catalog_api — the service catalogue over HTTP (C7, C16, C22, C29) and the
holiday calendar that every legal clock uses. Thin: routing lives in the
contexts' routers, rules in their services."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.api import router as catalog_router
from shared.catalog.config import catalog_settings
from shared.platform.config import http_settings, idempotency_settings, province_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.workdays.api import router as calendar_router
from shared.workdays.config import workdays_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, idempotency_settings, catalog_settings, workdays_settings, province_settings)

app = make_resolver()
app.include_router(catalog_router)
app.include_router(calendar_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
