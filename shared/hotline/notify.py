"""Telling a requester without an account that their ticket was answered (回复): a text
to the contact phone they verified, through the platform's SMS port (locally the SMS
outbox). Signed-in requesters hear through the message center (notifications consumes
`ticket.answered`); this is for the rest, whose number only this context can unseal.

At most one text per answer round: a marker (`SMS#<ticket>#<round>`) is written with
`attribute_not_exists` before sending, and removed again if sending fails so the retry
sends; a redelivered event finds the marker and sends nothing. Logs name the ticket,
never the number.
"""

from __future__ import annotations

from shared.hotline.events import TicketFacts
from shared.hotline.repository import HotlineRepository
from shared.hotline.service import CONTACT_PURPOSE
from shared.platform.observability import logger
from shared.platform.sealing import sealer
from shared.platform.sms import SmsMessage, sms_sender


def tell_answered(facts: TicketFacts, repository: HotlineRepository | None = None) -> bool:
    """Text the answer notice to an account-less requester; True when a text went out."""
    repository = repository or HotlineRepository()
    ticket = repository.get(facts.ticket_id)
    if ticket is None or ticket.requester.subject_id or not ticket.requester.sealed_contact:
        return False
    round_ = len(ticket.answers)
    if not repository.claim_text(ticket.ticket_id, round_):
        logger().info("answer text already sent", extra={"ticket_id": ticket.ticket_id, "round": round_})
        return False
    phone = str(sealer(CONTACT_PURPOSE).unseal(ticket.ticket_id, ticket.requester.sealed_contact)["phone"])
    text = f"【江苏政务服务】您的 12345 诉求（工单号 {ticket.number}）已答复，可凭工单号在 12345 热线或网站查询。"
    try:
        sms_sender().send(phone, SmsMessage("hotline.answered", text))
    except Exception:
        repository.release_text(ticket.ticket_id, round_)
        raise
    logger().info("answer text sent", extra={"ticket_id": ticket.ticket_id, "round": round_})
    return True
