"""queries_api — high-frequency queries over HTTP (issue 18, C30): the catalogue, one
query of the holder's own data through the department's adapter, and the holder's query
log. Thin: routing lives in shared.queries.routes, rules in shared.queries.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.identity import api as identity
from shared.identity.config import identity_settings
from shared.platform.config import http_settings, partner_settings, require, sealing_settings
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.queries import api as queries
from shared.queries.config import department_query_settings, queries_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    http_settings, partner_settings, queries_settings, department_query_settings, identity_settings, sealing_settings
)

# the queries context's port: the person's ID number the departments key records by (identity)
queries.wire(holders=identity)

app = make_resolver()
app.include_router(queries.router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
