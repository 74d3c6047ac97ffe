"""The applicant's side of a case (C13, C14, C15, C16): drafting, hall intake
(同城通办), the form, materials (uploads and e-licences standing in for
them), submission with an Idempotency-Key, and withdrawal. State changes go
through the case ledger; who may act through `policy`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from shared.cases import events, identity_form, ports
from shared.cases.config import materials_settings
from shared.cases.deadlines import intake_due
from shared.cases.errors import (
    FIELD_ADDRESS_REGION_REQUIRED,
    FIELD_ADDRESS_REQUIRED,
    FIELD_CHECKSUM_MISMATCH,
    FIELD_CONTENT_MISMATCH,
    FIELD_FORMAT_NOT_ACCEPTED,
    FIELD_HALL_ONLY_FOR_PICKUP,
    FIELD_NO_LICENCE_FOR_SLOT,
    FIELD_NOT_CONDITIONAL,
    FIELD_RECIPIENT_REQUIRED,
    FIELD_SIZE_LIMIT,
    HALL_INTAKE_NOT_ALLOWED,
    IDENTITY_MISMATCH,
    INVALID_DELIVERY,
    INVALID_FORM,
    INVALID_MATERIAL,
    ITEM_NOT_AVAILABLE,
    MATERIAL_NOT_FOUND,
    MATERIAL_NOT_UPLOADED,
    MATERIAL_TOO_LARGE,
    RENEWAL_PENDING,
    TOO_MANY_MATERIALS,
)
from shared.cases.formats import content_matches, format_of
from shared.cases.forms import form_errors
from shared.cases.intake import closed_event
from shared.cases.ledger import CaseLedger, check_editable, check_version, material_slot, moment, shanghai_day
from shared.cases.licence_materials import LICENCE_MATERIAL_FORMAT
from shared.cases.models import (
    Applicant,
    AttachedMaterial,
    Case,
    CaseDetail,
    CaseSummary,
    Delivery,
    DeliveryChoice,
    DeliveryMethod,
    FeeLine,
    HallIntake,
    IdentitySnapshot,
    ItemSnapshot,
    LicenceUse,
    MaterialSlot,
    ReasonRequest,
    Receipt,
    RenewalOf,
)
from shared.cases.numbers import format_case_number, pick_shard
from shared.cases.policy import (
    AGENT_CASES_SCOPE,
    Actor,
    actor_of,
    applicant_kind_of,
    applicant_kind_of_uscc,
    ensure_applicant_in_person,
    ensure_applicant_side,
)
from shared.cases.renewal import check_no_other_renewal, check_renewal_in_time
from shared.cases.repository import IdempotencyRecord, idempotency_hash
from shared.cases.shapes import (
    ConfirmRequest,
    FormUpdate,
    HallIntakeRequest,
    LicenceMaterialRequest,
    MaterialInfo,
    NewCase,
    SubmitRequest,
    UploadRequest,
    UploadsRequest,
    UploadTicket,
    UploadTickets,
)
from shared.cases.states import CaseAction, CaseState
from shared.cases.timeline import next_entry
from shared.cases.views import detail_of, summary_of
from shared.platform import sealing
from shared.platform.aws import concurrently
from shared.platform.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    attempt,
    refused_together,
)
from shared.platform.idempotency import payload_hash
from shared.platform.ids import new_id
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import APPLICANT_ROLES, Principal, Role, require_role
from shared.platform.privacy import mask_name, mask_phone

if TYPE_CHECKING:
    from shared.catalog.api import ItemDetail

MAX_MATERIALS_PER_CASE = 100
DEFAULT_MAX_MATERIAL_BYTES = 100 * 1024 * 1024
CITY_LEVEL = 3  # 行使层级 市级
SUBMISSION_SCOPE = "case.submit"


def snapshot_of(item: ItemDetail) -> ItemSnapshot:
    return ItemSnapshot(
        implementation_code=item.implementation_code,
        name=item.name,
        version=item.version,
        department_id=item.department_id,
        department_name=item.department_name,
        region_code=item.region_code,
        region_name=item.region_name,
        exercise_level=item.exercise_level,
        legal_limit_days=item.legal_limit_days,
        promised_limit_days=item.promised_limit_days,
        immediate=item.immediate,
        channel=item.channel,
        applicant_kinds=list(item.applicant_kinds),
        materials=[
            MaterialSlot(
                slot_id=m.slot_id,
                name=m.name,
                requirement=m.requirement,
                condition=m.condition,
                accepted_formats=list(m.accepted_formats),
                max_size_bytes=m.max_size_bytes,
                licence_type_code=m.licence_type_code,
            )
            for m in item.materials
        ],
        form_schema=dict(item.form_schema),
        joint=item.joint,
        lead_department_id=item.lead_department_id,
        co_department_ids=list(item.co_department_ids),
        co_department_names={d.department_id: d.name for d in item.co_departments},
        fees=[FeeLine(name=fee.name, amount_fen=fee.amount_fen, non_tax=fee.non_tax) for fee in item.fees],
        fee_timing=item.fee_timing,
        result_licence_type_code=item.result_licence_type_code,
        renewal_item_code=item.renewal_item_code,
        renewal_lead_days=item.renewal_lead_days,
    )


POWER_OF_ATTORNEY_SLOT = MaterialSlot(
    slot_id="hall_power_of_attorney",
    name="授权委托书（窗口核验）",
    requirement="required",
    accepted_formats=["pdf", "jpg", "png"],
)
"""The written authorisation a hall clerk recorded: the case requires its scan whatever the item lists."""


def case_snapshot(item: ItemDetail, taken_in_by: HallIntake | None) -> ItemSnapshot:
    """The item as the case is judged against it: a written authorisation recorded at the
    hall adds its letter to the materials (kept across re-snapshots at submission)."""
    snapshot = snapshot_of(item)
    if taken_in_by is not None and taken_in_by.authority == "written":
        snapshot.materials.append(POWER_OF_ATTORNEY_SLOT.model_copy())
    return snapshot


HALL_AUTHORITY_NAMES = {
    "self": "本人申请",
    "legal_representative": "企业法定代表人",
    "agent": "企业授权经办人（网上授权）",
    "written": "书面授权委托书（须上传）",
}
HALL_SOURCE_NAMES = {"typed": "窗口录入", "id_card_reader": "身份证读卡器"}

DELIVERY_SEALING = "cases.delivery"
"""Sealing purpose of a courier recipient's name and phone (bound to the case id)."""


