"""The delivery context's HTTP routes (paths fixed by template.yaml, DeliveryApiFunction).

Applicants read the shipments of their cases with the tracking history;
department staff list their department's shipments and record a counter
handover; operators look at the courier partner's DLQ. Record access follows
`shared.platform.principal.decide` on the shipment's case facts: someone
else's shipment is 404 for applicants, 403 for staff outside their scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.delivery.models import (
    SHIPMENT_ID_PATTERN,
    ShipmentDetail,
    ShipmentSummary,
)
from shared.delivery.service import DeliveryService, delivery_service
from shared.delivery.states import ShipmentState
from shared.platform.idempotency import once
from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.public import lazy_module
from shared.platform.route_docs import ROLE, SIGNED_IN, Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

if TYPE_CHECKING:
    from shared.delivery import shapes
else:
    # a route's bodies and answers load with its first request (its signature is resolved then: D-315, D-338)
    shapes = lazy_module("shared.delivery.shapes")

router = APIGatewayRouter()

TAG = "Courier 快递送"
CASE_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
_SIGNED_IN = SIGNED_IN
_ROLE = ROLE
_RECORD = {
    **_SIGNED_IN,
    403: _problem("Outside the caller's department or region (forbidden)"),
    404: _problem("No such shipment, or not the caller's (delivery.shipment_not_found)"),
}


CaseId = Annotated[str, Path(pattern=CASE_ID_PATTERN, description="Case id (26 characters).")]
ShipmentId = Annotated[str, Path(pattern=SHIPMENT_ID_PATTERN, description="Shipment id (26 characters).")]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=128, description="Same key and body return the first result."),
]


def _service() -> DeliveryService:
    return delivery_service()


@route(
    router,
    "GET",
    "/v1/cases/<case_id>/shipments",
    summary="Shipments of a case, with tracking (物流查询)",
    description=(
        "The courier shipments of a case — the result sent to the applicant, paper materials picked up — "
        "each with its state, waybill, masked recipient and every tracking event received, oldest first. "
        "The applicant, the department's staff in scope and supervisors of the region may read them."
    ),
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The case's shipments (an empty list when none)"), **_RECORD},
)
def case_shipments(principal: Principal, case_id: CaseId) -> Page[ShipmentDetail]:
    return _service().case_shipments(principal, case_id)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/material-pickups",
    status_code=201,
    summary="Book a courier pickup of the paper materials (材料揽收)",
    description=(
        "For a submitted case whose department needs the paper originals: a courier collects them at the "
        "applicant's address, free of charge, and brings them to the department's counter. The contact's name "
        "and phone are stored sealed and shown masked. One pickup per case; send `Idempotency-Key` to make "
        "retries safe."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        201: _ok("The pickup shipment, booked"),
        409: _problem(
            "Not at a stage that takes materials, or already booked (delivery.pickup_not_allowed, "
            "delivery.pickup_exists, idempotency_key_reused)"
        ),
        422: _problem("Unknown address region (delivery.unknown_region)"),
        **_RECORD,
    },
)
def request_pickup(
    principal: Principal,
    case_id: CaseId,
    body: Annotated[shapes.PickupRequest, Body()],
    idempotency_key: IdempotencyKey = None,
) -> ShipmentDetail:

    def produce() -> dict[str, Any]:
        booked = _service().request_pickup(principal, case_id, body, correlation_id=correlation_id())
        return booked.model_dump(mode="json")

    scope = f"delivery.pickup:{principal.subject_id}:{case_id}"
    result = once(scope=scope, key=idempotency_key, payload=body.model_dump(mode="json"), produce=produce)
    return ShipmentDetail.model_validate(result)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/originals-forwarding",
    status_code=201,
    summary="Forward the paper originals a hall took in to the competent department (异地可办)",
    description=(
        "A clerk of the hall whose counter took the case in (D-218) books the courier to collect the originals at "
        "the hall and bring them to the department that decides — in another city for 异地可办 (D-275). The same "
        "pickup as 材料揽收: one per case, tracked on the case's shipments; the department records their "
        "arrival. From the draft the clerk opened until the decision. Send `Idempotency-Key` to make retries safe."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        201: _ok("The pickup shipment, booked"),
        409: _problem(
            "Not taken in at a hall, past the decision, or already booked (delivery.not_taken_in_at_hall, "
            "delivery.pickup_not_allowed, delivery.pickup_exists, idempotency_key_reused)"
        ),
        **_SIGNED_IN,
        403: _problem("Not a clerk of the hall that took the case in (halls.not_this_halls_clerk, forbidden)"),
        404: _problem("No such case, or not one the caller may read (case.not_found)"),
    },
)
def forward_originals(
    principal: Principal,
    case_id: CaseId,
    body: Annotated[shapes.OriginalsForwarding, Body()],
    idempotency_key: IdempotencyKey = None,
) -> ShipmentDetail:
    def produce() -> dict[str, Any]:
        booked = _service().forward_originals(principal, case_id, body, correlation_id=correlation_id())
        return booked.model_dump(mode="json")

    scope = f"delivery.forward:{principal.subject_id}:{case_id}"
    result = once(scope=scope, key=idempotency_key, payload=body.model_dump(mode="json"), produce=produce)
    return ShipmentDetail.model_validate(result)


@route(
    router,
    "GET",
    "/v1/shipments/<shipment_id>",
    summary="Read a shipment with its tracking history",
    description="One shipment, its proof of delivery once signed for, and its tracking history (物流轨迹).",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The shipment"), **_RECORD},
)
def get_shipment(principal: Principal, shipment_id: ShipmentId) -> ShipmentDetail:
    return _service().shipment(principal, shipment_id)


@route(
    router,
    "GET",
    "/v1/shipments",
    summary="The department's shipments",
    description=(
        "Shipments of the caller's department's cases within the caller's region, newest first; `state` "
        "narrows the list (e.g. `returned`: results that came back and need the department's action)."
    ),
    tags=[TAG],
    access=Access.STAFF,
    responses={200: _ok("A page of shipments"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def department_shipments(
    principal: Principal,
    state: Annotated[ShipmentState | None, Query(description="Only shipments in this state.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ShipmentSummary]:
    return _service().department_shipments(principal, state=state, limit=limit, cursor=cursor)


@route(
    router,
    "POST",
    "/v1/shipments/<shipment_id>/handover",
    summary="Record a counter handover (窗口交寄)",
    description=(
        "The department handed the result to the courier at its counter: the shipment counts as picked up "
        "(已揽收) and the handover is kept in the tracking history. Recording it again changes nothing."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The shipment, picked up"),
        409: _problem("Already beyond pickup (delivery.handover_not_allowed)"),
        **_RECORD,
    },
)
def handover(
    principal: Principal,
    shipment_id: ShipmentId,
    body: Annotated[shapes.HandoverRequest | None, Body(description="Optional note.")] = None,
) -> ShipmentDetail:
    return _service().handover(principal, shipment_id, body.note if body else None)


@route(
    router,
    "POST",
    "/v1/shipments/<shipment_id>/hall-pickup",
    summary="Hand a result over at the hall (大厅自取)",
    description=(
        "A clerk of the hall the applicant chose (staff of a department stationed there) hands the result over "
        "against the pickup code the applicant was sent and their ID number (typed or from the ID-card reader, "
        "checked against the applicant's account, never stored): the shipment is delivered, which completes the "
        "case as a courier's proof of delivery does (D-219)."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The shipment, delivered"),
        403: _problem("Not a clerk of that hall (halls.not_this_halls_clerk)"),
        404: _problem("No result waiting at a hall under this id (delivery.shipment_not_found)"),
        409: _problem(
            "Not waiting any more, or changed meanwhile (delivery.not_a_hall_pickup, delivery.changed_concurrently)"
        ),
        422: _problem(
            "Wrong code, or not the applicant's ID number (delivery.pickup_code_wrong, delivery.pickup_id_mismatch)"
        ),
        **_SIGNED_IN,
    },
)
def hall_pickup(
    principal: Principal, shipment_id: ShipmentId, body: Annotated[shapes.HallPickupRequest, Body()]
) -> ShipmentDetail:
    return _service().hand_over_at_hall(principal, shipment_id, body)


@route(
    router,
    "GET",
    "/v1/operations/courier-dlq",
    summary="The courier partner's dead letters",
    description=(
        "Partner messages that could not be applied (unknown waybill, unknown status code, unreadable), "
        "each with the reason it was parked, read without taking them off the queue. Once the cause is "
        "fixed (e.g. the status mapping in shared/delivery/partner.py), replay them with "
        "`make redrive QUEUE=CourierInboundQueue`; replayed events are applied once."
    ),
    tags=[TAG],
    access=Access.OPERATOR,
    responses={200: _ok("Up to `limit` parked messages with reasons"), **_ROLE},
)
def courier_dead_letters(limit: Limit = DEFAULT_LIMIT) -> shapes.DeadLetterList:
    return _service().dead_letters(limit=limit)
