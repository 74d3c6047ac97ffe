"""exchange_api — the data-exchange context over HTTP: the schema registry
(`/v1/schemas`, public, cacheable). Thin: the routes live in shared.exchange."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.exchange.api import router
from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings)

app = make_resolver()
app.include_router(router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