def _delivery_errors(delivery: Delivery, prefix: str = "delivery") -> list[FieldError]:
    if delivery.hall_id and delivery.method is not DeliveryMethod.PICKUP:
        return [FieldError(field=f"{prefix}.hall_id", code=FIELD_HALL_ONLY_FOR_PICKUP)]
    if delivery.method is not DeliveryMethod.COURIER:
        return []
    problems: list[FieldError] = []
    if not delivery.address:
        problems.append(FieldError(field=f"{prefix}.address", code=FIELD_ADDRESS_REQUIRED))
    if not delivery.region_code:
        problems.append(FieldError(field=f"{prefix}.region_code", code=FIELD_ADDRESS_REGION_REQUIRED))
    for name in ("recipient_name", "recipient_phone"):
        if not getattr(delivery, name):
            problems.append(FieldError(field=f"{prefix}.{name}", code=FIELD_RECIPIENT_REQUIRED))
    return problems


def checked_form(
    item: ItemSnapshot,
    identity: IdentitySnapshot | None,
    subject_id: str,
    form: Mapping[str, Any],
    applicable_conditions: Sequence[str],
    *,
    also: Sequence[FieldError] = (),
) -> dict[str, Any]:
    """The applicant's form as it is stored (without the fields the identity fills), checked the
    one way for `PUT .../form` and a form sent with `POST /v1/cases` (D-327): a bound field with
    another value than the verified one refuses it (`case.identity_mismatch`); otherwise every
    problem per field (missing fields may wait for submission), conditions that name no
    conditional slot, and `also` (the same request's other problems) refuse it together
    (`case.invalid_form`)."""
    schema = item.form_schema
    refused = identity_form.mismatches(schema, form, identity, subject_id)
    if refused:
        raise ValidationFailed(IDENTITY_MISMATCH, errors=refused)
    typed = identity_form.applicant_part(schema, form, identity)
    problems = form_errors(identity_form.applicant_schema(schema, identity), typed, partial=True)
    conditional = {slot.slot_id for slot in item.materials if slot.requirement == "conditional"}
    problems.extend(
        FieldError(field=f"applicable_conditions.{index}", code=FIELD_NOT_CONDITIONAL, params={"slot_id": slot_id})
        for index, slot_id in enumerate(applicable_conditions)
        if slot_id not in conditional
    )
    problems.extend(also)
    if problems:
        raise ValidationFailed(INVALID_FORM, errors=problems)
    return typed


