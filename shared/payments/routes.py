"""The payments context's HTTP routes (paths fixed by template.yaml:
PaymentApiFunction and, public, PaymentCallbacksFunction).

Applicants list their orders, read one and pay it (a cashier link from the
channel); operators read the exceptions callbacks left. Channels call
`POST /v1/payment-callbacks/{channel}` without a token: the HMAC signature is
their authentication (shared.payments.signing).
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.metrics import MetricUnit

from shared.payments.callbacks import callback_handler
from shared.payments.channel import MalformedNotification, parse_callback_body
from shared.payments.errors import MALFORMED_CALLBACK
from shared.payments.models import (
    CHANNEL_PATTERN,
    ORDER_ID_PATTERN,
    CallbackAck,
    OrderView,
    PaymentException,
    PayRequest,
    PaySession,
    RefundRequest,
    Via,
)
from shared.payments.repository import PaymentsRepository
from shared.payments.service import payments_service, view
from shared.payments.signing import verify_callback
from shared.payments.states import OrderAction
from shared.platform.errors import AppError, BadRequest
from shared.platform.idempotency import once
from shared.platform.observability import correlation_id, logger, metrics
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import ROLE, SIGNED_IN, Cursor, IdempotencyKey, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

router = APIGatewayRouter()
callbacks_router = APIGatewayRouter()

PAY_TAG = "Payment 缴费"
OPERATIONS_TAG = "Payment operations 支付运维"
CALLBACK_TAG = "Payment channels 支付渠道"
_SIGNED_IN = SIGNED_IN
_ROLE = ROLE
_RECORD = {
    **_SIGNED_IN,
    403: _problem("Outside the caller's department or region, or an agent without `payments` (forbidden)"),
    404: _problem("No such order, or not the caller's (payment.order_not_found)"),
}

OrderId = Annotated[str, Path(pattern=ORDER_ID_PATTERN, description="Payment order id (26 characters).")]
Channel = Annotated[str, Path(pattern=CHANNEL_PATTERN, description="The calling channel, e.g. `jspay`.")]


@route(
    router,
    "GET",
    "/v1/payment-orders",
    summary="List my payment orders",
    description=(
        "The caller's payment orders (缴费订单), newest first (C10, user center); an agent with the enterprise's "
        "`payments` authorisation sees the enterprise's. Paged with `limit` and `cursor`."
    ),
    tags=[PAY_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("A page of orders"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def my_orders(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[OrderView]:
    return payments_service().list_for(principal, limit, cursor)


@route(
    router,
    "GET",
    "/v1/payment-orders/<order_id>",
    summary="A payment order and its status",
    description=(
        "One order: amount in fen with its fee lines (non-tax items flagged), the notice number (缴款码), state "
        "and expiry. The payer (or the enterprise's agents) and staff of the collecting department may read it."
    ),
    tags=[PAY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The order"), **_RECORD},
)
def get_order(principal: Principal, order_id: OrderId) -> OrderView:
    return view(payments_service().order_for(principal, order_id))


@route(
    router,
    "POST",
    "/v1/payment-orders/<order_id>/pay",
    summary="Pay an order (cashier link)",
    description=(
        "Starts a payment at the channel (default: the platform's channel) and returns its cashier link "
        "(`pay_url`, also as `qr_code` text for a phone to scan). The result arrives from the channel by "
        "callback; poll the order or watch the message center. Send `Idempotency-Key` to make retries safe."
    ),
    tags=[PAY_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        200: _ok("Where to pay"),
        409: _problem(
            "Paid, expired or cancelled, or changed meanwhile (payment.order_closed, payment.changed_concurrently, "
            "idempotency_key_reused)"
        ),
        422: _problem("Unknown channel (payment.unknown_channel)"),
        **_RECORD,
    },
)
def pay(
    principal: Principal,
    order_id: OrderId,
    body: Annotated[PayRequest | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> PaySession:
    request = body or PayRequest()

    def produce() -> dict[str, Any]:
        return payments_service().start_payment(principal, order_id, request.channel).model_dump(mode="json")

    scope = f"payments.pay:{principal.subject_id}:{order_id}"
    result = once(scope=scope, key=idempotency_key, payload=request.model_dump(mode="json"), produce=produce)
    return PaySession.model_validate(result)


@route(
    router,
    "POST",
    "/v1/payment-orders/<order_id>/reissue",
    status_code=201,
    summary="Reissue an expired order (重新开具)",
    description=(
        "A payer who missed the deadline gets a fresh order for the same fees (new notice number, new expiry); "
        "the expired order names it in `replaced_by`. Asking again returns the same fresh order."
    ),
    tags=[PAY_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        201: _ok("The fresh order"),
        409: _problem("Not expired (payment.not_expired, payment.changed_concurrently)"),
        **_RECORD,
    },
)
def reissue(principal: Principal, order_id: OrderId) -> OrderView:
    return view(payments_service().reissue(principal, order_id, correlation_id()))


@route(
    router,
    "GET",
    "/v1/payment-exceptions",
    summary="Payment exceptions for operators",
    description=(
        "Channel results the platform did not apply, or applied only to flag a refund: amount, currency, payer "
        "or notice-number mismatches, unknown orders, successes after expiry or cancellation, second payments. "
        "Newest first."
    ),
    tags=[OPERATIONS_TAG],
    access=Access.OPERATOR,
    responses={200: _ok("A page of exceptions"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def exceptions(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[PaymentException]:
    return PaymentsRepository().list_exceptions(limit, cursor)


_REFUND_RESPONSES: dict[int, OpenAPIResponse] = {
    200: _ok("The order after the step"),
    404: _problem("No such order (payment.order_not_found)"),
    409: _problem("Not in a state for this step (payment.transition_not_allowed, payment.changed_concurrently)"),
    **_ROLE,
}


@route(
    router,
    "POST",
    "/v1/payment-orders/<order_id>/refund-request",
    summary="Ask for a paid order to be refunded (operators)",
    description="paid → refund_requested, with the reason; the payer is told (申请退款).",
    tags=[OPERATIONS_TAG],
    access=Access.OPERATOR,
    responses=_REFUND_RESPONSES,
)
def request_refund(order_id: OrderId, body: Annotated[RefundRequest, Body()]) -> OrderView:
    after = payments_service().refund_step(order_id, OrderAction.REQUEST_REFUND, body.reason, None, correlation_id())
    return view(after)


@route(
    router,
    "POST",
    "/v1/payment-orders/<order_id>/refund",
    summary="Record that the channel refunded an order (operators)",
    description=(
        "refund_requested → refunded once the channel has paid the money back, with its refund reference; "
        "the payer is told (退款完成). Flagged orders (a success after expiry or cancellation) arrive here too."
    ),
    tags=[OPERATIONS_TAG],
    access=Access.OPERATOR,
    responses=_REFUND_RESPONSES,
)
def record_refund(order_id: OrderId, body: Annotated[RefundRequest, Body()]) -> OrderView:
    after = payments_service().refund_step(
        order_id, OrderAction.REFUND, body.reason, body.channel_refund_id, correlation_id()
    )
    return view(after)


@route(
    callbacks_router,
    "POST",
    "/v1/payment-callbacks/<channel>",
    summary="Payment result from a channel (signed webhook)",
    description=(
        "Public: the channel authenticates with `X-Jszw-Timestamp` (unix seconds) and `X-Jszw-Signature: "
        "sha256=<hex HMAC-SHA256 of timestamp + '.' + raw body>` using its secret. Unsigned, stale (over 5 "
        "minutes) or badly signed callbacks are refused without side effects. Handled once per channel "
        "transaction id (the same handler as the channel's partner queue); 200 means received."
    ),
    tags=[CALLBACK_TAG],
    access=Access.PUBLIC,
    responses={
        200: _ok("Received (applied, duplicate, recorded or an exception for operators)"),
        400: _problem(
            "No signature, stale timestamp, unreadable body (payment.signature_missing, payment.timestamp_stale, "
            "payment.malformed_callback)"
        ),
        401: _problem("Bad signature (payment.signature_invalid)"),
        404: _problem("Unknown channel (payment.unknown_channel)"),
        409: _problem("The order kept changing; retry (payment.changed_concurrently)"),
    },
)
def channel_callback(channel: Channel) -> CallbackAck:
    event = callbacks_router.current_event
    body = (event.decoded_body if event.is_base64_encoded else event.body) or ""
    body_bytes = body.encode("utf-8")
    try:
        verify_callback(channel, event.headers, body_bytes)
    except AppError as refused:
        # unsigned, stale or forged: nothing is read or written; operators watch this metric
        metrics().add_metric(name="PaymentCallbackRefused", unit=MetricUnit.Count, value=1)
        logger().warning("payment callback refused", extra={"channel": channel, "code": refused.code})
        raise
    try:
        notice = parse_callback_body(channel, body_bytes)
    except MalformedNotification as exc:
        logger().warning("signed callback could not be read", extra={"channel": channel, "reason": str(exc)})
        metrics().add_metric(name="PaymentCallbackRefused", unit=MetricUnit.Count, value=1)
        raise BadRequest(MALFORMED_CALLBACK) from None
    return callback_handler().handle(notice, body, Via.HTTP, correlation_id())
