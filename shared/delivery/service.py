"""The delivery context's use cases (快递送, C12). No boto3 here except the
partner queues (`_send_booking`, `dead_letters`); the table is the repository's.

- `create_for_case`  `case.delivery_due` → a shipment in `requested`, once per case;
- `book`             `shipment.requested` → the booking on the partner-outbound queue
                     (the only place the recipient is unsealed);
- `apply`            a partner answer or status event → tracking entry, and the state
                     moves forward by (terminal, event time, rank) — see `states`;
- `handover`         staff handed the result to the courier at the counter (窗口交寄);
- reads for applicants, staff and operators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import shared.workdays.api as workdays  # the calendar loads with the first pickup booked (D-338)
from shared.delivery import events, ports
from shared.delivery.config import courier_inbound_settings, courier_outbound_settings, hall_pickup_settings
from shared.delivery.directory import Directory, directory
from shared.delivery.errors import (
    CHANGED_CONCURRENTLY,
    HANDOVER_NOT_ALLOWED,
    NOT_A_HALL_PICKUP,
    NOT_IN_A_DEPARTMENT,
    NOT_TAKEN_IN_AT_HALL,
    PICKUP_CODE_WRONG,
    PICKUP_EXISTS,
    PICKUP_ID_MISMATCH,
    PICKUP_NOT_ALLOWED,
    SHIPMENT_NOT_FOUND,
    UNKNOWN_REGION,
)
from shared.delivery.models import (
    STATE_NAMES,
    Place,
    Proof,
    Shipment,
    ShipmentDetail,
    ShipmentKind,
    ShipmentSummary,
    TrackingEntry,
    TrackingSource,
    detail,
    summary,
)
from shared.delivery.partner import (
    BIZ_TYPES,
    PARTNER_NAME,
    OrderCreate,
    PartnerContact,
    PartnerUpdate,
    format_partner_time,
)
from shared.delivery.ports import CaseView
from shared.delivery.repository import DeliveryRepository, DuplicateFact, ShipmentExists, StaleShipment
from shared.delivery.states import ShipmentState, moves_forward, order_key
from shared.platform.aws import sqs
from shared.platform.clock import SHANGHAI, now
from shared.platform.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shared.platform.events import Envelope
from shared.platform.ids import new_id
from shared.platform.limits import LimitClearedData, LimitData, limit_cleared, limit_key, limit_set
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import APPLICANT_ROLES, Decision, Principal, RecordScope, Role, decide, ensure
from shared.platform.privacy import mask_name, mask_phone
from shared.platform.public import lazy_module
from shared.platform.sealing import sealer

DELIVERY_SEALING = "cases.delivery"  # the purpose the cases context sealed the recipient under
PICKUP_SEALING = "delivery.pickup"  # a pickup's contact, sealed here (bound to the case id)
# a case whose paper materials may still be collected (after submission, before the decision)
PICKUP_CASE_STATES = frozenset(
    {"submitted", "pre_review_passed", "supplement_required", "accepted", "in_review", "suspended"}
)
# the originals a hall took in travel as soon as the clerk has them: the draft it opened, or later
FORWARD_CASE_STATES = PICKUP_CASE_STATES | {"draft"}
HANDOVER_FROM = frozenset({ShipmentState.REQUESTED, ShipmentState.ACCEPTED})
_APPLY_ATTEMPTS = 3
# a booking sorts before every courier event, whatever the courier's clock says (state_at keeps the real time)
BOOKED_KEY_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
DLQ_LOGICAL_ID = "CourierInboundDLQ"
REDRIVE_COMMAND = "make redrive QUEUE=CourierInboundQueue  (python -m infra.local redrive CourierInboundQueue)"

if TYPE_CHECKING:  # the case event's shape: annotations only, the case models stay out of cold starts
    from shared.cases.events import DeliveryDueData
    from shared.delivery import shapes
else:
    shapes = lazy_module("shared.delivery.shapes")  # with the first route that names a body or answer of it (D-338)


class UnknownRegion(LookupError):
    """The address's region code is not a division the catalogue knows."""


