"""halls_api — service halls over HTTP (issue 17, C2, C3, C18): halls near a point or
in a county with today's waiting counts, operator management, appointments,
queue numbers and the window clerk's call. Thin: routing lives in
shared.halls.routes, rules in shared.halls.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.halls.api import router as halls_router
from shared.halls.config import halls_settings
from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.workdays.config import workdays_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, halls_settings, workdays_settings)

app = make_resolver()
app.include_router(halls_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
