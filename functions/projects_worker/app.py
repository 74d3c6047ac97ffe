"""projects_worker — a project follows its joint approval case (核准, D-307).

Fed by ProjectCasesQueue (ProjectCasesRule): the case events of a joint approval
(submitted, accepted, tasks opened and decided, suspended, resumed, extended,
decided, completed, withdrawn, refused at intake). The project whose case it is
keeps the case's state, tasks, decision and legal due date, and becomes approved,
approval_denied or approval_required again; a case no project opened is ignored.
Idempotent: a repeated or stale delivery changes nothing (`shared.projects.approval`).
A record that keeps failing is parked in ProjectCasesDLQ (`shared.platform.consumer`).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Reported
from shared.platform.observability import logger, metrics
from shared.projects.api import projects_consumer
from shared.projects.config import projects_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(projects_settings, consumer_settings)


_consume = batch_handler(
    projects_consumer.record_handler(reported=Reported("ProjectCases", "project case event", "ignored")),
    metric="ProjectCasesParked",
)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
