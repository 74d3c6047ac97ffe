"""ratings_api — 好差评 over HTTP (C13, C27, C28): rating, changing, one-time links,
appeals, rectification orders, the user center's ratings and the public
exposure column. Thin: routing lives in shared.ratings.routes, rules in
shared.ratings.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.ratings.api import router as ratings_router
from shared.ratings.config import ratings_settings
from shared.workdays.config import workdays_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, ratings_settings, workdays_settings)

app = make_resolver()
app.include_router(ratings_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
