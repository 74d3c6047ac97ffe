"""payment_order_worker — opens a payment order when a case's fees fall due,
cancels unpaid ones when a case is withdrawn (C10).

Fed by PaymentOrdersQueue (PaymentOrdersRule: `case.fee_due`,
`case.withdrawn` from the cases context). One order per case and stage: a
redelivered `case.fee_due` finds the order and changes nothing; the order and
its `payment.order_created` event (and `payment.paid` for a fee waiver) are
one transaction. An event for another type is parked in PaymentOrdersDLQ.
"""

from __future__ import annotations

from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cases.events import FEE_DUE, WITHDRAWN, ClosedData, FeeDueData
from shared.payments.api import payments_service
from shared.payments.config import payments_settings
from shared.platform.config import consumer_settings, require
from shared.platform.consumer import batch_handler
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.platform.observability import logger, metrics

# cold start: a missing or malformed variable fails the first invocation, by name
require(payments_settings, consumer_settings)

case_events: Dispatcher[None] = Dispatcher("payment_order_worker")


@case_events.on(FEE_DUE, data=FeeDueData)
def open_order(due: FeeDueData, envelope: Envelope) -> None:
    outcome = payments_service().open_order(due, envelope.correlation_id or envelope.id)
    metrics().add_metric(name=f"PaymentOrder_{outcome.result}", unit=MetricUnit.Count, value=1)
    logger().info(
        "fee due handled", extra={"case_id": due.case_id, "order_id": outcome.order.order_id, "result": outcome.result}
    )


@case_events.on(WITHDRAWN, data=ClosedData)
def cancel_orders(withdrawn: ClosedData, envelope: Envelope) -> None:
    cancelled = payments_service().cancel_for_case(
        withdrawn.case_id, "办件已撤回", envelope.correlation_id or envelope.id
    )
    metrics().add_metric(name="PaymentOrdersCancelled", unit=MetricUnit.Count, value=len(cancelled))
    logger().info("case withdrawn", extra={"case_id": withdrawn.case_id, "orders_cancelled": len(cancelled)})


_consume = batch_handler(case_events.record_handler(), metric="PaymentOrderEventParked")


@logger().inject_lambda_context
@metrics().log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _consume(event, context)
