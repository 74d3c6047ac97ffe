"""Cases ↔ e-licences (C15, 一次提交、多次复用: never ask again for what can be
shared): what the licences context needs to know about a case, and a case's
use of the applicant's own licences — without either context touching the
other's table.

- `attach_licence`: a material slot the catalogue says a licence type can
  stand in for (`licence_type_code`) is filled from the applicant's own valid
  licence instead of an upload; the licences context checks the licence and
  records the consent (who, which licence, which case, purpose, when).
- `licence_results`: pre-review asks the licences context whether every
  licence a case refers to is still the applicant's and still valid.
- `case_for_licence_query`: a department's staff may query an applicant's
  licences only for a case their department handles (403 otherwise); this
  returns the case's applicant for the licences context to list and log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.cases.errors import CASE_NOT_FOUND, FIELD_UNKNOWN_SLOT, INVALID_MATERIAL
from shared.cases.models import AttachedMaterial, Case, LicenceUse, MaterialInfo
from shared.cases.repository import CasesRepository
from shared.cases.service import _check_editable, _moment, ensure_applicant_side, ensure_department_side
from shared.cases.states import CaseState
from shared.platform.errors import FieldError, Forbidden, NotFound, ValidationFailed, register_messages
from shared.platform.ids import new_id
from shared.platform.principal import Principal, Role

FIELD_NO_LICENCE_FOR_SLOT = "case.slot_takes_no_licence"
register_messages(
    {
        FIELD_NO_LICENCE_FOR_SLOT: (
            "该材料不能用电子证照替代，请上传文件",
            "No e-licence can stand in for this material; upload a file",
        )
    }
)

LICENCE_MATERIAL_FORMAT = "e_licence"


class LicenceMaterialRequest(BaseModel):
    """Fill a material slot with one of the applicant's own e-licences (免提交)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    slot_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["business_licence"])]
    licence_id: Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="From /v1/me/licences.")]
    purpose: Annotated[
        str | None,
        Field(default=None, min_length=2, max_length=200, description="Shown in the holder's usage log."),
    ] = None


@dataclass(frozen=True)
class CaseApplicant:
    case_id: str
    case_number: str
    applicant_subject_id: str
    applicant_uscc: str | None


def _load(case_id: str, repository: CasesRepository) -> Case:
    case = repository.get(case_id)
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    return case


def attach_licence(
    principal: Principal, case_id: str, request: LicenceMaterialRequest, repository: CasesRepository | None = None
) -> MaterialInfo:
    """Record the applicant's licence against a slot, with the consent logged by the
    licences context. Only the applicant (not hall staff) can consent to their licence's use."""
    from shared.licences.service import licences_service

    repository = repository or CasesRepository()
    case = _load(case_id, repository)
    if principal.role not in (Role.CITIZEN, Role.AGENT):
        raise Forbidden()
    ensure_applicant_side(principal, case)
    slot = next((s for s in case.item.materials if s.slot_id == request.slot_id), None)
    if slot is None:
        raise ValidationFailed(
            INVALID_MATERIAL,
            errors=[FieldError(field="slot_id", code=FIELD_UNKNOWN_SLOT, params={"slot_id": request.slot_id})],
        )
    if not slot.licence_type_code:
        raise ValidationFailed(INVALID_MATERIAL, errors=[FieldError(field="slot_id", code=FIELD_NO_LICENCE_FOR_SLOT)])
    for material in case.materials:
        if material.slot_id == slot.slot_id and material.licence and material.licence.licence_id == request.licence_id:
            return MaterialInfo(case_id=case_id, version=case.version, materials=case.materials)
    _check_editable(case)
    reference = licences_service().use_for_case(
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
        uploaded_at=_moment(),
        licence=LicenceUse(
            licence_id=reference.licence_id,
            identifier=reference.identifier,
            type_code=reference.type_code,
            type_name=reference.type_name,
            consent_id=reference.consent_id,
        ),
    )
    changed = case.model_copy(
        update={"materials": [*case.materials, material], "version": case.version + 1, "updated_at": _moment()}
    )
    repository.save(changed, expected_version=case.version)
    return MaterialInfo(case_id=case_id, version=changed.version, materials=changed.materials)


def licence_results(case: Case) -> Mapping[str, str]:
    """material id → verification result (valid, expired, suspended, revoked, replaced,
    unknown) for every material an e-licence stands in for; empty when there are none."""
    used = [m for m in case.materials if m.licence is not None]
    if not used:
        return {}
    from shared.licences.service import licences_service

    results: dict[str, str] = {}
    for material in used:
        assert material.licence is not None
        verdict = licences_service().check_reference(
            material.licence.licence_id, case.applicant.subject_id, case.applicant.uscc
        )
        results[material.material_id] = verdict.result
    return results


def case_for_licence_query(
    principal: Principal, case_id: str, repository: CasesRepository | None = None
) -> CaseApplicant:
    """The applicant of a case the caller's department handles (not a draft): 404 for no
    such case, 403 outside the caller's department or region."""
    case = _load(case_id, repository or CasesRepository())
    ensure_department_side(principal, case)
    if case.state is CaseState.DRAFT:
        raise Forbidden()
    return CaseApplicant(case.case_id, case.case_number, case.applicant.subject_id, case.applicant.uscc)
