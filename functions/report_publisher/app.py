"""report_publisher — publishes last month's operation reports (issue 16; D-230).

Scheduled at 01:00 Asia/Shanghai on the 5th of each month, after the scorecards close
(2nd–4th), so each report carries its month's closed ranking. For every province, city and
county with counts in the month (walked down from PROVINCE_CODE) it writes the report, its
page, PDF and open data to the open-data bucket, then the DCAT catalogues. Generating again
overwrites the same keys: a re-run is harmless. An operator may invoke it with
`{"month": "YYYY-MM"}` for another past month (one region: POST /v1/reports/{region}/{month}).
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.platform.clock import previous_month
from shared.platform.config import province_settings, require
from shared.platform.observability import logger, metrics
from shared.reports.api import SupervisionSource, checked_month, reports_service, wire
from shared.reports.config import reports_settings
from shared.supervision.config import supervision_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(reports_settings, supervision_settings, province_settings)
wire(supervision=SupervisionSource())


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    month = checked_month(str(event["month"])) if event.get("month") else previous_month()
    regions = reports_service().publish_month(month, province_settings().province_code)
    metrics().add_metric(name="ReportsPublished", unit=MetricUnit.Count, value=len(regions))
    return {"month": month, "regions": regions}
