"""The case ledger: the one way a case is read and changed.

`load` reads a case (404 `case.not_found`), `target` asks the transition
table for the next state (409 `case.transition_not_allowed`), `entry` chains
a timeline entry, and `commit` writes the case with its timeline entries and
outbox events in one transaction guarded by its version and state; `store`
is the materials bucket, built on first use. Every use case (application,
intake, review, fulfilment, supervision) takes the ledger alone and changes
state only through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shared.cases.errors import (
    CASE_NOT_FOUND,
    FIELD_UNKNOWN_SLOT,
    INVALID_MATERIAL,
    NOT_EDITABLE,
    TRANSITION_NOT_ALLOWED,
    VERSION_MISMATCH,
)
from shared.cases.limits import limit_events
from shared.cases.models import Case, MaterialSlot, Receipt, TimelineEntry
from shared.cases.policy import Actor
from shared.cases.repository import CasesRepository, IdempotencyRecord
from shared.cases.states import (
    ACTION_NAMES,
    EDITABLE_STATES,
    STATE_NAMES,
    CaseAction,
    CaseState,
    TransitionNotAllowed,
    next_state,
)
from shared.cases.storage import MaterialStore, material_store
from shared.cases.timeline import next_entry
from shared.platform.clock import SHANGHAI, now
from shared.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.platform.events import Envelope
from shared.platform.observability import logger


def moment() -> dt.datetime:
    return now().replace(microsecond=0)


def shanghai_day(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def refuse_transition(case: Case, action: CaseAction) -> Conflict:
    return Conflict(
        TRANSITION_NOT_ALLOWED,
        params={
            "state": case.state.value,
            "state_name": STATE_NAMES[case.state],
            "action": action.value,
            "action_name": ACTION_NAMES[action],
        },
    )


def check_version(case: Case, expected: int | None) -> None:
    if expected is not None and expected != case.version:
        raise Conflict(VERSION_MISMATCH, params={"current": case.version})


def check_editable(case: Case) -> None:
    if case.state not in EDITABLE_STATES:
        raise Conflict(NOT_EDITABLE, params={"state": case.state.value, "state_name": STATE_NAMES[case.state]})


def material_slot(case: Case, slot_id: str, field_name: str = "slot_id") -> MaterialSlot:
    """The item's material slot `slot_id`, or 422 naming the request field that named it."""
    for slot in case.item.materials:
        if slot.slot_id == slot_id:
            return slot
    raise ValidationFailed(
        INVALID_MATERIAL,
        errors=[FieldError(field=field_name, code=FIELD_UNKNOWN_SLOT, params={"slot_id": slot_id})],
    )


class CaseLedger:
    """CasesTable seen as cases with a hash-chained timeline."""

    def __init__(self, repository: CasesRepository | None = None, store: MaterialStore | None = None) -> None:
        self.repository = repository or CasesRepository()
        self._store = store

    @property
    def store(self) -> MaterialStore:
        """The materials bucket, built on first use (the workers that never touch it lack its name)."""
        if self._store is None:
            self._store = material_store()
        return self._store

    def load(self, case_id: str) -> Case:
        case = self.repository.get(case_id)
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        return case

    def timeline(self, case_id: str) -> Sequence[TimelineEntry]:
        return self.repository.timeline(case_id)

    def target(self, case: Case, action: CaseAction) -> CaseState:
        try:
            return next_state(case.state, action)
        except TransitionNotAllowed:
            raise refuse_transition(case, action) from None

    def entry(
        self,
        case: Case,
        action: CaseAction,
        target: CaseState,
        actor: Actor,
        reason: str | None,
        *,
        previous: TimelineEntry | None = None,
    ) -> TimelineEntry:
        return next_entry(
            case.case_id,
            previous_length=previous.seq if previous else case.timeline_length,
            previous_hash=previous.hash if previous else case.timeline_head,
            at=moment(),
            action=action,
            from_state=previous.to_state if previous else case.state,
            to_state=target,
            actor_role=actor.role,
            actor=actor.label,
            reason=reason,
        )

    def commit(
        self,
        before: Case,
        after: Case,
        entries: list[TimelineEntry],
        envelopes: list[Envelope],
        idempotency: IdempotencyRecord | None = None,
    ) -> Case:
        final = after.model_copy(
            update={
                "version": before.version + 1,
                "timeline_length": entries[-1].seq,
                "timeline_head": entries[-1].hash,
                "updated_at": entries[-1].at,
            }
        )
        self.repository.transition(
            final,
            expected_version=before.version,
            expected_state=before.state,
            entries=entries,
            # the limits this transition starts, moves, pauses or ends, for supervision (D-116)
            events=[*envelopes, *limit_events(before, final, _correlation(envelopes))],
            idempotency=idempotency,
        )
        logger().info(
            "case transition",
            extra={
                "case_id": final.case_id,
                "from_state": before.state.value,
                "to_state": final.state.value,
                "actions": [e.action.value for e in entries],
            },
        )
        return final

    def save(self, changed: Case, *, expected_version: int) -> None:
        """A change without a transition (form, materials): guarded by the version only."""
        self.repository.save(changed, expected_version=expected_version)

    def earlier_answer(self, case_id: str, key_hash: str, body_hash: str) -> Receipt | None:
        """The receipt of a submission made earlier with the same Idempotency-Key (409 for another body)."""
        earlier = self.repository.get_idempotency(case_id, key_hash)
        if earlier is None:
            return None
        if earlier.payload_hash != body_hash:
            raise Conflict("idempotency_key_reused")
        return Receipt.model_validate(earlier.response)


def _correlation(envelopes: Sequence[Envelope]) -> str | None:
    return next((e.correlation_id for e in envelopes if e.correlation_id), None)
