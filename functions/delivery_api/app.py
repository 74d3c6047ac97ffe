"""delivery_api — shipments and tracking over HTTP (快递送, C12): applicants read
their cases' shipments, staff list their department's and record counter
handovers and hand results over at a hall against the pickup code and ID (大厅自取), operators
look at the courier DLQ. Thin: routing lives in
shared.delivery.routes, rules in shared.delivery.service."""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases import api as cases
from shared.cases.config import cases_settings, materials_settings
from shared.catalog.config import catalog_settings
from shared.delivery import api as delivery
from shared.delivery.api import router as delivery_router
from shared.delivery.config import courier_inbound_settings, delivery_settings
from shared.halls import api as halls
from shared.halls.config import halls_settings
from shared.identity import api as identity
from shared.identity.config import hashing_settings, identity_settings, registry_settings
from shared.platform.config import http_settings, idempotency_settings, require, sealing_settings
from shared.platform.http import make_resolver
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    http_settings,
    idempotency_settings,
    cases_settings,
    catalog_settings,
    delivery_settings,
    materials_settings,
    courier_inbound_settings,
    sealing_settings,
    halls_settings,
    identity_settings,
    hashing_settings,
    registry_settings,
)

# the delivery context's ports: the applicant's own case, as the cases context shows it to them; the
# hall's clerks and the applicant's ID number for a result collected at a hall (大厅自取, D-219)
delivery.wire(
    cases=lambda principal, case_id: cases.cases_service().for_delivery(principal, case_id),
    halls=lambda: halls.halls_service(),
    identity=lambda: identity.applicant_verifier(),
)

app = make_resolver()
app.include_router(delivery_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
