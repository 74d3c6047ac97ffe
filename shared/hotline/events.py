"""Events the hotline context publishes (source `jszw.hotline`), through the outbox in
the same transaction as the change they describe, beside the `limit.set` /
`limit.cleared` facts of `shared.platform.limits` (sign and answer limits, which the
supervision context watches).

| type                | when                                                     | consumers |
|---------------------|----------------------------------------------------------|-----------|
| `ticket.opened`     | a ticket was taken in (any channel)                      | — |
| `ticket.dispatched` | routed to a department or a dispatch desk, or re-routed  | — |
| `ticket.signed`     | the department signed for it (签收)                       | — |
| `ticket.returned`   | the department sent it back to the desk (退单)            | — |
| `ticket.answered`   | the department answered (答复); the requester rates it   | notifications; SMS |
| `ticket.reopened`   | dissatisfied once: the same department again (重办)        | notifications |
| `ticket.escalated`  | dissatisfied twice: on the supervisor's list              | — |
| `ticket.closed`     | closed (rated, no response, knowledge base, supervisor)   | ratings (invitation) |
| `ticket.linked`     | a duplicate was linked to the open ticket it repeats     | — |

`subject` is the ticket id. Data never holds a name, a phone or an address; the
requester's subject id (`notify_subject_id`) only when they were signed in and the
ticket is not a 举报 (a reporter is absent from everything the department could see).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.hotline.states import TYPE_NAMES, TicketType
from shared.platform.events import Envelope, make_envelope, register_event_type

if TYPE_CHECKING:  # the ticket model (49 classes) stays out of the consumers' cold start
    from shared.hotline.models import Ticket

SOURCE = "hotline"
OPENED = "ticket.opened"
DISPATCHED = "ticket.dispatched"
SIGNED = "ticket.signed"
RETURNED = "ticket.returned"
ANSWERED = "ticket.answered"
REOPENED = "ticket.reopened"
ESCALATED = "ticket.escalated"
CLOSED = "ticket.closed"
LINKED = "ticket.linked"


class TicketFacts(BaseModel):
    """What every ticket event carries (and what a rating invitation needs)."""

    model_config = ConfigDict(defer_build=True)

    ticket_id: str
    number: str
    # the ticket's version and when it was taken in: a consumer that counts tickets (monitoring,
    # D-283) merges their events in any order; optional, events published before had neither
    version: int | None = None
    opened_at: AwareDatetime | None = None
    type: str
    channel: str
    category_code: str
    # what the matter is called, not what the requester wrote ("投诉：消费维权"): the free
    # text may name people and never travels in events
    title: str | None = None
    region_code: str
    state: str
    department_id: str | None = None
    department_region_code: str | None = None
    handler_subject_id: str | None = None
    notify_subject_id: str | None = None
    closure: str | None = None
    answered_by: str | None = None
    duplicate_of: str | None = None
    reopened: int = 0
    # the trading notice a complaint is about: the trading context can follow its complaints (D-312)
    link_notice_id: str | None = None


register_event_type(OPENED, TicketFacts, "A 12345 ticket was taken in (受理), from any channel.")
register_event_type(DISPATCHED, TicketFacts, "A ticket was dispatched (派单/改派) to a department or a dispatch desk.")
register_event_type(SIGNED, TicketFacts, "The department signed for the ticket (签收).")
register_event_type(RETURNED, TicketFacts, "The department sent the ticket back to the dispatch desk (退单).")
register_event_type(ANSWERED, TicketFacts, "The department answered the ticket (答复); the requester is asked to rate.")
register_event_type(
    REOPENED, TicketFacts, "Rated dissatisfied once: the ticket is reopened to the same department (重办)."
)
register_event_type(ESCALATED, TicketFacts, "Rated dissatisfied twice: the ticket waits for the supervisor's decision.")
register_event_type(
    CLOSED,
    TicketFacts,
    "The ticket was closed (办结): rated, no response, knowledge base or supervisor; ratings invite.",
)
register_event_type(LINKED, TicketFacts, "A duplicate ticket was linked to the open ticket it repeats (重复件).")


def facts(ticket: Ticket) -> dict[str, object]:
    reporter_hidden = ticket.type is TicketType.REPORT
    return TicketFacts(
        ticket_id=ticket.ticket_id,
        number=ticket.number,
        version=ticket.version,
        opened_at=ticket.created_at,
        type=ticket.type.value,
        channel=ticket.channel.value,
        category_code=ticket.category_code,
        title=f"{TYPE_NAMES[ticket.type]}：{ticket.category_name}",
        region_code=ticket.location.region_code,
        state=ticket.state.value,
        department_id=ticket.department_id,
        department_region_code=ticket.department_region_code,
        handler_subject_id=ticket.handler_subject_id,
        notify_subject_id=None if reporter_hidden else ticket.requester.subject_id,
        closure=ticket.closure.value if ticket.closure else None,
        answered_by=ticket.answered_by.value if ticket.answered_by else None,
        duplicate_of=ticket.duplicate_of,
        reopened=ticket.reopened,
        link_notice_id=ticket.link_notice_id,
    ).model_dump(mode="json")


def envelope(event_type: str, ticket: Ticket, correlation_id: str | None) -> Envelope:
    return make_envelope(SOURCE, event_type, ticket.ticket_id, facts(ticket), correlation_id)
