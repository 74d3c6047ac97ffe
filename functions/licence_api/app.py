"""licence_api — e-licences over HTTP (C11, C13, C15): public verification,
trust list and status lists; the holder's wallet with download links and
usage log; status changes by the issuing department; department queries of
an applicant's licences. Thin: routes in shared.licences.routes, rules in
shared.licences.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases import api as cases
from shared.cases.config import cases_settings
from shared.licences import api as licences
from shared.licences.api import router as licences_router
from shared.licences.config import licence_documents_settings, licences_settings, signing_settings
from shared.platform.config import http_settings, idempotency_settings, require, sealing_settings
from shared.platform.http import make_resolver
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    http_settings,
    idempotency_settings,
    licences_settings,
    licence_documents_settings,
    signing_settings,
    cases_settings,
    sealing_settings,
)

# the licences context's port: a case's applicant, for a department's query of their licences
licences.wire(cases=lambda principal, case_id: cases.case_for_licence_query(principal, case_id))

app = make_resolver()
app.include_router(licences_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
