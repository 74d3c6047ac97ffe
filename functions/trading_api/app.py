"""trading_api — public resource trading over HTTP (C25): notices with their legal periods
checked, interest, candidates and results with credit checks. Thin: routing lives in
shared.trading.routes, rules in shared.trading.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.trading import api as trading
from shared.trading.api import router as trading_router
from shared.trading.config import credit_query_settings, trading_settings
from shared.workdays.config import workdays_settings

# cold start: a missing or malformed variable fails the first invocation, by name (the calendar is
# read from the catalogue table)
require(http_settings, trading_settings, credit_query_settings, workdays_settings)

# the credit lists: the public credit information platform over signed HTTPS (D-310)
trading.wire(credit=trading.credit_platform())

app = make_resolver()
app.include_router(trading_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
