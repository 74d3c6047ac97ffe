"""The steps between approval and 办结 (payment → licence → delivery): which a
case needs, and the events that hand each to its context. Pure; the service
that applies them is `shared.cases.fulfilment`."""

from __future__ import annotations

from shared.cases import events
from shared.cases.models import Case, DeliveryMethod, FulfilmentStep
from shared.cases.states import CaseAction, CaseState
from shared.platform.events import Envelope

AWAIT_ACTION: dict[FulfilmentStep, CaseAction] = {
    FulfilmentStep.PAYMENT: CaseAction.AWAIT_PAYMENT,
    FulfilmentStep.LICENCE: CaseAction.AWAIT_LICENCE,
    FulfilmentStep.DELIVERY: CaseAction.AWAIT_DELIVERY,
}
AWAITING_STATE: dict[FulfilmentStep, CaseState] = {
    FulfilmentStep.PAYMENT: CaseState.AWAITING_PAYMENT,
    FulfilmentStep.LICENCE: CaseState.AWAITING_LICENCE,
    FulfilmentStep.DELIVERY: CaseState.AWAITING_DELIVERY,
}
STEP_NAMES = {FulfilmentStep.PAYMENT: "缴费", FulfilmentStep.LICENCE: "制证", FulfilmentStep.DELIVERY: "送达"}

BEFORE_ACCEPTANCE = "before_acceptance"
AFTER_APPROVAL = "after_approval"


def plan(case: Case) -> list[FulfilmentStep]:
    """The steps between approval and 办结 for this case, in order."""
    steps: list[FulfilmentStep] = []
    if case.item.fee_total_fen > 0 and case.item.fee_timing == AFTER_APPROVAL:
        steps.append(FulfilmentStep.PAYMENT)
    if case.item.result_licence_type_code:
        steps.append(FulfilmentStep.LICENCE)
    # by courier, or waiting at a chosen hall for its pickup code (D-219): both are the delivery context's shipments
    if case.delivery.method is DeliveryMethod.COURIER or (
        case.delivery.method is DeliveryMethod.PICKUP and case.delivery.hall_id
    ):
        steps.append(FulfilmentStep.DELIVERY)
    return steps


def fee_due_before_acceptance(case: Case) -> bool:
    return case.item.fee_total_fen > 0 and case.item.fee_timing == BEFORE_ACCEPTANCE


def fee_paid(case: Case) -> bool:
    return any(record.step is FulfilmentStep.PAYMENT for record in case.fulfilment)


def fee_due_event(case: Case, version: int, stage: str, correlation_id: str | None) -> Envelope:
    data = events.FeeDueData(
        **events.facts(case.model_copy(update={"version": version})),
        stage=stage,
        fees=[events.FeeLineData(**fee.model_dump()) for fee in case.item.fees],
        total_fen=case.item.fee_total_fen,
        payer_subject_id=case.applicant.subject_id,
        payer_uscc=case.applicant.uscc,
    )
    return events.envelope(events.FEE_DUE, case, data, correlation_id)


def due_event(case: Case, version: int, step: FulfilmentStep, correlation_id: str | None) -> Envelope:
    """The event that hands `step` of `case` (as it will be at `version`) to its context."""
    if step is FulfilmentStep.PAYMENT:
        return fee_due_event(case, version, AFTER_APPROVAL, correlation_id)
    facts = events.facts(case.model_copy(update={"version": version}))
    decision = case.decision
    if decision is None:
        raise ValueError("a fulfilment step needs the decision")
    if step is FulfilmentStep.LICENCE:
        licence = events.LicenceDueData(
            **facts,
            licence_type_code=case.item.result_licence_type_code or "",
            issuer_uscc=case.item.issuer_uscc,
            issuer_name=case.item.department_name,
            holder_subject_id=case.applicant.subject_id,
            holder_uscc=case.applicant.uscc,
            holder_kind=case.applicant.kind,
            decision_id=decision.decision_id,
            decision_document_number=decision.document_number,
            decided_on=decision.decided_on,
        )
        return events.envelope(events.LICENCE_DUE, case, licence, correlation_id)
    delivery = case.delivery
    contents = ["decision_document"]
    licence_ids = [r.reference for r in case.fulfilment if r.step is FulfilmentStep.LICENCE]
    if licence_ids:
        contents.append("licence_certificate")
    shipment = events.DeliveryDueData(
        **facts,
        address=delivery.address or "",
        address_region_code=delivery.region_code or "",
        recipient_masked=delivery.recipient or "",
        recipient_sealed=delivery.recipient_sealed or "",
        contents=contents,
        licence_ids=licence_ids,
        pickup_hall_id=delivery.hall_id if delivery.method is DeliveryMethod.PICKUP else None,
    )
    return events.envelope(events.DELIVERY_DUE, case, shipment, correlation_id)
