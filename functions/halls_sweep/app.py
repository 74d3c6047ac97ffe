"""halls_sweep — daily at 19:00 Asia/Shanghai (issue 17).

Today's bookings still `booked` once their slot is over (nobody took a number
with them) become no-shows, which may suspend booking (`appointment.no_show`);
tomorrow's bookings get their reminder (`appointment.reminder_due` → message
center), once each. Reads the bookings-by-day index per hall and shard (never
a Scan); each change is a conditional transaction with its event, so a re-run
adds nothing twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.halls.config import halls_settings
from shared.platform.config import require
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics
from shared.workdays.config import workdays_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(halls_settings, workdays_settings)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from shared.halls.api import halls_service  # first use: boto3 stays out of the cold start

    logger().set_correlation_id(new_id())
    counts = halls_service().sweep()
    metrics().add_metric(name="HallsNoShows", unit=MetricUnit.Count, value=counts["no_shows"])
    metrics().add_metric(name="HallsReminders", unit=MetricUnit.Count, value=counts["reminders"])
    logger().info("halls sweep done", extra=counts)
    return counts
