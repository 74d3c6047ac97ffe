"""After approval, before 办结: payment, licence and delivery (网上批、快递送).

An approved case walks through the steps its item and the applicant's delivery
choice need, in this order (`plan`):

- payment (C10) when the item has fees paid after approval;
- licence (C11) when the item produces an e-licence;
- delivery (C12) when the result goes out by courier.

Each step starts in the same transaction as the one before it ends, with a
`case.<step>_due` event the owning context consumes (payments opens an order,
licences issues, delivery books the courier). The owning context answers with
its own event (`payment.paid`, `licence.issued`, `shipment.delivered`); the
case-progress worker turns it into `step_done`, which moves the case on, or
completes it (办结) when nothing is left. Steps are idempotent by reference: a
redelivered event finds its step already recorded and changes nothing.

Fees paid before acceptance (the item's `fee_timing`) are due when pre-review
passes; their payment is recorded without a change of state and acceptance
waits for it (409 `case.fee_unpaid`).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.cases import events
from shared.cases.deadlines import licence_clock
from shared.cases.errors import CASE_NOT_FOUND
from shared.cases.ledger import CaseLedger, moment
from shared.cases.models import Case, FulfilmentRecord, FulfilmentStep, TimelineEntry
from shared.cases.policy import Actor
from shared.cases.states import TRANSITIONS, CaseAction, CaseState
from shared.cases.steps import AWAIT_ACTION, AWAITING_STATE, STEP_NAMES, due_event, fee_due_before_acceptance, plan
from shared.platform.clock import today_in_shanghai
from shared.platform.errors import NotFound
from shared.platform.events import Envelope
from shared.platform.observability import logger

SYSTEM_PROGRESS = Actor("system", "system:case_progress 办件进度")

STEP_EVENTS: dict[str, tuple[FulfilmentStep, str]] = {
    "payment.paid": (FulfilmentStep.PAYMENT, "order_id"),
    "licence.issued": (FulfilmentStep.LICENCE, "licence_id"),
    "shipment.delivered": (FulfilmentStep.DELIVERY, "shipment_id"),
}
"""The other contexts' events that finish a step: event type → (step, the data field
naming the reference). Each event's data also carries `case_id`."""


@dataclass(frozen=True)
class StepOutcome:
    case_id: str
    result: str  # "advanced", "completed", "recorded", "duplicate", "ignored"
    state: CaseState


def begin(
    ledger: CaseLedger, approved: Case, previous: TimelineEntry, correlation_id: str | None
) -> tuple[Case, list[TimelineEntry], list[Envelope]]:
    """Called with the approval in hand: plans the steps and starts the first one in the
    same transaction. Returns the case as it will be, extra timeline entries and events."""
    steps = plan(approved)
    if not steps:
        return approved, [], []
    first = steps[0]
    action = AWAIT_ACTION[first]
    target = ledger.target(approved, action)
    update: dict[str, object] = {"state": target, "pending_steps": steps}
    if FulfilmentStep.LICENCE in steps:
        update["licence_clock"] = licence_clock(today_in_shanghai())
    after = approved.model_copy(update=update)
    entry = ledger.entry(approved, action, target, SYSTEM_PROGRESS, f"待{STEP_NAMES[first]}", previous=previous)
    return after, [entry], [due_event(after, approved.version + 1, first, correlation_id)]


