"""The ticket's hash-chained timeline (工单轨迹), on `shared.platform.hashchain` as the
case timeline is: which fields an entry's hash covers is decided here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shared.hotline.models import TimelineEntry, TimelineVerification
from shared.hotline.states import Step, TicketState
from shared.platform.clock import iso
from shared.platform.hashchain import GENESIS_HASH, check_chain, link_hash


def _fields(ticket_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "seq": entry["seq"],
        "at": iso(entry["at"]),
        "step": entry["step"].value,
        "from": entry["from_state"].value if entry["from_state"] else None,
        "to": entry["to_state"].value,
        "actor_role": entry["actor_role"],
        "actor": entry["actor"],
        "department_id": entry["department_id"],
        "note": entry["note"],
    }


def next_entry(
    ticket_id: str,
    *,
    previous_length: int,
    previous_hash: str,
    at: datetime,
    step: Step,
    from_state: TicketState | None,
    to_state: TicketState,
    actor_role: str,
    actor: str,
    department_id: str | None,
    note: str | None,
) -> TimelineEntry:
    values: dict[str, Any] = {
        "seq": previous_length + 1,
        "at": at.replace(microsecond=0),
        "step": step,
        "from_state": from_state,
        "to_state": to_state,
        "actor_role": actor_role,
        "actor": actor,
        "department_id": department_id,
        "note": note,
    }
    prev_hash = previous_hash or GENESIS_HASH
    return TimelineEntry(**values, prev_hash=prev_hash, hash=link_hash(_fields(ticket_id, values), prev_hash))


def verify(ticket_id: str, entries: Sequence[TimelineEntry], expected_head: str) -> TimelineVerification:
    checked = check_chain(
        entries,
        expected_head,
        seq=lambda e: e.seq,
        prev_hash=lambda e: e.prev_hash,
        stored_hash=lambda e: e.hash,
        fields=lambda e: _fields(ticket_id, e.model_dump()),
    )
    return TimelineVerification(
        ticket_id=ticket_id,
        valid=checked.valid,
        length=checked.length,
        head=checked.head,
        expected_head=expected_head,
        broken_at=checked.broken_at,
    )
