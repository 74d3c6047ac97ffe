"""Open311 GeoReport v2 at `/open311/v2` (JSON format), so existing Open311 clients and
city apps can file 12345 tickets: `services.json` lists the matter categories,
`requests.json` POST creates a ticket (channel `open311`, the partner's `api_key`),
GET `requests.json` and `requests/{id}.json` show the public, anonymised status.

Deviations from the spec, on purpose: `jurisdiction_id` is the division code of the
place (required: routing needs the region); errors are the platform's problem+json
with stable codes; names and e-mail addresses sent with a request are not stored, a
`phone` is sealed as the ticket's contact; the public status shows no description,
address or contact, and the position rounded to about 100 m.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict, Field

from shared.hotline.errors import INVALID_API_KEY, TICKET_NOT_FOUND
from shared.hotline.models import PHONE_PATTERN, REGION_PATTERN, TICKET_ID_PATTERN, Location, Ticket, TicketContent
from shared.hotline.service import hotline_service
from shared.hotline.states import OPEN_STATES, TicketType
from shared.platform.errors import Forbidden, NotFound
from shared.platform.observability import correlation_id
from shared.platform.principal import Access
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

router = APIGatewayRouter()

TAG = "Open311 GeoReport v2"
PREFIX = "/open311/v2"
MAX_IDS = 50


class _Shape(BaseModel):
    model_config = ConfigDict(defer_build=True)


class Service(_Shape):
    service_code: str
    service_name: str
    description: str
    metadata: bool = False
    type: str = "realtime"
    keywords: str = ""
    group: str


class NewRequest(BaseModel):
    """The GeoReport v2 request fields (form-encoded or JSON)."""

    model_config = ConfigDict(extra="ignore", defer_build=True, populate_by_name=True)

    api_key: str = Field(min_length=1, max_length=200)
    jurisdiction_id: str = Field(pattern=REGION_PATTERN, description="Division code of the place (this deployment).")
    service_code: str = Field(min_length=2, max_length=4)
    description: str = Field(default="", max_length=2000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    request_type: TicketType = Field(
        default=TicketType.COMPLAINT, alias="attribute[type]", description="12345 ticket type (default complaint)."
    )


class Created(_Shape):
    service_request_id: str
    service_notice: str
    account_id: str | None = None


class ServiceRequest(_Shape):
    service_request_id: str
    status: str = Field(description="open or closed")
    status_notes: str | None = None
    service_name: str
    service_code: str
    agency_responsible: str | None = None
    service_notice: str | None = None
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime
    expected_datetime: dt.datetime | None = None
    lat: float | None = None
    long: float | None = None


def _public(ticket: Ticket) -> ServiceRequest:
    answer_due = next((limit.due_on for limit in ticket.limits if limit.name == "answer"), None)
    expected = (
        dt.datetime.combine(answer_due, dt.time(18), tzinfo=dt.timezone(dt.timedelta(hours=8))) if answer_due else None
    )
    return ServiceRequest(
        service_request_id=ticket.ticket_id,
        status="open" if ticket.state in OPEN_STATES else "closed",
        status_notes=ticket.closure.value if ticket.closure else ticket.state.value,
        service_name=ticket.category_name,
        service_code=ticket.category_code,
        agency_responsible=ticket.department_id,
        service_notice=ticket.number,
        requested_datetime=ticket.created_at,
        updated_datetime=ticket.updated_at,
        expected_datetime=expected,
        lat=round(ticket.location.lat, 3) if ticket.location.lat is not None else None,
        long=round(ticket.location.lon, 3) if ticket.location.lon is not None else None,
    )


@route(
    router,
    "GET",
    f"{PREFIX}/services.json",
    summary="Open311: service list",
    description="The second-level matter categories as Open311 services (`group` is the first level).",
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The services")},
)
def services() -> list[Service]:
    return [
        Service(service_code=c.code, service_name=c.name, description=f"{top.name} · {c.name}", group=top.name)
        for top in hotline_service().categories().items
        for c in top.children
    ]


@route(
    router,
    "POST",
    f"{PREFIX}/requests.json",
    summary="Open311: create a service request",
    description=(
        "Form-encoded (as GeoReport v2 clients send) or JSON. Creates a 12345 ticket on channel `open311`, routed "
        "like any other; `service_notice` is the ticket number."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    responses={
        200: _ok("The created request"),
        403: _problem("Unknown api_key (hotline.open311_invalid_api_key)"),
        422: _problem(
            "Bad input (hotline.unknown_category, hotline.empty_text, hotline.type_not_for_channel, validation_failed)"
        ),
    },
)
def create_request(body: Annotated[NewRequest, Body()]) -> list[Created]:
    service = hotline_service()
    partner_id = service.partner_for(body.api_key)
    if partner_id is None:
        raise Forbidden(INVALID_API_KEY)
    content = TicketContent(
        type=body.request_type,
        category_code=body.service_code,
        text=body.description,
        location=Location(region_code=body.jurisdiction_id, address=body.address_string, lat=body.lat, lon=body.long),
    )
    ticket = service.open_from_partner(
        content, partner_id=partner_id, contact=body.phone, correlation_id=correlation_id()
    )
    return [Created(service_request_id=ticket.ticket_id, service_notice=ticket.number)]


@route(
    router,
    "GET",
    f"{PREFIX}/requests.json",
    summary="Open311: status of requests",
    description="By `service_request_id` (comma-separated, at most 50), else the newest 50 filed through Open311.",
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The requests (anonymised)")},
)
def list_requests(
    service_request_id: Annotated[str | None, Query(max_length=MAX_IDS * 27, pattern=r"^[0-9A-Z,]+$")] = None,
) -> list[ServiceRequest]:
    service = hotline_service()
    if service_request_id:
        ids = [i for i in service_request_id.split(",") if i][:MAX_IDS]
        tickets = [
            t for t in (service.repository.get(i) for i in ids) if t is not None and t.channel.value == "open311"
        ]
    else:
        tickets, _ = service.repository.page("gsi2", "OPEN311", limit=MAX_IDS, cursor=None)
    return [_public(t) for t in tickets]


@route(
    router,
    "GET",
    f"{PREFIX}/requests/<request_file>",
    summary="Open311: one request",
    description="`{service_request_id}.json`: the public, anonymised status of one request (a one-element list).",
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The request"), 404: _problem("No such request (hotline.ticket_not_found)")},
)
def get_request(
    request_file: Annotated[str, Path(pattern=TICKET_ID_PATTERN[:-1] + r"\.json$", description="`<id>.json`")],
) -> list[ServiceRequest]:
    ticket = hotline_service().repository.get(request_file.removesuffix(".json"))
    if ticket is None or ticket.channel.value != "open311":
        raise NotFound(TICKET_NOT_FOUND)
    return [_public(ticket)]


open311_router = router  # the name shared.hotline.api exports