class Fulfilment:
    """Steps done by other contexts, applied to the case (the case-progress worker)."""

    def __init__(self, ledger: CaseLedger) -> None:
        self.ledger = ledger

    def step_done(
        self,
        case_id: str,
        step: FulfilmentStep,
        reference: str,
        *,
        note: str | None = None,
        correlation_id: str | None,
    ) -> StepOutcome:
        """Record `step` done (with the other context's `reference`) and move the case on."""
        case = self.ledger.repository.get(case_id)
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        if any(r.step is step and r.reference == reference for r in case.fulfilment):
            return StepOutcome(case_id, "duplicate", case.state)
        record = FulfilmentRecord(step=step, reference=reference, done_at=moment(), note=note)
        reason = f"{STEP_NAMES[step]}完成（{reference}）" + (f"：{note}" if note else "")
        if (
            step is FulfilmentStep.PAYMENT
            and fee_due_before_acceptance(case)
            and case.state
            in {
                CaseState.SUBMITTED,
                CaseState.PRE_REVIEW_PASSED,
                CaseState.SUPPLEMENT_REQUIRED,
            }
        ):
            return self._record_payment_at_intake(case, record, reason, correlation_id)
        if case.state is not AWAITING_STATE[step] or step not in case.pending_steps:
            # the case moved on (withdrawn, or this step is not one of its steps): the other
            # context keeps its own record; nothing to change here
            logger().warning(
                "step for a case not waiting for it",
                extra={"case_id": case_id, "step": step.value, "state": case.state.value},
            )
            return StepOutcome(case_id, "ignored", case.state)
        remaining = [s for s in case.pending_steps if s is not step]
        next_step = remaining[0] if remaining else None
        action = AWAIT_ACTION[next_step] if next_step else CaseAction.COMPLETE
        target = self.ledger.target(case, action)
        after = case.model_copy(
            update={
                "state": target,
                "pending_steps": remaining,
                "fulfilment": [*case.fulfilment, record],
                **({"closing_reason": reason} if next_step is None else {}),
            }
        )
        entry = self.ledger.entry(case, action, target, SYSTEM_PROGRESS, reason)
        version = case.version + 1
        facts = events.facts(after.model_copy(update={"version": version}))
        envelopes = [
            events.envelope(
                events.STEP_DONE,
                after,
                events.StepDoneData(
                    **facts, step=step.value, reference=reference, next_step=next_step.value if next_step else None
                ),
                correlation_id,
            )
        ]
        if next_step is not None:
            envelopes.append(due_event(after, version, next_step, correlation_id))
        else:
            envelopes.append(events.envelope(events.COMPLETED, after, events.CaseFacts(**facts), correlation_id))
        self.ledger.commit(case, after, [entry], envelopes)
        return StepOutcome(case_id, "completed" if next_step is None else "advanced", target)

    def paper_arrived(self, case_id: str, shipment_id: str, what: str, *, correlation_id: str | None) -> StepOutcome:
        """A courier pickup's paper (the applicant's materials, or the originals a hall took in,
        D-275) reached the department: a timeline entry naming where it came from; no state
        change and no event (the delivery context published its own). Once per shipment."""
        case = self.ledger.repository.get(case_id)
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        if shipment_id in case.paper_arrived:
            return StepOutcome(case_id, "duplicate", case.state)
        if (case.state, CaseAction.PAPER_ARRIVED) not in TRANSITIONS:
            # decided or withdrawn meanwhile: the shipment keeps its own record
            return StepOutcome(case_id, "ignored", case.state)
        after = case.model_copy(update={"paper_arrived": [*case.paper_arrived, shipment_id]})
        entry = self.ledger.entry(case, CaseAction.PAPER_ARRIVED, case.state, SYSTEM_PROGRESS, what)
        self.ledger.commit(case, after, [entry], [])
        return StepOutcome(case_id, "recorded", case.state)

    def _record_payment_at_intake(
        self, case: Case, record: FulfilmentRecord, reason: str, correlation_id: str | None
    ) -> StepOutcome:
        target = self.ledger.target(case, CaseAction.RECORD_PAYMENT)
        after = case.model_copy(update={"fulfilment": [*case.fulfilment, record]})
        entry = self.ledger.entry(case, CaseAction.RECORD_PAYMENT, target, SYSTEM_PROGRESS, reason)
        facts = events.facts(after.model_copy(update={"version": case.version + 1}))
        data = events.StepDoneData(**facts, step=record.step.value, reference=record.reference, next_step=None)
        self.ledger.commit(case, after, [entry], [events.envelope(events.STEP_DONE, after, data, correlation_id)])
        return StepOutcome(case.case_id, "recorded", target)
