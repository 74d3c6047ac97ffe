"""identity_api — unified identity over HTTP (C9, C13): one-time codes,
real-name registration, sign-in for citizens, agents and staff, refresh and
sign-out, the JWKS, the user's profile and enterprises, enterprise agents,
the message center, and the management platform's workforce accounts. Thin:
routing lives in the contexts' routers, rules in their services."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog import api as catalog
from shared.catalog.config import catalog_settings
from shared.identity.api import router as identity_router
from shared.identity.api import wire, workforce_router
from shared.identity.config import hashing_settings, identity_settings, registry_settings, token_settings
from shared.notifications.api import router as messages_router
from shared.notifications.config import notifications_settings
from shared.platform.config import (
    http_settings,
    idempotency_settings,
    partner_settings,
    require,
    sealing_settings,
    sms_settings,
    stage_settings,
)
from shared.platform.http import make_resolver
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    http_settings,
    idempotency_settings,
    identity_settings,
    hashing_settings,
    token_settings,
    registry_settings,
    sealing_settings,
    notifications_settings,
    sms_settings,
    stage_settings,
    partner_settings,
    catalog_settings,
)
# the management platform checks a staff account's department in the catalogue (D-290); the
# catalogue's service loads on the first such check, not at cold start (D-315)
wire(departments=lambda region_code, department_id: catalog.department_name(region_code, department_id))

app = make_resolver()
app.include_router(identity_router)
app.include_router(workforce_router)
app.include_router(messages_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
