"""What the ratings_worker does with each event it is fed (RatingsQueue).

- A finished case (`case.completed` 办结, `case.refused_at_intake` 不予受理,
  `case.withdrawn` 撤回) or a closed 12345 ticket (`ticket.closed`) invites its
  applicant to rate it: one invitation per target, however often the event comes.
- `rating.given`, `rating.changed`, `rating.excluded` move the score counters of
  the rating's department and month, once per event (its id is the dedupe key).

A ticket closed without a handling department (answered from the knowledge
base) has nothing to rate and invites nobody.
"""

from __future__ import annotations

from shared.cases import events as case_events
from shared.hotline import events as hotline_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.ratings import events
from shared.ratings.models import TargetKind
from shared.ratings.service import TargetFacts, ratings_service

CASE_OUTCOMES = {
    case_events.COMPLETED: "completed",
    case_events.REFUSED_AT_INTAKE: "refused",
    case_events.WITHDRAWN: "withdrawn",
}


ratings_consumer: Dispatcher[bool] = Dispatcher("ratings_worker")


@ratings_consumer.on(*CASE_OUTCOMES, data=case_events.CaseFacts)
def _case_finished(case: case_events.CaseFacts, envelope: Envelope) -> bool:
    target = TargetFacts(
        kind=TargetKind.CASE,
        target_id=case.case_id,
        label=case.case_number,
        title=case.item_name,
        department_id=case.department_id,
        region_code=case.region_code,
        rater_subject_id=case.notify_subject_id,
        applicant_uscc=case.applicant_uscc,
        outcome=CASE_OUTCOMES[envelope.type],
        handler_subject_id=case.handler_subject_id,
        hall_id=case.intake_hall_id,
    )
    return ratings_service().invite(target, correlation_id=envelope.correlation_id or envelope.id)


@ratings_consumer.on(hotline_events.CLOSED, data=hotline_events.TicketFacts)
def _ticket_closed(ticket: hotline_events.TicketFacts, envelope: Envelope) -> bool:
    if not ticket.department_id:
        return False  # answered from the knowledge base: no department handled it, nothing to rate
    target = TargetFacts(
        kind=TargetKind.TICKET,
        target_id=ticket.ticket_id,
        label=ticket.number,
        # a ticket closed before its events had a title (a redelivery) keeps the generic one
        title=f"12345 {ticket.title}" if ticket.title else "12345 热线工单",
        department_id=ticket.department_id,
        region_code=ticket.department_region_code or ticket.region_code,
        rater_subject_id=ticket.notify_subject_id,
        applicant_uscc=None,
        outcome="closed",
        handler_subject_id=ticket.handler_subject_id,
    )
    return ratings_service().invite(target, correlation_id=envelope.correlation_id or envelope.id)


@ratings_consumer.on(events.GIVEN, events.CHANGED, events.EXCLUDED, data=events.RatingData)
def _count(rating: events.RatingData, envelope: Envelope) -> bool:
    return ratings_service().count(envelope.id, envelope.type, rating)
