"""calendar_check — daily check that the holiday calendar (节假日安排) is ready.

From December 1 (Asia/Shanghai) next year's arrangement must be loaded, or
every deadline reaching into next year is provisional (weekends-only). The
function emits `NextYearCalendarMissing` = 1 when it is not (and when the
current year itself is missing), else 0, in namespace
`POWERTOOLS_METRICS_NAMESPACE` (Jszw) with the single dimension
`service=calendar_check` — exactly what `CalendarMissingAlarm` watches.
Emitting 0 on good days keeps the metric visible on the dashboard.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform import clock
from shared.platform.config import require
from shared.platform.observability import logger, metrics
from shared.workdays import api as service
from shared.workdays.config import workdays_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(workdays_settings)

MISSING_METRIC = "NextYearCalendarMissing"


@metrics().log_metrics
@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    readiness = service.readiness(clock.today_in_shanghai())
    if readiness.missing:
        logger().warning(
            "holiday arrangement missing: deadlines into the year are provisional; load it with "
            "PUT /v1/calendar/{year} (see docs/runbooks.md#holiday-calendar)",
            extra=readiness.model_dump(mode="json"),
        )
    else:
        logger().info("holiday calendar ready", extra=readiness.model_dump(mode="json"))
    metrics().add_metric(name=MISSING_METRIC, unit=MetricUnit.Count, value=1 if readiness.missing else 0)
    return readiness.model_dump(mode="json")
