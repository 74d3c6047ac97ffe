"""reports_api — the public monthly operation reports, their files and DCAT catalogues; operators
generate one on demand (issue 16). Thin: routing in shared.reports.routes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.reports.api import SupervisionSource, router, wire
from shared.reports.config import reports_settings
from shared.supervision.config import supervision_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, reports_settings, supervision_settings)
wire(supervision=SupervisionSource())

app = make_resolver()
app.include_router(router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
