"""The hotline's HTTP routes (paths fixed by template.yaml, HotlineApiFunction): opening
tickets from every channel, the department's steps, follow-up, the supervisor's list,
the knowledge base, and the operators' routing table, FAQ and Open311 partners.
The Open311 GeoReport v2 routes are in `shared.hotline.open311`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.hotline.models import (
    CATEGORY_PATTERN,
    PREFIX_PATTERN,
    REGION_PATTERN,
    TICKET_ID_PATTERN,
    DispatchDesk,
    FaqEntry,
    MatterCategory,
    RoutingRule,
    TicketSummary,
    TicketView,
    TimelineVerification,
    TimelineView,
)
from shared.hotline.service import HotlineService, hotline_service
from shared.platform.idempotency import once
from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.public import lazy_module
from shared.platform.route_docs import ROLE, SIGNED_IN, Cursor, IdempotencyKey, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

if TYPE_CHECKING:
    from shared.hotline import shapes
else:
    # a route's bodies and answers load with its first request (its signature is resolved then: D-315, D-338)
    shapes = lazy_module("shared.hotline.shapes")

router = APIGatewayRouter()

TAG = "12345 Hotline 一号"
CONFIG_TAG = "12345 Hotline configuration"
TicketId = Annotated[str, Path(pattern=TICKET_ID_PATTERN, description="Ticket id (26 characters).")]
_RECORD = {
    **SIGNED_IN,
    403: _problem("The caller sees the ticket but may not take this step (forbidden, hotline.not_the_dispatch_desk)"),
    404: _problem("No such ticket, or not the caller's to see (hotline.ticket_not_found)"),
}
_STEP = {
    **_RECORD,
    409: _problem(
        "Not possible in the ticket's state, or changed meanwhile "
        "(hotline.step_not_allowed, hotline.changed_concurrently)"
    ),
}
_OPEN = {
    409: _problem("Replayed Idempotency-Key with another body (idempotency_key_reused)"),
    422: _problem(
        "Bad input: empty text, unknown category, a type the channel cannot open, too many or oversize attachments "
        "(hotline.empty_text, hotline.unknown_category, hotline.type_not_for_channel, hotline.too_many_attachments, "
        "hotline.attachment_too_large, hotline.attachment_type_not_allowed, hotline.knowledge_answer_unknown, "
        "validation_failed)"
    ),
}


def _service() -> HotlineService:
    return hotline_service()


def _once(scope: str, key: str | None, body: Any, produce: Any) -> TicketView:
    result = once(
        scope=scope, key=key, payload=body.model_dump(mode="json"), produce=lambda: produce().model_dump(mode="json")
    )
    return TicketView.model_validate(result)


# --- opening -----------------------------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/hotline/tickets",
    status_code=201,
    summary="Open a 12345 ticket (web, app, WeChat)",
    description=(
        "A signed-in citizen or enterprise agent consults, asks for help, complains, reports or suggests. A "
        "consultation that names an `accepted_answer` from the knowledge base closes at once "
        "(`answered_by: knowledge_base`); any other ticket is routed by the rule table to the responsible "
        "department (else the region's dispatch desk) with sign and answer limits in working days. A second "
        "ticket about the same matter and place while the first is open is linked to it (`state: linked`). "
        "Declared attachments come back as presigned uploads (`uploads`); confirm each after uploading."
    ),
    tags=[TAG],
    access=Access.APPLICANT,
    responses={201: _ok("The ticket as opened"), **ROLE, **_OPEN},
)
def open_ticket(
    principal: Principal, body: Annotated[shapes.NewTicket, Body()], idempotency_key: IdempotencyKey = None
) -> TicketView:
    return _once(
        f"hotline.open:{principal.subject_id}",
        idempotency_key,
        body,
        lambda: _service().open_signed_in(principal, body, correlation_id=correlation_id()),
    )


@route(
    router,
    "POST",
    "/v1/hotline/calls",
    status_code=201,
    summary="Open a ticket for a caller (phone, hall) as a 12345 agent",
    description=(
        "A 12345 agent (话务员) takes a call or a visitor at the hall's 12345 desk. The caller's number, when "
        "given, is sealed and shown masked; without it the ticket is anonymous."
    ),
    tags=[TAG],
    access=Access.HOTLINE_AGENT,
    responses={201: _ok("The ticket as opened"), **ROLE, **_OPEN},
)
def open_call(
    principal: Principal, body: Annotated[shapes.CallTicket, Body()], idempotency_key: IdempotencyKey = None
) -> TicketView:
    return _once(
        f"hotline.call:{principal.subject_id}",
        idempotency_key,
        body,
        lambda: _service().open_call(principal, body, correlation_id=correlation_id()),
    )


@route(
    router,
    "POST",
    "/v1/hotline/anonymous-tickets",
    status_code=201,
    summary="Report or suggest without an account (举报/建议)",
    description=(
        "Anonymous reports and suggestions only. The contact phone is verified by a one-time code "
        "(`POST /v1/auth/otp` with `purpose: contact`), then sealed: the department handling the ticket never "
        "sees who reported it."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    responses={
        201: _ok("The ticket as opened"),
        401: _problem("Wrong or expired code (identity.otp_invalid, identity.otp_expired)"),
        429: _problem("Too many wrong codes (identity.otp_locked)"),
        **_OPEN,
    },
)
def open_anonymous(
    body: Annotated[shapes.AnonymousTicket, Body()], idempotency_key: IdempotencyKey = None
) -> TicketView:
    return _once(
        f"hotline.anonymous:{body.contact_phone[-4:]}",
        idempotency_key,
        body,
        lambda: _service().open_anonymous(body, correlation_id=correlation_id()),
    )


# --- reading -----------------------------------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/hotline/tickets/<ticket_id>",
    summary="Read a ticket",
    description=(
        "The requester, 12345 agents of the region, the handling and co-handling departments, the region's "
        "dispatch desk and supervisors of the region read it. For a 举报 the department sees no requester."
    ),
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The ticket"), **_RECORD},
)
def get_ticket(principal: Principal, ticket_id: TicketId) -> TicketView:
    return _service().ticket(principal, ticket_id)


@route(
    router,
    "GET",
    "/v1/hotline/tickets/<ticket_id>/timeline",
    summary="The ticket's timeline (工单轨迹)",
    description="Every step, oldest first, each entry hash-chained to the one before.",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The timeline"), **_RECORD},
)
def ticket_timeline(principal: Principal, ticket_id: TicketId) -> TimelineView:
    return _service().timeline(principal, ticket_id)


@route(
    router,
    "GET",
    "/v1/hotline/tickets/<ticket_id>/timeline/verify",
    summary="Verify the ticket's timeline",
    description="Recomputes the hash chain; `broken_at` names the first entry that does not verify.",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The verification"), **_RECORD},
)
def verify_timeline(principal: Principal, ticket_id: TicketId) -> TimelineVerification:
    return _service().verify_timeline(principal, ticket_id)


@route(
    router,
    "GET",
    "/v1/hotline/my-tickets",
    summary="My 12345 tickets",
    description="The signed-in requester's tickets, newest first.",
    tags=[TAG],
    access=Access.APPLICANT,
    responses={200: _ok("A page of tickets"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def my_tickets(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[TicketSummary]:
    return _service().my_tickets(principal, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/hotline/department-tickets",
    summary="The department's tickets",
    description="Tickets dispatched to the caller's department (or desk), newest first, with the answer due date.",
    tags=[TAG],
    access=Access.STAFF,
    responses={200: _ok("A page of tickets"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def department_tickets(
    principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[TicketSummary]:
    return _service().department_tickets(principal, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/hotline/escalated-tickets",
    summary="Tickets waiting for a supervisor's decision",
    description="Tickets of the supervisor's region rated dissatisfied twice (after one reopening).",
    tags=[TAG],
    access=Access.SUPERVISOR,
    responses={200: _ok("A page of tickets"), 400: _problem("Bad cursor (invalid_cursor)"), **ROLE},
)
def escalated_tickets(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[TicketSummary]:
    return _service().escalated(principal, limit=limit, cursor=cursor)


# --- steps -------------------------------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/hotline/tickets/<ticket_id>/sign",
    summary="Sign for a ticket (签收)",
    description="Staff of the handling department; stops the sign limit.",
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The ticket, signed"), **_STEP},
)
def sign(
    principal: Principal, ticket_id: TicketId, body: Annotated[shapes.SignRequest | None, Body()] = None
) -> TicketView:
    return _service().sign(principal, ticket_id, body or shapes.SignRequest(), correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/hotline/tickets/<ticket_id>/answer",
    summary="Answer a ticket (答复)",
    description=(
        "Staff of the handling department answer with text and optional attachments (presigned uploads come "
        "back in `uploads`). The requester is told and asked to rate within the follow-up limit."
    ),
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The ticket, answered"),
        422: _problem("Empty text or bad attachments (hotline.empty_text, …)"),
        **_STEP,
    },
)
def answer(principal: Principal, ticket_id: TicketId, body: Annotated[shapes.AnswerRequest, Body()]) -> TicketView:
    return _service().answer(principal, ticket_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/hotline/tickets/<ticket_id>/return",
    summary="Send a ticket back to the dispatch desk (退单)",
    description="Staff of the handling department say it is not theirs, with a reason; the desk re-dispatches.",
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The ticket, returned"), **_STEP},
)
def send_back(principal: Principal, ticket_id: TicketId, body: Annotated[shapes.ReasonRequest, Body()]) -> TicketView:
    return _service().send_back(principal, ticket_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/hotline/tickets/<ticket_id>/redispatch",
    summary="Re-dispatch a ticket (改派)",
    description="Staff of the region's 12345 dispatch desk send it to another department; the limits start again.",
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The ticket, dispatched"),
        422: _problem("Unknown department (hotline.unknown_department)"),
        **_STEP,
    },
)
def redispatch(
    principal: Principal, ticket_id: TicketId, body: Annotated[shapes.RedispatchRequest, Body()]
) -> TicketView:
    return _service().redispatch(principal, ticket_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/hotline/tickets/<ticket_id>/co-handlers",
    summary="Name a co-handling department (协办)",
    description="Staff of the region's dispatch desk; the co-handling department may read the ticket.",
    tags=[TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The ticket"), 422: _problem("Unknown department (hotline.unknown_department)"), **_STEP},
)
def co_handle(principal: Principal, ticket_id: TicketId, body: Annotated[shapes.CoHandleRequest, Body()]) -> TicketView:
    return _service().co_handle(principal, ticket_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/hotline/tickets/<ticket_id>/rating",
    summary="Rate the answer (回访评价)",
    description=(
        "The requester (or a 12345 agent on the phone for them): satisfied or basically satisfied closes the "
        "ticket; dissatisfied reopens it once to the same department with a new limit (重办); dissatisfied again "
        "puts it on the supervisor's list."
    ),
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The ticket after the rating"), **_STEP},
)
def rate(principal: Principal, ticket_id: TicketId, body: Annotated[shapes.RatingRequest, Body()]) -> TicketView:
    return _service().rate(principal, ticket_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/hotline/tickets/<ticket_id>/decision",
    summary="Decide an escalated ticket (督办决定)",
    description="A supervisor of the region closes it or reopens it to the department, with a reason.",
    tags=[TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={200: _ok("The ticket after the decision"), **_STEP},
)
def decide(principal: Principal, ticket_id: TicketId, body: Annotated[shapes.DecisionRequest, Body()]) -> TicketView:
    return _service().decide(principal, ticket_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/hotline/tickets/<ticket_id>/attachments/<attachment_id>/confirm",
    summary="Confirm an uploaded attachment",
    description="Reads the upload back: it must exist with the declared size, type and SHA-256.",
    tags=[TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        200: _ok("The ticket"),
        422: _problem("Not uploaded as declared (hotline.attachment_not_uploaded)"),
        **_RECORD,
    },
)
def confirm_attachment(
    principal: Principal,
    ticket_id: TicketId,
    attachment_id: Annotated[str, Path(pattern=TICKET_ID_PATTERN, description="Attachment id.")],
) -> TicketView:
    return _service().confirm_attachment(principal, ticket_id, attachment_id)


# --- knowledge base and reference data ---------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/hotline/categories",
    summary="Matter categories (诉求事项分类)",
    description="The two-level matter categories (GB/T 39666 style) a ticket names; operators keep the table.",
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The categories")},
)
def categories() -> shapes.CategoryList:
    return _service().categories()


@route(
    router,
    "GET",
    "/v1/hotline/knowledge",
    summary="Ask the knowledge base (知识库)",
    description=(
        "Curated FAQ entries, then the catalogue's item guides, that answer a question. When one answers it, open "
        "the consultation with it as `accepted_answer`: the ticket closes at once."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    responses={200: _ok("Answers, best first"), 422: _problem("Bad query (validation_failed)")},
)
def knowledge(
    q: Annotated[str, Query(min_length=1, max_length=100, description="The question.")],
    region: Annotated[str | None, Query(pattern=REGION_PATTERN, description="The caller's division.")] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> shapes.KnowledgeAnswers:
    return _service().knowledge(q, region, limit=limit)


# --- configuration (operators) -----------------------------------------------------------------


@route(
    router,
    "PUT",
    "/v1/hotline/categories/<category_code>",
    summary="Add or rename a matter category",
    description=(
        "Two digits for a first level, four for a second level under an existing first level. Tickets, rules and "
        "Open311 services read the table (a warm function within a minute), no deploy."
    ),
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The category"),
        422: _problem("The first level does not exist (hotline.unknown_category)"),
        **ROLE,
    },
)
def put_category(
    principal: Principal,
    category_code: Annotated[str, Path(pattern=CATEGORY_PATTERN)],
    body: Annotated[shapes.CategoryRequest, Body()],
) -> MatterCategory:
    return _service().put_category(principal, category_code, body)


@route(
    router,
    "GET",
    "/v1/hotline/routing-rules",
    summary="The routing table (派单规则)",
    description="Every rule (category, region prefix) → department.",
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={200: _ok("The rules"), **ROLE},
)
def routing_rules() -> shapes.RuleList:
    return _service().rules()


@route(
    router,
    "PUT",
    "/v1/hotline/routing-rules",
    summary="Add or change a routing rule",
    description="Takes effect for the next ticket, without a deploy. The most specific rule wins.",
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The rule"),
        422: _problem("Unknown category or department (hotline.unknown_category, hotline.unknown_department)"),
        **ROLE,
    },
)
def put_routing_rule(principal: Principal, body: Annotated[shapes.RuleRequest, Body()]) -> RoutingRule:
    return _service().put_rule(principal, body)


@route(
    router,
    "DELETE",
    "/v1/hotline/routing-rules/<category_code>/<region_prefix>",
    status_code=204,
    summary="Remove a routing rule",
    description="Tickets it matched go to the next most specific rule, or the desk.",
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={204: _ok("Removed"), 404: _problem("No such rule (hotline.rule_not_found)"), **ROLE},
)
def delete_routing_rule(
    category_code: Annotated[str, Path(pattern=CATEGORY_PATTERN)],
    region_prefix: Annotated[str, Path(pattern=PREFIX_PATTERN)],
) -> None:
    _service().delete_rule(category_code, region_prefix)


@route(
    router,
    "GET",
    "/v1/hotline/dispatch-desks",
    summary="The 12345 dispatch desks (派单席)",
    description="Per region prefix, the desk that takes unmatched and returned tickets.",
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={200: _ok("The desks"), **ROLE},
)
def dispatch_desks() -> shapes.DeskList:
    return _service().desks()


@route(
    router,
    "PUT",
    "/v1/hotline/dispatch-desks/<region_prefix>",
    summary="Set a region's dispatch desk",
    description="The desk's department id (its staff sign in with it) and name.",
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={200: _ok("The desk"), **ROLE},
)
def put_dispatch_desk(
    principal: Principal,
    region_prefix: Annotated[str, Path(pattern=PREFIX_PATTERN)],
    body: Annotated[shapes.DeskRequest, Body()],
) -> DispatchDesk:
    return _service().put_desk(principal, region_prefix, body)


@route(
    router,
    "POST",
    "/v1/hotline/faqs",
    status_code=201,
    summary="Add an FAQ entry",
    description="A curated answer (`revision: 0`); each later change is a new version.",
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={
        201: _ok("The entry, version 1"),
        409: _problem("Revision mismatch (hotline.faq_revision_mismatch)"),
        **ROLE,
    },
)
def create_faq(principal: Principal, body: Annotated[shapes.FaqRequest, Body()]) -> FaqEntry:
    return _service().save_faq(principal, None, body)


@route(
    router,
    "PUT",
    "/v1/hotline/faqs/<faq_id>",
    summary="Change an FAQ entry",
    description="`revision` must be the current version (optimistic concurrency); the old version stays readable.",
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The entry, next version"),
        404: _problem("No such entry (hotline.faq_not_found)"),
        409: _problem("Revision mismatch (hotline.faq_revision_mismatch)"),
        **ROLE,
    },
)
def update_faq(
    principal: Principal,
    faq_id: Annotated[str, Path(pattern=TICKET_ID_PATTERN)],
    body: Annotated[shapes.FaqRequest, Body()],
) -> FaqEntry:
    return _service().save_faq(principal, faq_id, body)


@route(
    router,
    "GET",
    "/v1/hotline/faqs/<faq_id>/versions",
    summary="An FAQ entry's versions",
    description="Every version, oldest first.",
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={200: _ok("The versions"), 404: _problem("No such entry (hotline.faq_not_found)"), **ROLE},
)
def faq_versions(faq_id: Annotated[str, Path(pattern=TICKET_ID_PATTERN)]) -> shapes.FaqVersions:
    return _service().faq_versions(faq_id)


@route(
    router,
    "POST",
    "/v1/hotline/open311-partners",
    status_code=201,
    summary="Register an Open311 partner",
    description=(
        "Returns the partner's `api_key` once (only its hash is kept); it authorises `POST /open311/v2/requests.json`."
    ),
    tags=[CONFIG_TAG],
    access=Access.OPERATOR,
    responses={201: _ok("The partner and its key"), **ROLE},
)
def register_partner(body: Annotated[shapes.PartnerRequest, Body()]) -> shapes.PartnerKey:
    return _service().register_partner(body.name)