def delivery_choice(case_id: str, delivery: Delivery) -> DeliveryChoice:
    """The choice as stored: the recipient sealed (the container's cached data key, D-330) and masked; nothing
    personal is kept for pickup or electronic delivery."""
    if delivery.method is not DeliveryMethod.COURIER or not (delivery.recipient_name and delivery.recipient_phone):
        return DeliveryChoice(
            method=delivery.method, address=delivery.address, region_code=delivery.region_code, hall_id=delivery.hall_id
        )
    sealed = sealing.sealer(DELIVERY_SEALING).seal(
        case_id, {"name": delivery.recipient_name, "phone": delivery.recipient_phone}
    )
    return DeliveryChoice(
        method=delivery.method,
        address=delivery.address,
        region_code=delivery.region_code,
        recipient=f"{mask_name(delivery.recipient_name)} {mask_phone(delivery.recipient_phone)}",
        recipient_sealed=sealed,
    )


def applicant_of(principal: Principal) -> Applicant:
    """The applicant a citizen or an agent (for the enterprise it acts for, with the cases scope) applies as."""
    applicant_principal = require_role(principal, APPLICANT_ROLES)
    if applicant_principal.role is Role.AGENT and (
        not applicant_principal.acting_for or AGENT_CASES_SCOPE not in applicant_principal.scopes
    ):
        raise Forbidden()
    return Applicant(
        subject_id=principal.subject_id,
        uscc=principal.acting_for if principal.role is Role.AGENT else None,
        kind=applicant_kind_of(principal),
    )


def _check_room(case: Case, adding: int) -> None:
    """The per-case file cap, for the files a request would add."""
    if len(case.materials) + adding > MAX_MATERIALS_PER_CASE:
        raise Conflict(TOO_MANY_MATERIALS, params={"limit": MAX_MATERIALS_PER_CASE})


