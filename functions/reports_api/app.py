"""reports_api — the public monthly operation reports, their files and DCAT catalogues; operators
generate one on demand; supervisors read the slow steps and the load forecast (issue 16). Thin:
routing in shared.reports.routes and shared.reports.analytics_routes."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog.config import catalog_settings
from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.reports.api import SupervisionSource, analytics_router, router, wire
from shared.reports.config import analytics_settings, reports_settings
from shared.supervision.config import supervision_settings

# cold start: a missing or malformed variable fails the first invocation, by name
# (the catalogue's table holds the working-day calendar the forecast counts with)
require(http_settings, reports_settings, analytics_settings, catalog_settings, supervision_settings)
wire(supervision=SupervisionSource())

app = make_resolver()
app.include_router(router)
app.include_router(analytics_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
