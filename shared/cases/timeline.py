"""The tamper-evident timeline (办件轨迹): every transition appends an entry
whose hash covers its own fields and the previous entry's hash, so changing,
removing or reordering any entry breaks every hash after it.

SHA-256 over a canonical JSON form (sorted keys, no whitespace). SM3 would
fit the national rules equally; swapping the digest is a one-line change
here, but every stored chain would then need its algorithm recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from shared.cases.models import TimelineEntry, TimelineVerification
from shared.cases.states import CaseAction, CaseState
from shared.platform.clock import iso

GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first entry."""


def _digest(
    *,
    seq: int,
    at: datetime,
    action: CaseAction,
    from_state: CaseState | None,
    to_state: CaseState,
    actor_role: str,
    actor: str,
    reason: str | None,
    prev_hash: str,
    case_id: str,
) -> str:
    canonical = json.dumps(
        {
            "case_id": case_id,
            "seq": seq,
            "at": iso(at),
            "action": action.value,
            "from": from_state.value if from_state else None,
            "to": to_state.value,
            "actor_role": actor_role,
            "actor": actor,
            "reason": reason,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
    """The entry that follows a timeline of `previous_length` entries ending in `previous_hash`."""
    at = at.replace(microsecond=0)
    seq = previous_length + 1
    prev_hash = previous_hash or GENESIS_HASH
    digest = _digest(
        seq=seq,
        at=at,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor_role=actor_role,
        actor=actor,
        reason=reason,
        prev_hash=prev_hash,
        case_id=case_id,
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
        prev_hash=prev_hash,
        hash=digest,
    )


def verify(case_id: str, entries: Sequence[TimelineEntry], expected_head: str) -> TimelineVerification:
    """Recompute the chain; the first entry that does not verify is `broken_at`.

    An entry breaks the chain when its sequence number skips, its `prev_hash`
    is not the recomputed hash before it, or its own hash differs from the
    recomputed one. A chain whose last hash is not the head the case record
    holds has lost entries at its end.
    """
    previous = GENESIS_HASH
    broken_at: int | None = None
    for position, entry in enumerate(sorted(entries, key=lambda e: e.seq), start=1):
        recomputed = _digest(
            seq=entry.seq,
            at=entry.at,
            action=entry.action,
            from_state=entry.from_state,
            to_state=entry.to_state,
            actor_role=entry.actor_role,
            actor=entry.actor,
            reason=entry.reason,
            prev_hash=previous,
            case_id=case_id,
        )
        if entry.seq != position or entry.prev_hash != previous or entry.hash != recomputed:
            broken_at = position
            break
        previous = recomputed
    if broken_at is None and previous != (expected_head or GENESIS_HASH):
        broken_at = len(entries) + 1
    return TimelineVerification(
        case_id=case_id,
        valid=broken_at is None,
        length=len(entries),
        head=previous,
        expected_head=expected_head,
        broken_at=broken_at,
    )
