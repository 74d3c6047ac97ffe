"""ratings_worker — invitations to rate and the score counters (好差评, C27).

Fed by RatingsQueue (RatingsRule):
- `case.completed`, `case.refused_at_intake`, `case.withdrawn` (jszw.cases) and
  `ticket.closed` (jszw.hotline): one rating invitation per target, with
  `rating.invited` in the same transaction (a redelivered event invites nobody twice);
- `rating.given`, `rating.changed`, `rating.excluded` (jszw.ratings): the
  department-month counters move by atomic ADDs, once per event id.

A record that keeps failing is parked in RatingsDLQ with the reason; an event
type nobody routed here is parked at once (`shared.platform.consumer`).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Reported
from shared.platform.observability import logger, metrics
from shared.ratings.api import ratings_consumer
from shared.ratings.config import ratings_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(ratings_settings, consumer_settings)


_consume = batch_handler(
    ratings_consumer.record_handler(reported=Reported("Ratings", "ratings event", "duplicate")), metric="RatingsParked"
)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
