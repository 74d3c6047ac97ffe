"""pre_review_worker — automatic pre-review (自动预审, C14) of every submission.

Fed by PreReviewQueue (PreReviewRule: `case.submitted`, first submissions
and resubmissions after a supplement). Each record's case is checked against
its item's material list, formats and sizes, form and applicant kind; the
case moves to pre_review_passed (即办件: accepted at once) or to
supplement_required with one notice listing everything (一次性告知), in one
transaction with the event that tells the applicant's message center.

Idempotent without a store: a case no longer at the state and version the
event describes was handled already, so redeliveries are skipped. A record
that keeps failing is parked in PreReviewDLQ by this function on its last
receive, with the failure reason as message attributes (the queue's redrive
policy remains the backstop); its case stays visible as submitted. Peers in
the batch succeed (partial batch response).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases import api as cases
from shared.cases.api import cases_service
from shared.cases.config import cases_settings
from shared.cases.events import SUBMITTED, SubmittedData
from shared.catalog.config import catalog_settings
from shared.licences import api as licences
from shared.licences.config import licences_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(cases_settings, catalog_settings, licences_settings, consumer_settings)

# every message runs the intake use case: load it now, not on the first message (D-317)
cases.preload("intake")
# the cases context's port: pre-review checks the e-licences a case refers to (licences)
cases.wire(licences=lambda: licences.licences_service())

submissions: Dispatcher[None] = Dispatcher("pre_review_worker")


@submissions.on(SUBMITTED, data=SubmittedData)
def review(submitted: SubmittedData, envelope: Envelope) -> None:
    outcome = cases_service().pre_review(
        submitted.case_id, submitted.version, correlation_id=envelope.correlation_id or envelope.id
    )
    metrics().add_metric(name=f"PreReview_{outcome.result}", unit=MetricUnit.Count, value=1)
    # a pre-review that moved the case has the ledger's "case transition" line; a skipped one (redelivered or
    # stale) only its metric (D-333)
    logger().debug(
        "pre-review done",
        extra={
            "case_id": submitted.case_id,
            "event_id": envelope.id,
            "result": outcome.result,
            "deficiencies": len(outcome.deficiencies),
        },
    )


_consume = batch_handler(submissions.record_handler(), metric="PreReviewParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
