"""Reusing materials an earlier case accepted (C15, 一次提交、多次复用; D-212).

A file the applicant uploaded becomes reusable when a case of theirs is
accepted (受理): the acceptance's transaction lists it in the applicant's own
partition (the person, or the enterprise an agent acts for; see
`CasesRepository`). In a new application:

- `reusable_materials` lists, for the case's slots, those files of the same
  material type (the slot id) still within the type's validity
  (`CASE_MATERIAL_VALIDITY_DAYS`, days from the upload; 0: never reusable);
- `reuse_material` puts one into a slot with the applicant's explicit consent:
  only their own (another's is 404 — it is looked up in their partition only),
  refused once its validity has passed (409), the stored file copied into the
  case and its SHA-256 checked against the recorded one (409 when it differs or
  is gone). The consent is a timeline entry, written with the case and the
  `case.material_reused` event in one transaction. Only the applicant in person
  (not hall staff) can consent, as for e-licences.
"""

from __future__ import annotations

import datetime as dt

from shared.cases import events
from shared.cases.config import material_reuse_settings
from shared.cases.errors import (
    FIELD_FORMAT_NOT_ACCEPTED,
    INVALID_MATERIAL,
    REUSABLE_CHANGED,
    REUSABLE_EXPIRED,
    REUSABLE_NOT_FOUND,
)
from shared.cases.ledger import CaseLedger, check_editable, check_version, material_slot, moment, shanghai_day
from shared.cases.models import (
    AttachedMaterial,
    Case,
    MaterialSlot,
    ReusedFrom,
)
from shared.cases.policy import actor_of, ensure_applicant_in_person
from shared.cases.repository import ReusableRecord
from shared.cases.shapes import MaterialInfo, ReusableMaterial, ReusableMaterials, ReuseRequest
from shared.cases.states import CaseAction
from shared.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.platform.ids import new_id
from shared.platform.principal import Principal


def valid_until(record: ReusableRecord) -> dt.date | None:
    """The last day the file may be reused; None when its type is never reusable."""
    days = material_reuse_settings().days_for(record.slot_id)
    return shanghai_day(record.uploaded_at) + dt.timedelta(days=days) if days else None


def _fits(slot: MaterialSlot, record: ReusableRecord) -> bool:
    limit = slot.max_size_bytes
    return record.format in slot.accepted_formats and (limit is None or record.size_bytes <= limit)


def _already(case: Case, slot_id: str, sha256: str) -> bool:
    return any(m.slot_id == slot_id and m.sha256 == sha256 for m in case.materials)


class MaterialReuse:
    def __init__(self, ledger: CaseLedger) -> None:
        self.ledger = ledger

    def reusable_materials(self, principal: Principal, case_id: str) -> ReusableMaterials:
        """The applicant's accepted files this case's slots can take, still valid (one Query)."""
        case = self.ledger.load(case_id)
        ensure_applicant_in_person(principal, case)
        slots = {slot.slot_id: slot for slot in case.item.materials}
        today = shanghai_day(moment())
        items: list[ReusableMaterial] = []
        for record in self.ledger.repository.reusables(case.applicant.subject_id, case.applicant.uscc):
            slot = slots.get(record.slot_id)
            until = valid_until(record)
            if slot is None or until is None or until < today or not _fits(slot, record):
                continue
            if _already(case, record.slot_id, record.sha256):
                continue
            items.append(
                ReusableMaterial(
                    slot_id=slot.slot_id,
                    slot_name=slot.name,
                    sha256=record.sha256,
                    file_name=record.file_name,
                    format=record.format,
                    size_bytes=record.size_bytes,
                    uploaded_at=record.uploaded_at,
                    valid_until=until,
                    from_case_number=record.case_number,
                )
            )
        items.sort(key=lambda item: (item.slot_id, item.uploaded_at), reverse=True)
        return ReusableMaterials(case_id=case_id, items=items)

    def reuse_material(
        self, principal: Principal, case_id: str, request: ReuseRequest, *, correlation_id: str | None
    ) -> MaterialInfo:
        case = self.ledger.load(case_id)
        ensure_applicant_in_person(principal, case)
        slot = material_slot(case, request.slot_id)
        if _already(case, slot.slot_id, request.sha256):  # a repeated request changes nothing
            return MaterialInfo(case_id=case_id, version=case.version, materials=case.materials)
        check_editable(case)
        check_version(case, request.version)
        target = self.ledger.target(case, CaseAction.REUSE_MATERIAL)
        record = self.ledger.repository.reusable(
            case.applicant.subject_id, case.applicant.uscc, slot.slot_id, request.sha256
        )
        if record is None:
            raise NotFound(REUSABLE_NOT_FOUND)
        until = valid_until(record)
        if until is None or until < shanghai_day(moment()):
            shown = until or shanghai_day(record.uploaded_at)
            raise Conflict(REUSABLE_EXPIRED, params={"valid_until": shown.isoformat()})
        if not _fits(slot, record):
            accepted = ", ".join(slot.accepted_formats)
            raise ValidationFailed(
                INVALID_MATERIAL,
                errors=[FieldError(field="sha256", code=FIELD_FORMAT_NOT_ACCEPTED, params={"accepted": accepted})],
            )
        material_id = new_id()
        store = self.ledger.store
        copied = store.copy_in(record.object_key, case_id, material_id)
        stored = store.read_back(case_id, material_id, max_bytes=record.size_bytes) if copied else None
        if stored is None or stored.sha256 != record.sha256:  # the bytes are what was accepted, or nothing
            if copied:
                store.delete_material(case_id, material_id)
            raise Conflict(REUSABLE_CHANGED)
        at = moment()
        material = AttachedMaterial(
            material_id=material_id,
            slot_id=slot.slot_id,
            file_name=record.file_name,
            content_type=record.content_type,
            format=record.format,
            size_bytes=record.size_bytes,
            sha256=record.sha256,
            uploaded_at=record.uploaded_at,  # its validity runs from the first upload
            reused_from=ReusedFrom(
                case_id=record.case_id, case_number=record.case_number, valid_until=until, consent_at=at
            ),
        )
        after = case.model_copy(update={"materials": [*case.materials, material]})
        reason = (
            f"申请人同意复用其办件 {record.case_number} 已受理的材料“{slot.name}”"
            f"（{record.file_name}，SHA-256 {record.sha256[:16]}…，可复用至 {until.isoformat()}）"
        )
        entry = self.ledger.entry(case, CaseAction.REUSE_MATERIAL, target, actor_of(principal), reason)
        data = events.MaterialReusedData(
            **events.facts(after.model_copy(update={"version": case.version + 1})),
            slot_id=slot.slot_id,
            material_id=material_id,
            sha256=record.sha256,
            from_case_id=record.case_id,
            from_case_number=record.case_number,
            valid_until=until,
        )
        envelope = events.envelope(events.MATERIAL_REUSED, after, data, correlation_id)
        try:
            final = self.ledger.commit(case, after, [entry], [envelope])
        except Conflict:
            store.delete_material(case_id, material_id)  # the case changed meanwhile: no orphan copy
            raise
        return MaterialInfo(case_id=case_id, version=final.version, materials=final.materials)
