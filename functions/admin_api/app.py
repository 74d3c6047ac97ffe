"""admin_api — the management platform over HTTP (issue 19, D-290): the admin audit log
(read, verify) and item claim tasks (list, claim). Thin: the routes live in shared.admin;
a claim creates its implementation through the catalogue's own use case (wired below).
Workforce accounts are the identity context's routes (identity_api)."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.admin.api import router, wire
from shared.admin.config import admin_settings
from shared.catalog import api as catalog
from shared.catalog.config import catalog_settings
from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, admin_settings, catalog_settings)
# the catalogue's service loads on the first call of a port, not at cold start (D-315)
wire(
    departments=lambda region_code: catalog.departments_in(region_code),
    items=lambda new, *, actor: catalog.claim_item(new, actor=actor),
)

app = make_resolver()
app.include_router(router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
