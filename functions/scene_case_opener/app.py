"""scene_case_opener — opens the cases of a submitted scene application (一件事, D-279).

Fed by SceneCasesQueue (SceneCasesRule: `scene_application.submitted`). For each
item the event names a case id: the case is drafted with the combined form (if it
does not exist yet), the shared materials are copied in and confirmed, and it is
submitted — into its department's queue with its own clock, pre-reviewed like any
case. Every step finds what an earlier delivery did, so a failure part-way is
finished by the redelivery: no case lost, none opened twice. A record that keeps
failing is parked in SceneCasesDLQ with the reason; peers in the batch succeed.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases import api as cases
from shared.cases.config import cases_settings, materials_settings
from shared.catalog import api as catalog
from shared.catalog.config import catalog_settings
from shared.identity import api as identity
from shared.identity.config import hashing_settings, identity_settings, registry_settings
from shared.platform.config import consumer_settings, partner_settings, require, sealing_settings
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.platform.observability import logger, metrics
from shared.scenes.events import SUBMITTED, SceneSubmittedData

# cold start: a missing or malformed variable fails the first invocation, by name
require(
    cases_settings,
    materials_settings,
    catalog_settings,
    identity_settings,
    hashing_settings,
    registry_settings,
    partner_settings,
    sealing_settings,
    consumer_settings,
)

# the cases context's ports: the published items (catalogue) and the verified identity
# identity-bound form fields are filled from (identity)
cases.wire(
    items=lambda code: catalog.CatalogService().get_item(code),
    identity=lambda: identity.applicant_verifier(),
)

submissions: Dispatcher[None] = Dispatcher("scene_case_opener")


@submissions.on(SUBMITTED, data=SceneSubmittedData)
def open_cases(submitted: SceneSubmittedData, envelope: Envelope) -> None:
    opened = cases.cases_service().open_scene_cases(submitted, correlation_id=envelope.correlation_id or envelope.id)
    metrics().add_metric(name="SceneCasesSubmitted", unit=MetricUnit.Count, value=opened)
    logger().info(
        "scene cases opened",
        extra={"application_id": submitted.application_id, "cases": len(submitted.cases), "submitted_now": opened},
    )


_consume = batch_handler(submissions.record_handler(), metric="SceneCasesParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
