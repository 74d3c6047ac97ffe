"""projects_api — investment projects over HTTP (C24): registration with a project
code and instant filing with its notice. Thin: routing lives in
shared.projects.routes, rules in shared.projects.service."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import http_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.projects.api import router as projects_router
from shared.projects.config import projects_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, projects_settings)

app = make_resolver()
app.include_router(projects_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