class UnknownShipment(LookupError):
    """A partner answer names an order (shipment) we never booked."""


class UnknownWaybill(LookupError):
    """A status event names a waybill no shipment has."""


@dataclass(frozen=True)
class Outcome:
    shipment_id: str
    result: str  # created | duplicate | sent | skipped | moved | recorded
    state: ShipmentState


def _code_hash(shipment_id: str, code: str) -> str:
    return hashlib.sha256(f"{shipment_id}:{code}".encode()).hexdigest()


def _moment() -> dt.datetime:
    return now().replace(microsecond=0)


def _scope(shipment: Shipment) -> RecordScope:
    return RecordScope(
        applicant_subject_id=shipment.applicant_subject_id,
        applicant_uscc=shipment.applicant_uscc or "",
        department_id=shipment.department_id,
        region_code=shipment.region_code,
        required_scope="cases",
    )


class DeliveryService:
    def __init__(self, repository: DeliveryRepository | None = None, places: Directory | None = None) -> None:
        self.repository = repository or DeliveryRepository()
        self._places = places

    @property
    def places(self) -> Directory:
        if self._places is None:
            self._places = directory()
        return self._places

    # --- from the case: create and book -------------------------------------------------------

    def create_for_case(
        self, due: DeliveryDueData, *, correlation_id: str | None, shipment_id: str | None = None
    ) -> Outcome:
        """A shipment for a case whose result goes out by courier (`case.delivery_due`).
        Idempotent per case: a redelivered event finds the case's shipment and changes nothing.
        `shipment_id` is for the demo seed only (the samples name its shipment); otherwise new."""
        if due.pickup_hall_id:
            return self._wait_at_hall(due, due.pickup_hall_id, correlation_id)
        existing = self.repository.shipment_id_for_case(due.case_id, ShipmentKind.RESULT_DELIVERY)
        if existing is not None:
            return Outcome(existing, "duplicate", ShipmentState.REQUESTED)
        if not self.places.is_known_region(due.address_region_code):
            raise UnknownRegion(
                f"address region {due.address_region_code} of case {due.case_id} is not a known division"
            )
        moment = _moment()
        shipment = Shipment(
            shipment_id=shipment_id or new_id(),
            kind=ShipmentKind.RESULT_DELIVERY,
            **self._from_the_case(due),
            destination=Place(label=due.recipient_masked, address=due.address, region_code=due.address_region_code),
            recipient_sealed=due.recipient_sealed,
            contents=list(due.contents),
            licence_ids=list(due.licence_ids),
            state=ShipmentState.REQUESTED,
            state_at=moment,
            state_key=order_key(ShipmentState.REQUESTED, BOOKED_KEY_TIME),
            carrier=PARTNER_NAME,
            created_at=moment,
            updated_at=moment,
        )
        entry = TrackingEntry(
            at=moment,
            state=ShipmentState.REQUESTED,
            source=TrackingSource.PLATFORM,
            description="已向快递公司下单（免费寄递）",
            received_at=moment,
            fingerprint=f"REQUESTED-{shipment.shipment_id}",
        )
        try:
            self.repository.create(shipment, entry, [events.envelope(events.REQUESTED, shipment, correlation_id)])
        except ShipmentExists:
            found = self.repository.shipment_id_for_case(due.case_id, ShipmentKind.RESULT_DELIVERY)
            return Outcome(found or "", "duplicate", ShipmentState.REQUESTED)
        return Outcome(shipment.shipment_id, "created", shipment.state)

    def _from_the_case(self, due: DeliveryDueData) -> dict[str, Any]:
        """What a result's shipment takes from its case, whichever way it goes out."""
        department = self.places.department_name(due.department_id, due.region_code)
        return {
            "case_id": due.case_id,
            "case_number": due.case_number,
            "item_name": due.item_name,
            "department_id": due.department_id,
            "region_code": due.region_code,
            "applicant_subject_id": due.notify_subject_id,
            "applicant_uscc": due.applicant_uscc,
            "handler_subject_id": due.handler_subject_id or None,
            "origin": Place(label=department, address=f"{department} 政务服务窗口", region_code=due.region_code),
        }

    def _wait_at_hall(self, due: DeliveryDueData, hall_id: str, correlation_id: str | None) -> Outcome:
        """大厅自取 (D-219): the result waits at the chosen hall; the applicant is sent a
        6-digit pickup code (only its hash is kept). No courier is booked. Once per case."""
        existing = self.repository.shipment_id_for_case(due.case_id, ShipmentKind.HALL_PICKUP)
        if existing is not None:
            return Outcome(existing, "duplicate", ShipmentState.READY_FOR_PICKUP)
        moment = _moment()
        shipment_id = new_id()
        code = f"{secrets.randbelow(1_000_000):06d}"
        shipment = Shipment(
            shipment_id=shipment_id,
            kind=ShipmentKind.HALL_PICKUP,
            **self._from_the_case(due),
            destination=Place(
                label="申请人凭取件码自取", address=f"政务服务大厅 {hall_id}", region_code=due.region_code
            ),
            contents=list(due.contents),
            licence_ids=list(due.licence_ids),
            state=ShipmentState.READY_FOR_PICKUP,
            state_at=moment,
            state_key=order_key(ShipmentState.READY_FOR_PICKUP, moment),
            carrier="hall",
            pickup_hall_id=hall_id,
            pickup_code_hash=_code_hash(shipment_id, code),
            created_at=moment,
            updated_at=moment,
        )
        entry = TrackingEntry(
            at=moment,
            state=ShipmentState.READY_FOR_PICKUP,
            source=TrackingSource.PLATFORM,
            description="结果已送达所选政务服务大厅，待申请人凭取件码和身份证自取",
            received_at=moment,
            fingerprint=f"READY-{shipment_id}",
        )
        ready = events.ready_for_pickup_envelope(shipment, code, correlation_id)
        try:
            self.repository.create(shipment, entry, [ready, _pickup_limit(shipment, correlation_id)])
        except ShipmentExists:
            found = self.repository.shipment_id_for_case(due.case_id, ShipmentKind.HALL_PICKUP)
            return Outcome(found or "", "duplicate", ShipmentState.READY_FOR_PICKUP)
        return Outcome(shipment_id, "created", shipment.state)

    def hand_over_at_hall(
        self, principal: Principal, shipment_id: str, request: shapes.HallPickupRequest
    ) -> ShipmentDetail:
        """A clerk of the hall hands the result over against the pickup code and the applicant's
        ID number: the shipment is delivered (`shipment.delivered`), which completes the case
        exactly as a courier's proof of delivery does."""
        shipment = self.repository.get(shipment_id)
        if shipment is None or shipment.kind is not ShipmentKind.HALL_PICKUP or not shipment.pickup_hall_id:
            raise NotFound(SHIPMENT_NOT_FOUND)
        ports.halls()().clerk_hall(principal, shipment.pickup_hall_id)
        if shipment.state is not ShipmentState.READY_FOR_PICKUP:
            raise Conflict(NOT_A_HALL_PICKUP, params={"state": STATE_NAMES[shipment.state]})
        if not hmac.compare_digest(_code_hash(shipment_id, request.pickup_code), shipment.pickup_code_hash or ""):
            raise ValidationFailed(PICKUP_CODE_WRONG, errors=[FieldError(field="pickup_code", code=PICKUP_CODE_WRONG)])
        if not ports.identity()().id_number_matches(shipment.applicant_subject_id, request.id_number):
            raise ValidationFailed(PICKUP_ID_MISMATCH, errors=[FieldError(field="id_number", code=PICKUP_ID_MISMATCH)])
        moment = _moment()
        entry = TrackingEntry(
            at=moment,
            state=ShipmentState.DELIVERED,
            source=TrackingSource.COUNTER,
            description="大厅自取：凭取件码和身份证领取",
            proof_signer="申请人本人（身份证核验）",
            received_at=moment,
            fingerprint=f"HALL-{shipment_id}",
        )
        changed = shipment.model_copy(
            update={
                "state": ShipmentState.DELIVERED,
                "state_at": moment,
                "state_key": order_key(ShipmentState.DELIVERED, moment),
                "proof": Proof(signer=entry.proof_signer, at=moment),
                "handed_over_by": principal.subject_id,
                "version": shipment.version + 1,
                "updated_at": moment,
            }
        )
        delivered = events.envelope(events.DELIVERED, changed, correlation_id=None)
        collected = limit_cleared(
            LimitClearedData(**_pickup_limit_ref(changed), reason="collected"), correlation_id=None
        )
        try:
            self.repository.record(
                shipment_id, entry, changed=changed, expected_version=shipment.version, events=[delivered, collected]
            )
        except (DuplicateFact, StaleShipment):
            raise Conflict(CHANGED_CONCURRENTLY) from None
        logger().info("hall pickup handed over", extra={"shipment_id": shipment_id})
        return detail(changed, [*self.repository.tracking(shipment_id)])

    def book(self, shipment_id: str) -> Outcome:
        """Send the booking to the courier (partner-outbound queue). Redelivery sends it again
        only while the courier has not answered; the partner dedupes by `order_no`."""
        shipment = self.repository.get(shipment_id)
        if shipment is None:
            raise UnknownShipment(f"no shipment {shipment_id}")
        if shipment.state is not ShipmentState.REQUESTED or shipment.waybill:
            return Outcome(shipment_id, "skipped", shipment.state)
        self._send_booking(shipment)
        return Outcome(shipment_id, "sent", shipment.state)

    def _send_booking(self, shipment: Shipment) -> None:
        queue = courier_outbound_settings().courier_outbound_queue_url
        if not queue:
            raise RuntimeError("COURIER_OUTBOUND_QUEUE_URL is not set")
        pickup = shipment.kind is ShipmentKind.MATERIAL_PICKUP
        # the one place the person is unsealed: the courier needs name and phone (never logged)
        person = sealer(PICKUP_SEALING if pickup else DELIVERY_SEALING).unseal(
            shipment.case_id, self.repository.recipient_sealed(shipment)
        )
        department = PartnerContact(
            name=(shipment.destination if pickup else shipment.origin).label,
            address=(shipment.destination if pickup else shipment.origin).address,
            area_code=(shipment.destination if pickup else shipment.origin).region_code,
        )
        place = shipment.origin if pickup else shipment.destination
        applicant = PartnerContact(
            name=str(person.get("name", "")),
            phone=str(person.get("phone", "")),
            address=place.address,
            area_code=place.region_code,
        )
        order = OrderCreate(
            order_no=shipment.shipment_id,
            biz_type=BIZ_TYPES[shipment.kind.value],
            sender=applicant if pickup else department,
            receiver=department if pickup else applicant,
            cargo=list(shipment.contents),
            remark=f"政务专递 办件 {shipment.case_number}",
            created_at=format_partner_time(shipment.created_at),
        )
        sqs().send_message(QueueUrl=queue, MessageBody=order.model_dump_json())

    # --- the applicant: pickup of paper materials ---------------------------------------------

    def request_pickup(
        self, principal: Principal, case_id: str, request: shapes.PickupRequest, *, correlation_id: str | None
    ) -> ShipmentDetail:
        """Book a courier to collect the application's paper materials at the applicant's
        address and bring them to the department (材料揽收, 不见面: no trip to the hall)."""
        if principal.role not in APPLICANT_ROLES:
            raise Forbidden()
        case = ports.cases()(principal, case_id)  # someone else's case: 404
        if case.state.value not in PICKUP_CASE_STATES:
            raise Conflict(PICKUP_NOT_ALLOWED, params={"state": case.state_name})
        if not self.places.is_known_region(request.region_code):
            raise ValidationFailed(UNKNOWN_REGION, errors=[FieldError(field="region_code", code=UNKNOWN_REGION)])
        origin = Place(
            label=f"{mask_name(request.contact_name)} {mask_phone(request.contact_phone)}",
            address=request.address,
            region_code=request.region_code,
        )
        return self._book_pickup(
            case,
            origin,
            {"name": request.contact_name, "phone": request.contact_phone},
            contents=["application_materials"],
            description="已预约快递上门揽收申请材料（免费）",
            correlation_id=correlation_id,
        )

    def forward_originals(
        self, principal: Principal, case_id: str, request: shapes.OriginalsForwarding, *, correlation_id: str | None
    ) -> ShipmentDetail:
        """异地可办 (D-275): the hall that took the case in sends the paper originals to the
        competent department — the same courier pickup as 材料揽收, collected at the hall.
        Only a clerk of that hall (the halls context decides); one pickup per case."""
        if principal.role is not Role.STAFF:
            raise Forbidden()
        case = ports.cases()(principal, case_id)  # a case this clerk may not read: 404
        if case.intake_hall_id is None:
            raise Conflict(NOT_TAKEN_IN_AT_HALL)
        hall = ports.halls()().clerk_hall(principal, case.intake_hall_id)
        if case.state.value not in FORWARD_CASE_STATES:
            raise Conflict(PICKUP_NOT_ALLOWED, params={"state": case.state_name})
        origin = Place(
            label=f"{hall.name}（{mask_name(request.contact_name)} {mask_phone(request.contact_phone)}）",
            address=hall.address,
            region_code=hall.region_code[:6],
        )
        return self._book_pickup(
            case,
            origin,
            {"name": request.contact_name, "phone": request.contact_phone},
            contents=["application_originals"],
            description=f"{hall.name}已预约快递将申请材料原件转寄 {case.department_name}",
            correlation_id=correlation_id,
        )

    def _book_pickup(
        self,
        case: CaseView,
        origin: Place,
        contact: dict[str, str],
        *,
        contents: list[str],
        description: str,
        correlation_id: str | None,
    ) -> ShipmentDetail:
        """A courier pickup of paper (`material_pickup`) from `origin` to the competent department's
        counter, the applicant's shipment (they read and hear about it, whoever booked it); the contact
        is stored sealed. `shipment.requested` has the booking worker book it."""
        if self.repository.shipment_id_for_case(case.case_id, ShipmentKind.MATERIAL_PICKUP) is not None:
            raise Conflict(PICKUP_EXISTS)
        moment = _moment()
        department = case.department_name
        shipment = Shipment(
            shipment_id=new_id(),
            kind=ShipmentKind.MATERIAL_PICKUP,
            case_id=case.case_id,
            case_number=case.case_number,
            item_name=case.item_name,
            department_id=case.department_id,
            region_code=case.region_code,
            applicant_subject_id=case.applicant_subject_id,
            applicant_uscc=case.applicant_uscc,
            origin=origin,
            destination=Place(label=department, address=f"{department} 政务服务窗口", region_code=case.region_code),
            recipient_sealed=sealer(PICKUP_SEALING).seal(case.case_id, contact),
            contents=contents,
            state=ShipmentState.REQUESTED,
            state_at=moment,
            state_key=order_key(ShipmentState.REQUESTED, BOOKED_KEY_TIME),
            carrier=PARTNER_NAME,
            created_at=moment,
            updated_at=moment,
        )
        entry = TrackingEntry(
            at=moment,
            state=ShipmentState.REQUESTED,
            source=TrackingSource.PLATFORM,
            description=description,
            received_at=moment,
            fingerprint=f"REQUESTED-{shipment.shipment_id}",
        )
        try:
            self.repository.create(shipment, entry, [events.envelope(events.REQUESTED, shipment, correlation_id)])
        except ShipmentExists:
            raise Conflict(PICKUP_EXISTS) from None
        logger().info("pickup booked", extra={"shipment_id": shipment.shipment_id, "case_id": case.case_id})
        return detail(shipment, [entry])

    # --- from the partner ---------------------------------------------------------------------

    def apply(self, update: PartnerUpdate, *, correlation_id: str | None = None) -> Outcome:
        """Apply one partner answer or status event: keep it in the tracking history (once) and
        move the shipment forward when the event is beyond its current state."""
        shipment = self._find(update)
        for _ in range(_APPLY_ATTEMPTS):
            try:
                return self._apply_to(shipment, update, correlation_id)
            except StaleShipment:
                fresh = self.repository.get(shipment.shipment_id)  # moved meanwhile: read it again
                if fresh is None:
                    break
                shipment = fresh
        raise Conflict("delivery.changed_concurrently")

    def _find(self, update: PartnerUpdate) -> Shipment:
        if update.kind == "order_result":
            shipment = self.repository.get(update.shipment_id or "")
            if shipment is None:
                raise UnknownShipment(f"order result for unknown order_no {update.shipment_id}")
            return shipment
        shipment = self.repository.by_waybill(update.waybill or "")
        if shipment is None and update.shipment_id:
            # the event overtook the courier's acceptance: the order number it echoes finds the
            # shipment, and the waybill is recorded with the event
            shipment = self.repository.get(update.shipment_id)
            if shipment is not None and shipment.waybill and shipment.waybill != update.waybill:
                raise UnknownWaybill(
                    f"status event for waybill {update.waybill}, but order {update.shipment_id} "
                    f"has waybill {shipment.waybill}"
                )
        if shipment is None:
            raise UnknownWaybill(f"status event for unknown waybill {update.waybill}")
        return shipment

    def _apply_to(self, shipment: Shipment, update: PartnerUpdate, correlation_id: str | None) -> Outcome:
        received = now()
        entry = TrackingEntry(
            at=update.at,
            state=update.state,
            source=TrackingSource.PARTNER,
            partner_code=update.partner_code,
            description=update.description or STATE_NAMES[update.state],
            location=update.location,
            proof_signer=update.proof_signer,
            proof_url=update.proof_url,
            received_at=received,
            fingerprint=update.fingerprint,
            raw=update.raw,
        )
        changes: dict[str, Any] = {}
        if update.waybill and not shipment.waybill:
            changes["waybill"] = update.waybill  # an acceptance behind a counter handover still names the waybill
        moved = moves_forward(shipment.state_key, update.state, update.at)
        if moved:
            changes |= {
                "state": update.state,
                "state_at": update.at,
                "state_key": order_key(update.state, update.at),
            }
            if update.state is ShipmentState.DELIVERED:
                changes["proof"] = Proof(signer=update.proof_signer, url=update.proof_url, at=update.at)
        changed = None
        emitted: list[Envelope] = []
        if changes:
            changed = shipment.model_copy(
                update=changes | {"version": shipment.version + 1, "updated_at": received.replace(microsecond=0)}
            )
            event_types = [events.ACCEPTED] if "waybill" in changes else []  # the waybill is known: once
            state_event = events.event_for(changed) if moved else None
            if state_event is not None and state_event not in event_types:
                event_types.append(state_event)
            emitted = [events.envelope(event_type, changed, correlation_id) for event_type in event_types]
        try:
            self.repository.record(
                shipment.shipment_id, entry, changed=changed, expected_version=shipment.version, events=emitted
            )
        except DuplicateFact:
            return Outcome(shipment.shipment_id, "duplicate", shipment.state)
        after = changed or shipment
        return Outcome(shipment.shipment_id, "moved" if moved else "recorded", after.state)

    # --- staff ----------------------------------------------------------------------------------

    def handover(self, principal: Principal, shipment_id: str, note: str | None) -> ShipmentDetail:
        """The department handed the result to the courier at the counter (窗口交寄): the
        shipment is picked up. Recording it twice changes nothing."""
        shipment = self._readable(principal, shipment_id)
        fingerprint = f"COUNTER-{shipment.shipment_id}"
        for _ in range(_APPLY_ATTEMPTS):
            if shipment.state not in HANDOVER_FROM:
                if shipment.handed_over_by:
                    return self._detail(shipment)  # recorded before
                raise Conflict(HANDOVER_NOT_ALLOWED, params={"state": STATE_NAMES[shipment.state]})
            moment = _moment()
            entry = TrackingEntry(
                at=moment,
                state=ShipmentState.PICKED_UP,
                source=TrackingSource.COUNTER,
                description="窗口交寄：结果已交快递员" + (f"（{note}）" if note else ""),
                received_at=moment,
                fingerprint=fingerprint,
            )
            changed = shipment.model_copy(
                update={
                    "state": ShipmentState.PICKED_UP,
                    "state_at": moment,
                    "state_key": order_key(ShipmentState.PICKED_UP, moment),
                    "handed_over_by": principal.subject_id,
                    "handler_subject_id": shipment.handler_subject_id or principal.subject_id,
                    "version": shipment.version + 1,
                    "updated_at": moment,
                }
            )
            try:
                self.repository.record(shipment_id, entry, changed=changed, expected_version=shipment.version)
            except DuplicateFact:
                break
            except StaleShipment:
                fresh = self.repository.get(shipment_id)
                if fresh is None:
                    raise NotFound(SHIPMENT_NOT_FOUND) from None
                shipment = fresh
                continue
            logger().info("counter handover", extra={"shipment_id": shipment_id})
            return self._detail(changed)
        fresh = self.repository.get(shipment_id)
        if fresh is None:
            raise NotFound(SHIPMENT_NOT_FOUND)
        return self._detail(fresh)

    def department_shipments(
        self, principal: Principal, *, state: ShipmentState | None, limit: int, cursor: str | None
    ) -> Page[ShipmentSummary]:
        if principal.role is not Role.STAFF:
            raise Forbidden()
        if not principal.department_id:
            raise Forbidden(NOT_IN_A_DEPARTMENT)
        page = self.repository.for_department(
            principal.department_id, state=state.value if state else None, limit=limit, cursor=cursor
        )
        prefix = principal.region_prefix
        return Page[ShipmentSummary](
            items=[summary(s) for s in page.items if not prefix or s.region_code.startswith(prefix)],
            next_cursor=page.next_cursor,
        )

    # --- reads ----------------------------------------------------------------------------------

    def _readable(self, principal: Principal, shipment_id: str) -> Shipment:
        shipment = self.repository.get(shipment_id)
        if shipment is None:
            raise NotFound(SHIPMENT_NOT_FOUND)
        try:
            ensure(principal, _scope(shipment))
        except NotFound:
            raise NotFound(SHIPMENT_NOT_FOUND) from None
        return shipment

    def _detail(self, shipment: Shipment) -> ShipmentDetail:
        return detail(shipment, self.repository.tracking(shipment.shipment_id))

    def shipment(self, principal: Principal, shipment_id: str) -> ShipmentDetail:
        return self._detail(self._readable(principal, shipment_id))

    def case_shipments(self, principal: Principal, case_id: str) -> Page[ShipmentDetail]:
        """The shipments of a case the caller may read, with their tracking histories. A case's
        shipments can belong to different departments (a result sent by one, materials picked
        up for another): staff see their own department's and not the rest. When the caller may
        read none of them the case reads as not found (someone else's case); a case without
        shipments is an empty list (that says nothing about whether the case exists)."""
        shipments = self.repository.for_case(case_id)
        if principal.role is Role.OPERATOR:
            raise Forbidden()
        readable = [s for s in shipments if decide(principal, _scope(s)) is Decision.ALLOW]
        if shipments and not readable:
            raise NotFound(SHIPMENT_NOT_FOUND)
        return Page[ShipmentDetail](items=[self._detail(s) for s in readable], next_cursor=None)

    # --- operators -----------------------------------------------------------------------------

    def dead_letters(self, *, limit: int) -> shapes.DeadLetterList:
        """A look at the partner-inbound DLQ without taking messages out of it (visibility 0)."""
        queue = courier_inbound_settings().courier_inbound_dlq_url
        if not queue:
            raise RuntimeError("COURIER_INBOUND_DLQ_URL is not set")
        client = sqs()
        seen: dict[str, shapes.DeadLetter] = {}
        for _ in range(limit // 10 + 2):
            response = client.receive_message(
                QueueUrl=queue,
                MaxNumberOfMessages=min(10, limit),
                VisibilityTimeout=0,
                WaitTimeSeconds=0,
                MessageAttributeNames=["All"],
            )
            messages = response.get("Messages") or []
            fresh = [m for m in messages if m["MessageId"] not in seen]
            for message in fresh:
                attributes = message.get("MessageAttributes") or {}

                def text(name: str, attrs: dict[str, Any] = attributes) -> str | None:
                    value = attrs.get(name) or {}
                    return value.get("StringValue")

                count = text("receive_count")
                seen[message["MessageId"]] = shapes.DeadLetter(
                    message_id=message["MessageId"],
                    failure_reason=text("failure_reason") or "(no reason: parked by the redrive policy)",
                    failed_at=text("failed_at"),
                    receive_count=int(count) if count and count.isdigit() else None,
                    body=_masked_body(message.get("Body") or ""),
                )
            if not fresh or len(seen) >= limit:
                break
        depth = client.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
        return shapes.DeadLetterList(
            items=list(seen.values())[:limit],
            next_cursor=None,
            queue=DLQ_LOGICAL_ID,
            approximate_depth=int(depth.get("Attributes", {}).get("ApproximateNumberOfMessages", 0)),
            redrive=REDRIVE_COMMAND,
        )


def _pickup_limit_ref(shipment: Shipment) -> dict[str, Any]:
    return {
        "limit_id": limit_key(events.SOURCE, "shipment", shipment.shipment_id, "pickup"),
        "context": events.SOURCE,
        "subject_kind": "shipment",
        "subject_id": shipment.shipment_id,
        "name": "pickup",
        "version": shipment.version,
    }


def _pickup_limit(shipment: Shipment, correlation_id: str | None) -> Envelope:
    """大厅自取 (D-276): the result waits `HALL_PICKUP_DAYS` working days, a limit like any other
    (shared.platform.limits): supervision reminds the applicant — the one who must act, so the
    limit's handler — when it nears and lists it overdue for the department's supervisors after."""
    days = hall_pickup_settings().hall_pickup_days
    started = shipment.created_at.astimezone(SHANGHAI).date()
    return limit_set(
        LimitData(
            **_pickup_limit_ref(shipment),
            label=shipment.case_number,
            title=shipment.item_name,
            region_code=shipment.region_code,
            department_id=shipment.department_id,
            handler_subject_id=shipment.applicant_subject_id,
            started_on=started,
            due_on=workdays.deadline(started, days).date,
            limit_days=days,
        ),
        correlation_id=correlation_id,
    )


def _masked_body(body: str) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body[:2000]
    if isinstance(parsed, dict) and parsed.get("signer"):
        signer = str(parsed["signer"])
        parsed["signer"] = signer[:1] + "*" * max(len(signer) - 1, 1)
    return json.dumps(parsed, ensure_ascii=False)[:2000]


@cache
def delivery_service() -> DeliveryService:
    return DeliveryService()
