"""case_api — applying online, the user center's cases and intake by the
department over HTTP (C13, C14, C18). Thin: routing lives in
shared.cases.routes, rules in the use cases behind shared.cases.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases import api as cases
from shared.cases.api import router as cases_router
from shared.cases.config import cases_settings, joint_task_settings, materials_settings
from shared.catalog import api as catalog
from shared.catalog.config import catalog_settings
from shared.halls import api as halls
from shared.halls.config import halls_settings
from shared.identity import api as identity
from shared.identity.config import hashing_settings, identity_settings, registry_settings
from shared.licences import api as licences
from shared.licences.config import licences_settings
from shared.platform.config import (
    http_settings,
    idempotency_settings,
    partner_settings,
    pdf_seal_settings,
    province_settings,
    require,
    sealing_settings,
    stage_settings,
)
from shared.platform.http import make_resolver
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    http_settings,
    idempotency_settings,
    cases_settings,
    catalog_settings,
    licences_settings,
    materials_settings,
    sealing_settings,
    joint_task_settings,
    province_settings,
    identity_settings,
    hashing_settings,
    registry_settings,
    partner_settings,
    stage_settings,
    halls_settings,
    pdf_seal_settings,
)

# the cases context's ports: published items (catalogue), once-only licence reuse (licences), and the
# verified identity forms are prefilled from and hall clerks verify applicants with (identity), and
# the hall counter that called the person (halls, D-218)
cases.wire(
    items=lambda code: catalog.CatalogService().get_item(code),
    licences=lambda: licences.licences_service(),
    identity=lambda: identity.applicant_verifier(),
    halls=lambda: halls.halls_service(),
)

app = make_resolver()
app.include_router(cases_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics().log_metrics  # acceptances by staff (CasesAcceptedByStaff)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
