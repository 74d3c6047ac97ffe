"""licence_expiry_sweep — daily at 01:00 Asia/Shanghai (C11, licensing law Art. 50).

Marks live licences past their end of validity `expired` (`licence.expired`),
or deemed renewed (`licence.deemed_renewed`, Art. 50(2), D-181) when a renewal
applied for in time is still undecided,
and reminds holders once, 30 days ahead (`LICENCE_REMINDER_DAYS`), to apply
for renewal (`licence.expiring` → message center). Reads the expiry index
month by month (never a Scan); each change is a conditional transaction
with its event, so a re-run or an interrupted run adds nothing twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.licences.config import licences_settings
from shared.platform.clock import today_in_shanghai
from shared.platform.config import require
from shared.platform.ids import new_id
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(licences_settings)


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from shared.licences.api import licences_service  # first use: boto3 stays out of the cold start

    today = today_in_shanghai()
    run_id = new_id()
    logger().set_correlation_id(run_id)
    result = licences_service().sweep(today, correlation_id=run_id)
    metrics().add_metric(name="LicencesExpired", unit=MetricUnit.Count, value=len(result.expired))
    metrics().add_metric(name="LicenceRenewalReminders", unit=MetricUnit.Count, value=len(result.reminded))
    metrics().add_metric(name="LicencesDeemedRenewed", unit=MetricUnit.Count, value=len(result.deemed_renewed))
    logger().info(
        "licence expiry sweep done",
        extra={
            "today": today.isoformat(),
            "expired": len(result.expired),
            "reminded": len(result.reminded),
            "deemed_renewed": len(result.deemed_renewed),
        },
    )
    return {
        "today": today.isoformat(),
        "expired": result.expired,
        "reminded": result.reminded,
        "deemed_renewed": result.deemed_renewed,
    }
