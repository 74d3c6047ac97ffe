"""monitoring_api — live monitoring figures and department scorecards for
supervisors and department staff; scoring rules for operators (C26, issue 15).
Thin: routing in shared.supervision.monitoring_routes."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.supervision.api import monitoring_router
from shared.supervision.config import supervision_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, supervision_settings)

app = make_resolver()
app.include_router(monitoring_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
