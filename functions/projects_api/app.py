"""projects_api — investment projects over HTTP (C24): registration with a project
code, instant filing with its notice, change filings, lists, and opening a
project's joint approval case (核准) through the cases context. Thin: routing
lives in shared.projects.routes, rules in shared.projects.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases import api as cases
from shared.cases.config import cases_settings, materials_settings
from shared.catalog import api as catalog
from shared.catalog.config import catalog_settings
from shared.identity import api as identity
from shared.identity.config import hashing_settings, identity_settings, registry_settings
from shared.platform.config import (
    http_settings,
    idempotency_settings,
    partner_settings,
    require,
    sealing_settings,
    stage_settings,
)
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.projects import api as projects
from shared.projects.api import router as projects_router
from shared.projects.config import projects_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    http_settings,
    idempotency_settings,
    projects_settings,
    cases_settings,
    materials_settings,
    catalog_settings,
    identity_settings,
    hashing_settings,
    registry_settings,
    sealing_settings,
    partner_settings,
    stage_settings,
)

# the approval case (D-307): the projects context drafts and submits it through the cases context,
# whose own ports need the published item (catalogue) and the verified identity its form is prefilled from
projects.wire(approval_cases=lambda: projects.CasesApprovalCases())
cases.wire(
    items=lambda code: catalog.CatalogService().get_item(code),
    identity=lambda: identity.applicant_verifier(),
)

app = make_resolver()
app.include_router(projects_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
