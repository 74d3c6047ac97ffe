"""payment_callbacks — payment channels' signed webhooks (支付结果通知), public
route `POST /v1/payment-callbacks/{channel}` (no token: the HMAC signature is
the channel's authentication). Verifies the signature on the raw body, maps
the channel's payload at the edge and hands it to the one callback handler
shared with the partner queue (shared.payments.callbacks)."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.payments.api import callbacks_router
from shared.payments.config import channel_settings, payments_settings
from shared.platform.config import http_settings, idempotency_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, idempotency_settings, payments_settings, channel_settings)

app = make_resolver()
app.include_router(callbacks_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
