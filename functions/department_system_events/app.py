"""department_system_events — signed messages from department systems (部门业务系统,
issue 19): 受理, 审查, 决定, 办结, 证照.

Fed by DepartmentSystemInboundQueue (partner-inbound). Each message is verified
(signature, freshness, replay) and either applied through the cases context's
own use cases — the same state machine as staff — and appended raw to the
partner's hash-chained message log, or parked with its reason (never applied);
see shared/exchange/service.py. A step the case is not ready for yet is
retried by SQS and, after the last receive, parked in DepartmentSystemInboundDLQ
with the reason. AWS calls per applied message: two GetItem (replay guard,
log head), the case's own reads and transaction, one TransactWriteItems.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases.api import act_as_department_system
from shared.cases.config import cases_settings, joint_task_settings, materials_settings
from shared.catalog.config import catalog_settings
from shared.exchange.api import exchange_service, wire
from shared.exchange.config import department_system_settings, exchange_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
# (the cases context's settings: its table, the bucket decision documents go to, the calendar in the catalogue's)
require(
    exchange_settings,
    department_system_settings,
    cases_settings,
    materials_settings,
    joint_task_settings,
    catalog_settings,
    consumer_settings,
)
wire(cases=act_as_department_system)


def apply(record: SQSRecord) -> None:
    exchange_service().receive(record.body, correlation_id=record.message_id)


_consume = batch_handler(apply, metric="DepartmentMessageFailed")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
