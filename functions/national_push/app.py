"""national_push — the daily 办件 push file for the national platform (issue 19; D-298).

Scheduled at 02:00 Asia/Shanghai: builds the previous day's file from the
exchange store (every region's partitions of that day), validates it against
its published schema (`national_platform.case_records`) and writes it to
`national-push/dt=<day>/case-records.json` in the exchange bucket. A rerun for
the same day rewrites the same file. `{"day": "YYYY-MM-DD"}` in the event
regenerates another day (an operator's manual run). AWS calls: one
ListObjectsV2 per 1,000 objects of the day, one GetObject each, one PutObject.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.exchange.api import push_day
from shared.exchange.config import exchange_store_settings, national_push_settings
from shared.platform.clock import today_in_shanghai
from shared.platform.config import require
from shared.platform.observability import logger

# cold start: a missing or malformed variable fails the first invocation, by name
require(exchange_store_settings, national_push_settings)


@logger().inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    asked = (event or {}).get("day")
    day = dt.date.fromisoformat(asked) if isinstance(asked, str) else today_in_shanghai() - dt.timedelta(days=1)
    pushed = push_day(day)
    return {"day": day.isoformat(), "records": pushed.record_count, "steps": pushed.step_count}
