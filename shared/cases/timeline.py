"""The case's tamper-evident timeline (办件轨迹): the entries a case's transitions
append, chained by `shared.platform.hashchain` (the mechanism every timeline shares).
Which fields an entry's hash covers is decided here; the canonical form is the one
stored chains were written with, so they still verify.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shared.cases.models import TimelineEntry, TimelineVerification
from shared.cases.states import CaseAction, CaseState
from shared.platform.clients import ClientId, current_client
from shared.platform.clock import iso
from shared.platform.hashchain import GENESIS_HASH, check_chain, link_hash

__all__ = ["GENESIS_HASH", "next_entry", "verify"]


def _fields(
    case_id: str,
    *,
    seq: int,
    at: datetime,
    action: CaseAction,
    from_state: CaseState | None,
    to_state: CaseState,
    actor_role: str,
    actor: str,
    reason: str | None,
    client: ClientId | None = None,
) -> dict[str, Any]:
    fields = {
        "case_id": case_id,
        "seq": seq,
        "at": iso(at),
        "action": action.value,
        "from": from_state.value if from_state else None,
        "to": to_state.value,
        "actor_role": actor_role,
        "actor": actor,
        "reason": reason,
    }
    if client is not None:
        # covered only when present, so entries written before 一端 (D-273) still verify
        fields["client"] = client
    return fields


def _entry_fields(case_id: str, entry: TimelineEntry) -> dict[str, Any]:
    return _fields(
        case_id,
        seq=entry.seq,
        at=entry.at,
        action=entry.action,
        from_state=entry.from_state,
        to_state=entry.to_state,
        actor_role=entry.actor_role,
        actor=entry.actor,
        reason=entry.reason,
        client=entry.client,
    )


def next_entry(
    case_id: str,
    *,
    previous_length: int,
    previous_hash: str,
    at: datetime,
    action: CaseAction,
    from_state: CaseState | None,
    to_state: CaseState,
    actor_role: str,
    actor: str,
    reason: str | None,
) -> TimelineEntry:
    """The entry that follows a timeline of `previous_length` entries ending in `previous_hash`;
    it records the client of the HTTP write that makes it (一端), none for a consumer or sweep."""
    at = at.replace(microsecond=0)
    client = current_client()
    seq = previous_length + 1
    prev_hash = previous_hash or GENESIS_HASH
    fields = _fields(
        case_id,
        seq=seq,
        at=at,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor_role=actor_role,
        actor=actor,
        reason=reason,
        client=client,
    )
    return TimelineEntry(
        seq=seq,
        at=at,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor_role=actor_role,
        actor=actor,
        reason=reason,
        client=client,
        prev_hash=prev_hash,
        hash=link_hash(fields, prev_hash),
    )


def verify(case_id: str, entries: Sequence[TimelineEntry], expected_head: str) -> TimelineVerification:
    """Recompute the chain (`shared.platform.hashchain.check_chain`); the first entry
    that does not verify is `broken_at`."""
    checked = check_chain(
        entries,
        expected_head,
        seq=lambda e: e.seq,
        prev_hash=lambda e: e.prev_hash,
        stored_hash=lambda e: e.hash,
        fields=lambda e: _entry_fields(case_id, e),
    )
    return TimelineVerification(
        case_id=case_id,
        valid=checked.valid,
        length=checked.length,
        head=checked.head,
        expected_head=expected_head,
        broken_at=checked.broken_at,
    )
