"""What trading_worker does with the 12345 ticket events it is fed (TradingComplaintsQueue,
D-312): a ticket that names a trading notice (`link_notice_id`) is kept on the notice as a
complaint, answered once the department answers it or it closes; until then the notice's
result waits (招标投标法实施条例 第五十四条). Tickets naming no notice are ignored without a read."""

from __future__ import annotations

from shared.hotline import events as ticket_events
from shared.platform.dispatch import Dispatcher
from shared.platform.events import Envelope
from shared.trading.models import Complaint
from shared.trading.service import trading_service

trading_consumer: Dispatcher[bool] = Dispatcher("trading_worker")
ANSWERED = {ticket_events.ANSWERED, ticket_events.CLOSED}


@trading_consumer.on(ticket_events.OPENED, ticket_events.ANSWERED, ticket_events.CLOSED, data=ticket_events.TicketFacts)
def _ticket(data: ticket_events.TicketFacts, envelope: Envelope) -> bool:
    if not data.link_notice_id:
        return False
    complaint = Complaint(
        ticket_id=data.ticket_id, number=data.number, opened_at=data.opened_at, answered=envelope.type in ANSWERED
    )
    return trading_service().follow_complaint(data.link_notice_id, complaint)
