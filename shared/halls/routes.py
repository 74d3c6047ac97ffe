"""The halls context's HTTP routes (paths fixed by template.yaml, HallsApiFunction).

Anyone finds halls, their windows and items and today's waiting count (no
personal data); operators keep halls; applicants book, cancel and take numbers;
the clerks of a hall (staff of a department stationed there) call numbers and
record no-shows. Someone else's booking is 404.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.halls.models import (
    HALL_ID_PATTERN,
    ID_PATTERN,
    Booking,
    BookingList,
    BookingRequest,
    CallResult,
    HallFields,
    HallList,
    HallView,
    Ticket,
    TicketRequest,
)
from shared.halls.service import HallsService, halls_service
from shared.platform.principal import Access, Principal
from shared.platform.route_docs import ROLE, SIGNED_IN
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

router = APIGatewayRouter()

TAG = "Halls 政务服务大厅"

HallId = Annotated[str, Path(pattern=HALL_ID_PATTERN, description="Hall id, e.g. 320102-center.")]
BookingId = Annotated[str, Path(pattern=ID_PATTERN, description="Booking id (26 characters).")]
WindowId = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,16}$", description="Window id within the hall.")]
_HALL = {404: _problem("No such hall (halls.hall_not_found)")}
_BOOKING = {**SIGNED_IN, 404: _problem("No such booking, or not the caller's (halls.booking_not_found)")}
_CLERK = {**ROLE, 403: _problem("Not staff of a department stationed at the hall (halls.not_this_halls_clerk)")}


def _service() -> HallsService:
    return halls_service()


# --- public -----------------------------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/halls",
    summary="Halls of a county, or near a point (map data)",
    description=(
        "The county's halls (政务服务中心, 便民服务中心) with windows, items, opening hours and today's waiting "
        "count; with `lat` and `lon`, those within `radius_km`, nearest first."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The halls")},
)
def list_halls(
    region: Annotated[str, Query(pattern=r"^\d{6}$", description="County code, e.g. 320102.")],
    lat: Annotated[float | None, Query(ge=-90, le=90, description="Latitude of the point.")] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="Longitude of the point.")] = None,
    radius_km: Annotated[float, Query(gt=0, le=100, description="Radius around the point (default 10).")] = 10,
) -> HallList:
    return _service().list_halls(region, lat, lon, radius_km)


@route(
    router,
    "GET",
    "/v1/halls/<hall_id>",
    summary="A hall: windows, items, opening hours, waiting count",
    description="Today's waiting count and mean wait come from counters kept as numbers are taken and called.",
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The hall"), **_HALL},
)
def get_hall(hall_id: HallId) -> HallView:
    return _service().hall_view(hall_id)


# --- operators --------------------------------------------------------------------------


@route(
    router,
    "PUT",
    "/v1/halls/<hall_id>",
    summary="Create or replace a hall (operators)",
    description=(
        "The whole hall: address, coordinates, opening periods (on working days of the platform calendar), "
        "windows with their group and items, the slot capacity and the departments stationed there."
    ),
    tags=[TAG],
    access=Access.OPERATOR,
    responses={200: _ok("The hall as stored"), 422: _problem("Invalid hall (validation_failed)"), **ROLE},
)
def put_hall(hall_id: HallId, body: Annotated[HallFields, Body()]) -> HallView:
    _service().put_hall(hall_id, body)
    return _service().hall_view(hall_id)


# --- applicants -------------------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/halls/<hall_id>/appointments",
    status_code=201,
    summary="Book a half-hour slot (预约)",
    description=(
        "A working day, inside opening hours, at least now; one booking per person and slot; the slot's "
        "capacity is never exceeded, however many book at once. Suspended after repeated no-shows."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    responses={
        201: _ok("The booking"),
        409: _problem(
            "Full, booked already, or suspended (halls.slot_full, halls.already_booked, halls.booking_suspended)"
        ),
        422: _problem("Not open then, or the item is not served (halls.slot_not_open, halls.item_not_served)"),
        **_HALL,
        **ROLE,
    },
)
def book(principal: Principal, hall_id: HallId, body: Annotated[BookingRequest, Body()]) -> Booking:
    return _service().book_for(principal, hall_id, body)


@route(
    router,
    "GET",
    "/v1/me/appointments",
    summary="My bookings",
    description="The caller's bookings not cancelled, soonest first.",
    tags=[TAG],
    access=Access.APPLICANT,
    responses={200: _ok("The bookings"), **ROLE},
)
def my_bookings(principal: Principal) -> BookingList:
    return _service().my_bookings(principal)


@route(
    router,
    "GET",
    "/v1/appointments/<booking_id>",
    summary="One of my bookings",
    description="Someone else's booking answers 404.",
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("The booking"), **_BOOKING, **ROLE},
)
def get_booking(principal: Principal, booking_id: BookingId) -> Booking:
    return _service().booking_of(principal, booking_id)


@route(
    router,
    "POST",
    "/v1/appointments/<booking_id>/cancel",
    summary="Cancel my booking (until the cutoff)",
    description="Up to `HALLS_CANCEL_CUTOFF_MINUTES` (default 120) before the slot; the place is free again, once.",
    tags=[TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        200: _ok("The booking, cancelled"),
        409: _problem("Too late, or not booked any more (halls.cancel_too_late, halls.booking_not_active)"),
        **_BOOKING,
        **ROLE,
    },
)
def cancel(principal: Principal, booking_id: BookingId) -> Booking:
    _service().cancel(booking_id, principal.subject_id)
    return _service().booking_of(principal, booking_id)


@route(
    router,
    "POST",
    "/v1/halls/<hall_id>/tickets",
    status_code=201,
    summary="Take a queue number on arrival (取号)",
    description=(
        "With `booking_id` (the caller's booking for today): the booking is honoured and the number goes before "
        "walk-ins of its half hour. Without: `group` (and the `item_code` if known). Applicants take their own; "
        "a clerk of the hall takes one for a walk-in at the reception — also the hall's kiosk (取号机), which runs "
        "as a reception clerk's session and sends `X-Client-Id: hall`. No anonymous numbers (D-274): a number "
        "taken from anywhere without a token would let a script fill a hall's queue. Supervisors, operators and "
        "hotline agents: 403 forbidden."
    ),
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        201: _ok("The number"),
        409: _problem(
            "Closed now, or the booking is not for today or not active (halls.hall_closed, "
            "halls.booking_not_today, halls.booking_not_active)"
        ),
        422: _problem("No window serves the item (halls.item_not_served)"),
        **_HALL,
        **SIGNED_IN,
        403: _problem(
            "Staff of a department not stationed at the hall, or a role that takes no numbers "
            "(halls.not_this_halls_clerk, forbidden)"
        ),
    },
)
def take_number(principal: Principal, hall_id: HallId, body: Annotated[TicketRequest, Body()]) -> Ticket:
    return _service().take_number(principal, hall_id, body)


# --- the hall's clerks ------------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/halls/<hall_id>/windows/<window_id>/call-next",
    summary="Call the next number at a window (叫号)",
    description=(
        "The first waiting number of the window's group that the window serves (its items; a window without "
        "items serves the whole group): appointments first within their half hour, then arrival order. Two "
        "windows calling at once never get the same number. `ticket` is null when nobody waits."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The called number"), 404: _problem("No such hall or window"), **_CLERK},
)
def call_next(principal: Principal, hall_id: HallId, window_id: WindowId) -> CallResult:
    return _service().call_next(principal, hall_id, window_id)


@route(
    router,
    "POST",
    "/v1/appointments/<booking_id>/no-show",
    summary="Record a no-show (爽约) at the counter",
    description=(
        "A clerk of the booking's hall, once the slot is over and nobody took a number with the booking. "
        "`HALLS_NO_SHOW_LIMIT` no-shows within `HALLS_NO_SHOW_WINDOW_DAYS` suspend booking (the sweep records "
        "the rest in the evening)."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The booking, a no-show"),
        404: _problem("No such booking (halls.booking_not_found)"),
        409: _problem("Slot not over, or the person came (halls.slot_not_over, halls.booking_not_active)"),
        **_CLERK,
    },
)
def no_show(principal: Principal, booking_id: BookingId) -> Booking:
    return _service().clerk_no_show(principal, booking_id)
