"""Opening the cases of a scene application (一件事, D-279): one case per item, each
in its department's queue with its own clock, through the cases context's own use
cases (drafting, materials, submission) as the applicant who submitted the scene.

The scenes context names every case id in its `scene_application.submitted` event,
so opening is a sequence of steps that resume: a case that exists is not drafted
again, a shared material already attached (its id derived from the case and the
slot) is not copied again, and a case past its draft is not submitted again. A
redelivery after a failure anywhere in between finishes the work: no case is lost
and none is opened twice.
"""

from __future__ import annotations

from contextlib import suppress

from shared.cases.application import Application, applicant_of
from shared.cases.models import Delivery, DeliveryMethod
from shared.cases.policy import AGENT_CASES_SCOPE, actor_of
from shared.cases.shapes import SubmitRequest
from shared.cases.states import CaseState
from shared.platform.errors import Conflict, ValidationFailed
from shared.platform.ids import derived_id
from shared.platform.observability import logger
from shared.platform.principal import Principal, Role
from shared.scenes.events import SceneSubmittedData, SharedMaterialRef


def material_id_for(case_id: str, slot_id: str) -> str:
    """The shared material's id in one case: the same on every retry."""
    return derived_id(case_id, slot_id)


def applicant_principal(data: SceneSubmittedData) -> Principal:
    """The applicant who submitted the scene (the scenes route authenticated them)."""
    if data.applicant_uscc:
        return Principal(
            subject_id=data.notify_subject_id,
            role=Role.AGENT,
            acting_for=data.applicant_uscc,
            scopes=frozenset({AGENT_CASES_SCOPE}),
        )
    return Principal(subject_id=data.notify_subject_id, role=Role.CITIZEN)


def open_scene_cases(application: Application, data: SceneSubmittedData, *, correlation_id: str | None) -> int:
    """Open (or finish opening) every case of the application; how many were submitted now."""
    principal = applicant_principal(data)
    submitted = 0
    for ref in data.cases:
        case = application.ledger.repository.get(ref.case_id)
        if case is None:
            item = application._available_item(ref.implementation_code)
            # the one form holds every item's fields: each case takes those of its own form
            own = item.form_schema.get("properties", {})
            # a concurrent delivery may draft it first (Conflict): carry on with that draft
            with suppress(Conflict):
                application._new_case(
                    item,
                    applicant_of(principal),
                    Delivery(method=DeliveryMethod.ELECTRONIC),
                    actor_of(principal),
                    None,
                    form={name: value for name, value in data.form.items() if name in own},
                    reason=f"一件事“{data.scene_name}”一次申报",
                    case_id=ref.case_id,
                    scene_application_id=data.application_id,
                )
            case = application.ledger.load(ref.case_id)
        if case.state is not CaseState.DRAFT:
            continue  # submitted on an earlier delivery
        slots = {slot.slot_id for slot in case.item.materials}
        for material in data.materials:
            if material.slot_id in slots and material.implementation_code in (None, ref.implementation_code):
                _attach(application, principal, ref.case_id, material)
        application.submit(principal, ref.case_id, SubmitRequest(), idempotency_key=None, correlation_id=correlation_id)
        submitted += 1
    return submitted


def _attach(application: Application, principal: Principal, case_id: str, material: SharedMaterialRef) -> None:
    """Copy the shared upload into the case and confirm it like an upload of its own (size,
    type, content and checksum against the case's slot); a file the slot refuses is left
    out, and the case's pre-review asks for it like any missing material."""
    material_id = material_id_for(case_id, material.slot_id)
    case = application.ledger.load(case_id)
    if any(m.material_id == material_id for m in case.materials):
        return
    if not application.ledger.store.copy_in(material.key, case_id, material_id):
        logger().warning("shared material gone", extra={"case_id": case_id, "slot_id": material.slot_id})
        return
    try:
        application.confirm_material(principal, case_id, material_id)
    except ValidationFailed as refused:
        logger().warning(
            "shared material refused by the slot",
            extra={"case_id": case_id, "slot_id": material.slot_id, "code": refused.code},
        )
