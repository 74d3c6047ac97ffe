"""Scene applications (一件事, D-279): one submission of a catalogue scene's combined
form opens one case per selected item; one progress view follows the cases' events;
the application completes when every case is finished.

Submission reads the catalogue's guide for the answers (the `guide` port), checks
the combined form's required fields and the shared materials, and stores the
application with its `scene_application.submitted` event in one transaction. The
event names each case's id (`scene_case_id`), so the cases context opens them
idempotently (`shared.cases.scene_cases`, a queue consumer). Each field is checked
fully against its item's schema by that case's own pre-review, like any case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Any

from shared.platform import uploads
from shared.platform.clock import now
from shared.platform.errors import FieldError, Forbidden, NotFound, ValidationFailed
from shared.platform.events import Envelope, make_envelope
from shared.platform.ids import new_id
from shared.platform.principal import APPLICANT_ROLES, Decision, Principal, RecordScope, Role, decide, require_role
from shared.scenes import events, ports
from shared.scenes.config import scenes_settings
from shared.scenes.errors import (
    APPLICATION_NOT_FOUND,
    FIELD_MATERIAL_NOT_UPLOADED,
    FIELD_MATERIAL_REQUIRED,
    FIELD_REQUIRED,
    FIELD_UNKNOWN_FIELD,
    FIELD_UNKNOWN_SLOT,
    INVALID_SUBMISSION,
    NOTHING_SELECTED,
)
from shared.scenes.models import (
    ApplicationState,
    SceneApplication,
    SceneCase,
    SceneSubmission,
    SceneUploadRequest,
    SceneUploadTicket,
    SharedMaterial,
)
from shared.scenes.repository import ApplicationMoved, ScenesRepository

# the case states after which nothing more happens to a case (办结, 不予受理, 撤回)
FINISHED_STATES = frozenset({"completed", "refused_at_intake", "withdrawn"})
AGENT_CASES_SCOPE = "cases"  # the scope an agent needs to apply for its enterprise (as for a single case)
IDENTITY_KEYWORD = "x-identity"  # a field the case fills from the verified identity (shared.catalog form_identity)
SAVE_ATTEMPTS = 5


def upload_key(subject_id: str, material_id: str) -> str:
    return f"scene-uploads/{subject_id}/{material_id}"


def _applicant(principal: Principal) -> Principal:
    applicant = require_role(principal, APPLICANT_ROLES)
    if applicant.role is Role.AGENT and (not applicant.acting_for or AGENT_CASES_SCOPE not in applicant.scopes):
        raise Forbidden()
    return applicant


def _bound(schema: dict[str, Any]) -> bool:
    parts = schema.get("allOf", [schema])
    return any(isinstance(part, dict) and IDENTITY_KEYWORD in part for part in parts)


def _filled(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def form_errors(guide: dict[str, Any], form: dict[str, Any]) -> list[FieldError]:
    """Fields no selected item has, and required fields left empty (those the cases fill from
    the applicant's verified identity are not asked)."""
    fields = {field["name"]: field for field in guide["fields"]}
    errors = [FieldError(field=f"form.{name}", code=FIELD_UNKNOWN_FIELD) for name in form if name not in fields]
    for name, field in fields.items():
        if field["required"] and not _bound(field["json_schema"]) and not _filled(form.get(name)):
            errors.append(FieldError(field=f"form.{name}", code=FIELD_REQUIRED))
    return errors


def _missing_materials(guide: dict[str, Any], given: list[SharedMaterial]) -> list[tuple[str, str]]:
    """The required combined materials (slot and name) no given file serves: a file serves
    the items asking its slot, or only the one item it names."""
    required = {
        (item["implementation_code"], material["slot_id"]): material["name"]
        for item in guide["items"]
        for material in item["materials"]
        if material.get("requirement") == "required"
    }
    served = {
        (item["implementation_code"], m.slot_id)
        for item in guide["items"]
        for m in given
        if m.implementation_code in (None, item["implementation_code"])
    }
    return sorted((slot, code) for (code, slot) in required if (code, slot) not in served)


class ScenesService:
    def __init__(self, repository: ScenesRepository | None = None) -> None:
        self.repository = repository or ScenesRepository()

    def request_upload(self, principal: Principal, request: SceneUploadRequest) -> SceneUploadTicket:
        """A presigned POST for one shared material (no AWS call). The file is checked against
        each item's slot when its case takes it in (size, type, content, checksum)."""
        applicant = _applicant(principal)
        material_id = new_id()
        settings = scenes_settings()
        form = uploads.upload_form(
            settings.materials_bucket,
            upload_key(applicant.subject_id, material_id),
            content_type=request.content_type.split(";", 1)[0].strip().lower(),
            size_bytes=request.size_bytes,
            metadata={"slot-id": request.slot_id, "file-name": request.file_name, "sha256": request.sha256},
            expires_in_s=settings.scene_upload_ttl_s,
        )
        return SceneUploadTicket(
            material_id=material_id,
            slot_id=request.slot_id,
            url=form.url,
            fields=form.fields,
            expires_at=now() + dt.timedelta(seconds=settings.scene_upload_ttl_s),
        )

    def submit(self, principal: Principal, submission: SceneSubmission, correlation_id: str | None) -> SceneApplication:
        """One GetItem and two BatchGetItems (the guide), one GetObject per shared material,
        one transaction."""
        applicant = _applicant(principal)
        guide = ports.guide()(submission.scene_id, submission.answers)
        if not guide["items"]:
            raise ValidationFailed(NOTHING_SELECTED)
        problems = form_errors(guide, submission.form)
        problems.extend(self._material_errors(applicant, guide, submission))
        if problems:
            raise ValidationFailed(INVALID_SUBMISSION, errors=problems)
        application_id = new_id()
        application = SceneApplication(
            application_id=application_id,
            scene_id=submission.scene_id,
            scene_name=guide["name"],
            region_code=submission.scene_id[:6],
            applicant_subject_id=applicant.subject_id,
            applicant_uscc=applicant.acting_for if applicant.role is Role.AGENT else None,
            state=ApplicationState.SUBMITTED,
            answers=dict(submission.answers),
            cases=[
                SceneCase(
                    implementation_code=item["implementation_code"],
                    item_name=item["name"],
                    department_id=item["department_id"],
                    department_name=item["department_name"],
                    case_id=events.scene_case_id(application_id, item["implementation_code"]),
                )
                for item in guide["items"]
            ],
            submitted_at=now().replace(microsecond=0),
        )
        data = events.SceneSubmittedData(
            application_id=application_id,
            scene_id=application.scene_id,
            scene_name=application.scene_name,
            region_code=application.region_code,
            notify_subject_id=application.applicant_subject_id,
            applicant_uscc=application.applicant_uscc,
            form=submission.form,
            cases=[
                events.SceneCaseRef(implementation_code=c.implementation_code, case_id=c.case_id)
                for c in application.cases
            ],
            materials=[
                events.SharedMaterialRef(
                    slot_id=m.slot_id,
                    key=upload_key(applicant.subject_id, m.material_id),
                    implementation_code=m.implementation_code,
                )
                for m in submission.materials
            ],
        )
        self.repository.create(application, _envelope(events.SUBMITTED, application_id, data, correlation_id))
        return application

    def _material_errors(
        self, applicant: Principal, guide: dict[str, Any], submission: SceneSubmission
    ) -> Iterable[FieldError]:
        offered = {
            (item["implementation_code"], material["slot_id"])
            for item in guide["items"]
            for material in item["materials"]
        }
        for slot_id, code in _missing_materials(guide, submission.materials):
            yield FieldError(
                field=f"materials.{slot_id}", code=FIELD_MATERIAL_REQUIRED, params={"implementation_code": code}
            )
        bucket = scenes_settings().materials_bucket
        for number, material in enumerate(submission.materials):
            codes = {code for code, slot in offered if slot == material.slot_id}
            if not codes or (material.implementation_code and material.implementation_code not in codes):
                yield FieldError(field=f"materials.{number}.slot_id", code=FIELD_UNKNOWN_SLOT)
                continue
            # the upload is the caller's own (its key holds their subject id) and for this slot
            stored = uploads.read_back(
                bucket, upload_key(applicant.subject_id, material.material_id), max_bytes=0, head_bytes=0
            )
            if stored is None or stored.metadata.get("slot-id") != material.slot_id:
                yield FieldError(field=f"materials.{number}.material_id", code=FIELD_MATERIAL_NOT_UPLOADED)

    def application(self, principal: Principal, application_id: str) -> SceneApplication:
        """The one progress view: each case and its state as its events said (one GetItem)."""
        application = self.repository.application(application_id)
        if application is None or decide(principal, _scope(application)) is not Decision.ALLOW:
            raise NotFound(APPLICATION_NOT_FOUND)
        return application

    def follow_case(
        self, *, application_id: str, case_id: str, case_number: str, version: int, state: str, correlation_id: str
    ) -> bool:
        """Record a case's new state in its application (older or repeated events change
        nothing); the last case to finish completes the application with its event, in
        the same transaction. False when nothing changed."""
        for _ in range(SAVE_ATTEMPTS):
            application = self.repository.application(application_id)
            if application is None:
                return False
            cases = [c.model_copy() for c in application.cases]
            entry = next((c for c in cases if c.case_id == case_id), None)
            if entry is None or not _newer(version, state, entry):
                return False
            entry.case_number, entry.state, entry.case_version = case_number, state, version
            entry.finished = state in FINISHED_STATES
            changed = application.model_copy(update={"cases": cases, "version": application.version + 1})
            emitted: list[Envelope] = []
            if application.state is ApplicationState.SUBMITTED and all(c.finished for c in cases):
                changed.state, changed.completed_at = ApplicationState.COMPLETED, now().replace(microsecond=0)
                emitted.append(_envelope(events.COMPLETED, application_id, _completed(changed), correlation_id))
            try:
                self.repository.save(changed, expected_version=application.version, events=emitted)
            except ApplicationMoved:
                continue  # another case's event of the same application: read again
            return True
        raise ApplicationMoved()


# how far along a case is: one transaction may move a case twice under one version (a 即办 item's
# pre-review passes and accepts it; a decision and its next step), its events then differ by state only
_PROGRESS = {
    "draft": 0,
    "submitted": 1,
    "supplement_required": 2,
    "pre_review_passed": 3,
    "accepted": 4,
    "in_review": 5,
    "suspended": 5,
    "approved": 6,
    "denied": 6,
    "awaiting_payment": 7,
    "awaiting_licence": 7,
    "awaiting_delivery": 7,
    "refused_at_intake": 9,
    "withdrawn": 9,
    "completed": 9,
}


def _newer(version: int, state: str, entry: SceneCase) -> bool:
    """Does the event say something newer than the view holds? (a later version, or the same
    version further along: events of one transaction may arrive in any order)"""
    if version != entry.case_version:
        return version > entry.case_version
    return _PROGRESS.get(state, 0) > _PROGRESS.get(entry.state or "", -1)


def _scope(application: SceneApplication) -> RecordScope:
    return RecordScope(
        applicant_subject_id=application.applicant_subject_id,
        applicant_uscc=application.applicant_uscc or "",
        region_code=application.region_code,
        required_scope=AGENT_CASES_SCOPE,
    )


def _completed(application: SceneApplication) -> events.SceneCompletedData:
    return events.SceneCompletedData(
        application_id=application.application_id,
        scene_id=application.scene_id,
        scene_name=application.scene_name,
        region_code=application.region_code,
        notify_subject_id=application.applicant_subject_id,
        applicant_uscc=application.applicant_uscc,
        cases=len(application.cases),
        completed=sum(1 for c in application.cases if c.state == "completed"),
    )


def _envelope(event_type: str, application_id: str, data: Any, correlation_id: str | None) -> Envelope:
    return make_envelope(events.SOURCE, event_type, application_id, data, correlation_id)


@cache
def scenes_service() -> ScenesService:
    return ScenesService()