class Application:
    """Use cases of the applicant's side (and of hall staff acting for an applicant)."""

    def __init__(self, ledger: CaseLedger) -> None:
        self.ledger = ledger

    def my_cases(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[CaseSummary]:
        """The applicant's cases, newest first (an agent sees the enterprise's)."""
        require_role(principal, APPLICANT_ROLES)
        uscc = principal.acting_for if principal.role is Role.AGENT else None
        if principal.role is Role.AGENT and AGENT_CASES_SCOPE not in principal.scopes:
            raise Forbidden()
        page = self.ledger.repository.list_for_owner(principal.subject_id, uscc, limit=limit, cursor=cursor)
        return Page[CaseSummary](items=[summary_of(case) for case in page.items], next_cursor=page.next_cursor)

    def _available_item(self, item_code: str) -> ItemDetail:
        """The published item, or 422 `case.item_not_available` (unknown or retired)."""
        params = {"item_code": item_code}
        problem = ValidationFailed(
            ITEM_NOT_AVAILABLE,
            params=params,
            errors=[FieldError(field="item_code", code=ITEM_NOT_AVAILABLE, params=params)],
        )
        try:
            item = ports.items()(item_code)
        except NotFound:
            raise problem from None
        if item.status != "published":
            raise problem
        return item

    def _new_case(
        self,
        item: ItemDetail,
        applicant: Applicant,
        delivery: Delivery,
        actor: Actor,
        taken_in_by: HallIntake | None,
        *,
        renews: RenewalOf | None = None,
        form: dict[str, Any] | None = None,
        applicant_form: dict[str, Any] | None = None,
        applicable_conditions: Sequence[str] = (),
        reason: str | None = None,
        case_id: str | None = None,
        scene_application_id: str | None = None,
    ) -> CaseDetail:
        problems = _delivery_errors(delivery)
        if problems:
            raise ValidationFailed(INVALID_DELIVERY, errors=problems)
        identity = identity_form.snapshot(item.form_schema, applicant.subject_id, applicant.uscc)
        snapshot = case_snapshot(item, taken_in_by)
        if applicant_form is not None or applicable_conditions:
            # what the applicant typed is checked before anything is written, the case number included
            stored_form = checked_form(
                snapshot, identity, applicant.subject_id, applicant_form or {}, applicable_conditions
            )
        else:
            # bound fields come from the identity, never from a prefill (a renewal's old licence)
            stored_form = identity_form.applicant_part(item.form_schema, form or {}, identity)
        at = moment()
        day = shanghai_day(at)
        shard = pick_shard()
        # reserved before the case exists: a failed creation leaves a gap, never a duplicate
        number = format_case_number(
            item.region_code, day, shard, self.ledger.repository.next_sequence(item.region_code, day, shard)
        )
        # a scene application names its cases' ids up front: a retried opening finds the case (D-279)
        case_id = case_id or new_id()
        choice = delivery_choice(case_id, delivery)
        entry = next_entry(
            case_id,
            previous_length=0,
            previous_hash="",
            at=at,
            action=CaseAction.CREATE,
            from_state=None,
            to_state=CaseState.DRAFT,
            actor_role=actor.role,
            actor=actor.label,
            reason=reason,
        )
        case = Case(
            case_id=case_id,
            case_number=number,
            version=1,
            state=CaseState.DRAFT,
            applicant=applicant,
            taken_in_by=taken_in_by,
            item=snapshot,
            identity=identity,
            form=stored_form,
            applicable_conditions=sorted(set(applicable_conditions)),
            renews=renews,
            delivery=choice,
            scene_application_id=scene_application_id,
            created_at=at,
            updated_at=at,
            timeline_length=1,
            timeline_head=entry.hash,
        )
        self.ledger.repository.create(case, entry)
        logger().info("case drafted", extra={"case_id": case_id, "item_code": item.implementation_code})
        return detail_of(case, [entry])

    def create_draft(self, principal: Principal, new: NewCase) -> CaseDetail:
        """Start an application (草稿): the item's guide is snapshotted, a case number reserved;
        a form sent along is checked as `update_form` checks it and stored in the same write (D-327)."""
        applicant = applicant_of(principal)
        item = self._available_item(new.item_code)
        return self._new_case(
            item,
            applicant,
            new.delivery,
            actor_of(principal),
            None,
            applicant_form=new.form,
            applicable_conditions=new.applicable_conditions,
        )

    def take_in_at_hall(
        self, principal: Principal, request: HallIntakeRequest, *, correlation_id: str | None = None
    ) -> CaseDetail:
        """同城通办: hall staff anywhere in the city take in a case for a city-level item.
        The clerk verifies the person at the counter through the identity context (ID
        number + name against the population registry; the account found or created)
        and, for an enterprise, that they may act for it; the case is the applicant's
        own (they follow it online) and the clerk is on its timeline."""
        staff = require_role(principal, Role.STAFF)
        item = self._available_item(request.item_code)
        counter = None
        if request.ticket_id is not None:
            # after a queue number: the hall decides (its clerk, the calling window serves the item, D-218)
            counter = ports.halls()().counter_for_intake(staff, request.ticket_id, item.implementation_code)
        else:
            same_city = bool(staff.region_code) and staff.region_code[:4] == item.region_code[:4]
            if item.exercise_level != CITY_LEVEL or not same_city:
                raise Forbidden(HALL_INTAKE_NOT_ALLOWED)
        person = request.applicant
        verified = ports.identity()().verify_applicant(
            id_number=person.id_number,
            name=person.name,
            phone=person.phone,
            uscc=request.applicant_uscc,
            written_authorisation=request.written_authorisation is not None,
            correlation_id=correlation_id,
        )
        applicant = Applicant(
            subject_id=verified.subject_id,
            uscc=request.applicant_uscc,
            kind=applicant_kind_of_uscc(request.applicant_uscc) if request.applicant_uscc else "natural_person",
        )
        actor = actor_of(staff)
        authority = "self" if request.applicant_uscc is None else verified.authority
        # 异地可办: a hall in another city than the competent department; that department decides
        remote = counter is not None and counter.hall_region_code[:4] != item.region_code[:4]
        hall = HallIntake(
            subject_id=staff.subject_id,
            department_id=staff.department_id,
            region_code=staff.region_code,
            actor=actor.label,
            verified_by=person.source,
            authority=authority,
            hall_id=counter.hall_id if counter else None,
            hall_name=counter.hall_name if counter else None,
            window_id=counter.window_id if counter else None,
            queue_number=counter.number if counter else None,
            remote=remote,
        )
        how = HALL_SOURCE_NAMES[person.source]
        where = f"{counter.hall_name} {counter.window_id} 窗口（{counter.number} 号）" if counter else "窗口"
        if remote:
            where += f"异地受理、转 {item.department_name} 办理，"
        reason = (
            f"{where}代收：申请人 {mask_name(verified.name)}（{verified.id_number_masked}）经{how}实名核验"
            f"{'，新开户' if verified.registered_now else ''}；{HALL_AUTHORITY_NAMES.get(authority, authority)}"
        )
        if request.written_authorisation is not None:
            reason += f"，委托书落款 {request.written_authorisation.signed_on.isoformat()}"
        logger().info(
            "hall intake verified",
            extra={"subject_id": verified.subject_id, "authority": authority, "source": person.source},
        )
        return self._new_case(item, applicant, request.delivery, actor, hall, reason=reason)

    def update_form(self, principal: Principal, case_id: str, update: FormUpdate) -> CaseDetail:
        """Save the application form (errors per field; missing fields may wait for submission)."""
        case = self.ledger.load(case_id)
        ensure_applicant_side(principal, case)
        check_version(case, update.version)
        check_editable(case)
        typed = checked_form(
            case.item,
            case.identity,
            case.applicant.subject_id,
            update.form,
            update.applicable_conditions,
            also=_delivery_errors(update.delivery) if update.delivery is not None else (),
        )
        delivery = delivery_choice(case_id, update.delivery) if update.delivery is not None else case.delivery
        changed = case.model_copy(
            update={
                "form": typed,
                "applicable_conditions": sorted(set(update.applicable_conditions)),
                "delivery": delivery,
                "version": case.version + 1,
                "updated_at": moment(),
            }
        )
        self.ledger.save(changed, expected_version=case.version)
        return detail_of(changed, self.ledger.timeline(case_id))

    def request_upload(self, principal: Principal, case_id: str, request: UploadRequest) -> UploadTicket:
        """A presigned POST for one file of one material slot (no write until it is confirmed)."""
        case = self._editable(principal, case_id)
        ticket = self._ticket(case, request)
        _check_room(case, 1)
        return ticket

    def request_uploads(self, principal: Principal, case_id: str, request: UploadsRequest) -> UploadTickets:
        """Presigned POSTs for several files in one request (D-331): each entry is judged as
        `request_upload` judges it, and one refused entry refuses them all (every refused entry
        named at `materials.<i>`); nothing is written, a retry simply signs new forms."""
        case = self._editable(principal, case_id)
        tickets = refused_together(
            [
                (f"materials.{index}", attempt(partial(self._ticket, case, entry)))
                for index, entry in enumerate(request.materials)
            ]
        )
        _check_room(case, len(tickets))
        return UploadTickets(case_id=case_id, items=tickets)

    def _editable(self, principal: Principal, case_id: str) -> Case:
        case = self.ledger.load(case_id)
        ensure_applicant_side(principal, case)
        check_editable(case)
        return case

    def _ticket(self, case: Case, request: UploadRequest) -> UploadTicket:
        """The slot must take the declared type and size; signed locally (no AWS call)."""
        slot = material_slot(case, request.slot_id)
        if format_of(request.content_type, slot.accepted_formats) is None:
            accepted = ", ".join(slot.accepted_formats)
            raise ValidationFailed(
                INVALID_MATERIAL,
                errors=[
                    FieldError(field="content_type", code=FIELD_FORMAT_NOT_ACCEPTED, params={"accepted": accepted})
                ],
            )
        limit = slot.max_size_bytes or DEFAULT_MAX_MATERIAL_BYTES
        if request.size_bytes > limit:
            raise PayloadTooLarge(
                MATERIAL_TOO_LARGE,
                params={"limit": limit},
                errors=[FieldError(field="size_bytes", code=FIELD_SIZE_LIMIT, params={"limit": limit})],
            )
        material_id = new_id()
        ttl = materials_settings().material_upload_ttl_s
        form = self.ledger.store.upload_form(
            case_id=case.case_id,
            material_id=material_id,
            slot_id=slot.slot_id,
            file_name=request.file_name,
            content_type=request.content_type.split(";", 1)[0].strip().lower(),
            size_bytes=request.size_bytes,
            sha256=request.sha256,
            expires_in_s=ttl,
        )
        return UploadTicket(
            material_id=material_id,
            slot_id=slot.slot_id,
            url=form.url,
            fields=form.fields,
            max_size_bytes=limit,
            expires_at=moment() + dt.timedelta(seconds=ttl),
        )

    def confirm_material(self, principal: Principal, case_id: str, material_id: str) -> MaterialInfo:
        """Count an uploaded file: it exists, fits its slot's size and formats, its bytes
        look like its type and match the declared SHA-256. Then it is recorded."""
        return self._record_uploads(principal, case_id, [material_id])

    def confirm_materials(self, principal: Principal, case_id: str, request: ConfirmRequest) -> MaterialInfo:
        """Confirm several uploaded files in one request (D-331): each is read back and checked
        as `confirm_material` checks it (the reads side by side), and all are recorded in ONE
        conditional write of the case; one refused file refuses them all, each refused file
        named at `material_ids.<i>`, and nothing is recorded."""
        return self._record_uploads(principal, case_id, request.material_ids, listed=True)

    def _record_uploads(
        self, principal: Principal, case_id: str, material_ids: Sequence[str], *, listed: bool = False
    ) -> MaterialInfo:
        case = self.ledger.load(case_id)
        ensure_applicant_side(principal, case)
        recorded = {m.material_id for m in case.materials}
        pending: dict[str, int] = {}  # each file not recorded yet, at its (first) index in the request
        for index, material_id in enumerate(material_ids):
            if material_id not in recorded:
                pending.setdefault(material_id, index)
        if not pending:
            return MaterialInfo(case_id=case_id, version=case.version, materials=case.materials)
        check_editable(case)
        at = moment()
        if listed:
            # each read waits on S3: side by side, the request takes about the longest file's time
            outcomes = concurrently(
                [partial(attempt, partial(self._checked_upload, case, material_id, at)) for material_id in pending]
            )
            materials = refused_together(
                [(f"material_ids.{index}", outcome) for index, outcome in zip(pending.values(), outcomes, strict=True)],
                nest_fields=False,
            )
        else:
            materials = [self._checked_upload(case, material_id, at) for material_id in pending]
        _check_room(case, len(materials))
        changed = case.model_copy(
            update={"materials": [*case.materials, *materials], "version": case.version + 1, "updated_at": at}
        )
        self.ledger.save(changed, expected_version=case.version)
        return MaterialInfo(case_id=case_id, version=changed.version, materials=changed.materials)

    def _checked_upload(self, case: Case, material_id: str, at: dt.datetime) -> AttachedMaterial:
        """The uploaded file read back (one GetObject) and checked against its slot."""
        stored = self.ledger.store.read_back(case.case_id, material_id, max_bytes=DEFAULT_MAX_MATERIAL_BYTES)
        if stored is None:
            raise Conflict(MATERIAL_NOT_UPLOADED)
        slot = material_slot(case, stored.slot_id)
        limit = slot.max_size_bytes or DEFAULT_MAX_MATERIAL_BYTES
        if stored.size_bytes > limit:
            raise PayloadTooLarge(
                MATERIAL_TOO_LARGE,
                params={"limit": limit},
                errors=[FieldError(field="size_bytes", code=FIELD_SIZE_LIMIT, params={"limit": limit})],
            )
        material_format = format_of(stored.content_type, slot.accepted_formats)
        problems: list[FieldError] = []
        if material_format is None:
            accepted = ", ".join(slot.accepted_formats)
            problems.append(
                FieldError(field="content_type", code=FIELD_FORMAT_NOT_ACCEPTED, params={"accepted": accepted})
            )
        elif not content_matches(stored.content_type, stored.head):
            problems.append(FieldError(field="file", code=FIELD_CONTENT_MISMATCH, params={"format": material_format}))
        if stored.sha256 is None or stored.sha256 != stored.declared_sha256:
            problems.append(FieldError(field="sha256", code=FIELD_CHECKSUM_MISMATCH))
        if problems or material_format is None:
            raise ValidationFailed(INVALID_MATERIAL, errors=problems)
        return AttachedMaterial(
            material_id=material_id,
            slot_id=slot.slot_id,
            file_name=stored.file_name or material_id,
            content_type=stored.content_type,
            format=material_format,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256 or "",
            uploaded_at=at,
        )

    def remove_material(self, principal: Principal, case_id: str, material_id: str) -> MaterialInfo:
        """Take a file off the case (e.g. to replace it while supplementing)."""
        case = self.ledger.load(case_id)
        ensure_applicant_side(principal, case)
        check_editable(case)
        remaining = [m for m in case.materials if m.material_id != material_id]
        if len(remaining) == len(case.materials):
            raise NotFound(MATERIAL_NOT_FOUND)
        changed = case.model_copy(update={"materials": remaining, "version": case.version + 1, "updated_at": moment()})
        self.ledger.save(changed, expected_version=case.version)
        return MaterialInfo(case_id=case_id, version=changed.version, materials=changed.materials)

    def attach_licence(self, principal: Principal, case_id: str, request: LicenceMaterialRequest) -> MaterialInfo:
        """Fill a slot the catalogue says a licence type can stand in for with the
        applicant's own valid licence (免提交); the licences context checks the licence and
        logs the consent. Only the applicant (not hall staff) can consent to its use."""
        case = self.ledger.load(case_id)
        ensure_applicant_in_person(principal, case)
        slot = material_slot(case, request.slot_id)
        if not slot.licence_type_code:
            raise ValidationFailed(
                INVALID_MATERIAL, errors=[FieldError(field="slot_id", code=FIELD_NO_LICENCE_FOR_SLOT)]
            )
        for material in case.materials:
            if (
                material.slot_id == slot.slot_id
                and material.licence
                and material.licence.licence_id == request.licence_id
            ):
                return MaterialInfo(case_id=case_id, version=case.version, materials=case.materials)
        check_editable(case)
        reference = ports.licences()().use_for_case(
            principal,
            request.licence_id,
            case_id=case.case_id,
            case_number=case.case_number,
            type_codes=frozenset({slot.licence_type_code}),
            purpose=request.purpose or f"办理“{case.item.name}”，作为申请材料“{slot.name}”",
        )
        material = AttachedMaterial(
            material_id=new_id(),
            slot_id=slot.slot_id,
            file_name=f"{reference.type_name}（电子证照）",
            content_type="application/pdf",
            format=LICENCE_MATERIAL_FORMAT,
            size_bytes=0,
            sha256=reference.pdf_sha256,
            uploaded_at=moment(),
            licence=LicenceUse(
                licence_id=reference.licence_id,
                identifier=reference.identifier,
                type_code=reference.type_code,
                type_name=reference.type_name,
                consent_id=reference.consent_id,
            ),
        )
        changed = case.model_copy(
            update={"materials": [*case.materials, material], "version": case.version + 1, "updated_at": moment()}
        )
        self.ledger.save(changed, expected_version=case.version)
        return MaterialInfo(case_id=case_id, version=changed.version, materials=changed.materials)

    def submit(
        self,
        principal: Principal,
        case_id: str,
        request: SubmitRequest,
        *,
        idempotency_key: str | None,
        correlation_id: str | None,
        action: CaseAction = CaseAction.SUBMIT,
    ) -> Receipt:
        """申报 (or 补正提交 with `action=SUPPLEMENT`): reads the case and the item, then
        one transaction. With an Idempotency-Key the same key and body return the
        first receipt; the same key with another body is refused (409)."""
        case = self.ledger.load(case_id)
        ensure_applicant_side(principal, case)
        body_hash = payload_hash({"action": action.value, **request.model_dump(mode="json")})
        key_hash = (
            idempotency_hash(f"{SUBMISSION_SCOPE}:{principal.subject_id}", idempotency_key) if idempotency_key else None
        )
        if key_hash and (case.state, action) not in {
            (CaseState.DRAFT, CaseAction.SUBMIT),
            (CaseState.SUPPLEMENT_REQUIRED, CaseAction.SUPPLEMENT),
        }:
            earlier = self.ledger.earlier_answer(case_id, key_hash, body_hash)
            if earlier is not None:
                return earlier
        check_version(case, request.version)
        target = self.ledger.target(case, action)
        if case.renews is not None and case.first_received_at is None:
            check_renewal_in_time(case.renews, shanghai_day(moment()))  # Art. 50, on the first submission
        if case.renews is not None:
            check_no_other_renewal(self.ledger.repository, case.renews.licence_id, case.case_id)
        item = self._available_item(case.item.implementation_code)
        at = moment()
        received_on = shanghai_day(at)
        intake_due_on = intake_due(received_on)
        # the identity taken at drafting stands (a person's name and ID number do not change); a case
        # drafted before its form bound any field gets it now
        identity = case.identity or identity_form.snapshot(
            item.form_schema, case.applicant.subject_id, case.applicant.uscc
        )
        submitted = case.model_copy(
            update={
                "state": target,
                "item": case_snapshot(item, case.taken_in_by),
                "identity": identity,
                "received_at": at,
                "first_received_at": case.first_received_at or at,
                "submission_round": case.submission_round + 1,
                "intake_due_on": intake_due_on,
            }
        )
        entry = self.ledger.entry(case, action, target, actor_of(principal), None)
        final_version = case.version + 1
        receipt = Receipt(
            case_id=case_id,
            case_number=case.case_number,
            state=target,
            version=final_version,
            received_at=at,
            intake_due_on=intake_due_on,
        )
        facts = {**events.facts(submitted.model_copy(update={"version": final_version}))}
        envelope = events.envelope(
            events.SUBMITTED,
            submitted,
            events.SubmittedData(
                **facts, round=submitted.submission_round, received_at=at, intake_due_on=intake_due_on
            ),
            correlation_id,
        )
        record = IdempotencyRecord(key_hash, body_hash, receipt.model_dump(mode="json")) if key_hash else None
        try:
            self.ledger.commit(case, submitted, [entry], [envelope], record)
        except Conflict as conflict:
            if key_hash:
                earlier = self.ledger.earlier_answer(case_id, key_hash, body_hash)
                if earlier is not None:
                    return earlier
            if conflict.code == RENEWAL_PENDING and case.renews is not None:  # another renewal won the race
                check_no_other_renewal(self.ledger.repository, case.renews.licence_id, case.case_id)
            raise
        return receipt

    def withdraw(
        self, principal: Principal, case_id: str, request: ReasonRequest, *, correlation_id: str | None
    ) -> CaseDetail:
        """撤回申请: before a decision, by the applicant (or the hall staff who took it in)."""
        case = self.ledger.load(case_id)
        ensure_applicant_side(principal, case)
        check_version(case, request.version)
        target = self.ledger.target(case, CaseAction.WITHDRAW)
        after = case.model_copy(update={"state": target, "closing_reason": request.reason, "intake_due_on": None})
        entry = self.ledger.entry(case, CaseAction.WITHDRAW, target, actor_of(principal), request.reason)
        envelope = closed_event(events.WITHDRAWN, after, case.version + 1, request.reason, correlation_id)
        final = self.ledger.commit(case, after, [entry], [envelope])
        return detail_of(final, self.ledger.timeline(case_id))
