"""The cases context's HTTP routes (paths fixed by template.yaml, CaseApiFunction).

Every route needs a signed-in caller (the template's default authorizer) and
declares who may call it in `x-jszw-access`; record-scoped routes further
check ownership or department scope per case: another applicant's case is
404 (its existence is not revealed), a case outside a staff member's
department or region is 403. Errors are the platform's problem+json body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.cases import ports
from shared.cases.models import (
    CASE_ID_PATTERN,
    MATERIAL_ID_PATTERN,
    AcceptRequest,
    CaseDetail,
    CaseSummary,
    DecideRequest,
    ExtensionRequestEntry,
    JointTaskEntry,
    ReasonRequest,
    Receipt,
    TimelineVerification,
    WorkQueueEntry,
)
from shared.cases.service import CasesService, cases_service
from shared.cases.states import CaseAction
from shared.platform.idempotency import once
from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.public import lazy_module
from shared.platform.route_docs import ROLE, SIGNED_IN, Cursor, IdempotencyKey, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

if TYPE_CHECKING:
    from shared.cases import shapes
else:
    # the bodies and answers of particular routes load with the first request of a route that names
    # them (its signature is resolved then), not at cold start (D-318)
    shapes = lazy_module("shared.cases.shapes")

router = APIGatewayRouter()

APPLY_TAG = "Applying 网上申报"
CASES_TAG = "My cases 我的办件"
INTAKE_TAG = "Intake 受理"

_SIGNED_IN = SIGNED_IN
_ROLE = ROLE
_RECORD = {
    **_SIGNED_IN,
    403: _problem("Outside the caller's department or region (forbidden)"),
    404: _problem("No such case, or not the caller's (case.not_found)"),
}
_CONFLICT = {
    409: _problem(
        "Wrong state or changed meanwhile (case.transition_not_allowed, case.changed_concurrently, "
        "case.version_mismatch)"
    )
}

# the one-file routes and their list forms (D-331) refuse alike
_UPLOAD_REFUSALS = {
    409: _problem("Not editable now, or too many files (case.not_editable, case.too_many_materials)"),
    413: _problem("A file larger than its slot allows (case.material_too_large)"),
    422: _problem("An unknown slot or a format not accepted (case.invalid_material)"),
    **_RECORD,
}
_CONFIRM_REFUSALS = {
    409: _problem(
        "Nothing uploaded yet, not editable, too many files or changed meanwhile (case.material_not_uploaded, "
        "case.not_editable, case.too_many_materials, case.changed_concurrently)"
    ),
    413: _problem("A file larger than its slot allows (case.material_too_large)"),
    422: _problem("Wrong type, content or checksum (case.invalid_material)"),
    **_RECORD,
}

CaseId = Annotated[str, Path(pattern=CASE_ID_PATTERN, description="Case id (26 characters).")]
MaterialId = Annotated[str, Path(pattern=MATERIAL_ID_PATTERN, description="Material id from the upload ticket.")]


def _service() -> CasesService:
    return cases_service()


# --- applying ------------------------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/cases",
    status_code=201,
    summary="Start an application (draft)",
    description=(
        "Starts a draft application for a published item (C14): the item's guide (materials, form schema) "
        "is kept with the case and a province-wide case number (办件编号: division + date + sequence) is "
        "reserved. Citizens apply for themselves; agents for the enterprise they act for. A client that has the "
        "form already sends it here (`form`, `applicable_conditions`): it is checked exactly as "
        "`PUT /v1/cases/{case_id}/form` checks it (identity-bound fields, fields, conditions) and stored with the "
        "draft, one request instead of two; if it is refused, no case is started. Send `Idempotency-Key` to make "
        "retries safe (the key binds the whole body, the form included)."
    ),
    tags=[APPLY_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        201: _ok("The new draft"),
        409: _problem("Idempotency-Key reused with another body (idempotency_key_reused)"),
        422: _problem(
            "Unknown or retired item, bad delivery, form errors per field or identity fields changed "
            "(case.item_not_available, case.invalid_delivery, case.invalid_form, case.identity_mismatch)"
        ),
        **_ROLE,
    },
)
def create_case(
    principal: Principal, body: Annotated[shapes.NewCase, Body()], idempotency_key: IdempotencyKey = None
) -> CaseDetail:

    def produce() -> dict[str, Any]:
        return _service().create_draft(principal, body).model_dump(mode="json")

    scope = f"cases.create:{principal.subject_id}:{principal.acting_for}"
    result = once(scope=scope, key=idempotency_key, payload=body.idempotency_payload(), produce=produce)
    return CaseDetail.model_validate(result)


@route(
    router,
    "POST",
    "/v1/cases/renewals",
    status_code=201,
    summary="Apply to renew a licence (延续)",
    description=(
        "行政许可法 第50条: the holder renews one of their own licences (from /v1/me/licences or the expiry "
        "reminder). Starts a draft case for the renewal item the issuing item names, at the issuing department, "
        "linked to the licence (`renews`): the licence fills every material slot it can stand in for (consent "
        "logged in the holder's usage log) and the form starts with the licence number and the original "
        "application's answers. The application must be made at least 30 days (or the item's "
        "`renewal_lead_days`) before the licence expires — checked here and at submission; the department decides "
        "before it expires. An approval issues the renewed licence, which supersedes the old one."
    ),
    tags=[APPLY_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        201: _ok("The renewal draft, prefilled"),
        404: _problem("Not the caller's licence (licence.not_found)"),
        409: _problem(
            "Not renewable: not active or long-term (licence.not_renewable), no renewal item online "
            "(case.not_renewable_online), too late under Art. 50 (case.renewal_too_late), another renewal of it "
            "in progress (case.renewal_pending, naming its case number); Idempotency-Key reused"
        ),
        422: _problem("The renewal item is not published (case.item_not_available), bad delivery"),
        **_ROLE,
    },
)
def start_renewal(
    principal: Principal, body: Annotated[shapes.RenewalRequest, Body()], idempotency_key: IdempotencyKey = None
) -> CaseDetail:

    def produce() -> dict[str, Any]:
        return _service().start_renewal(principal, body).model_dump(mode="json")

    scope = f"cases.renew:{principal.subject_id}:{principal.acting_for}"
    result = once(scope=scope, key=idempotency_key, payload=body.model_dump(mode="json"), produce=produce)
    return CaseDetail.model_validate(result)


@route(
    router,
    "POST",
    "/v1/hall/cases",
    status_code=201,
    summary="Take in an application at a hall (同城通办)",
    description=(
        "Hall staff anywhere in a city take in an application for a city-level item on the applicant's behalf "
        "(C18, 同城通办). The clerk verifies the person at the counter: ID number and name (typed, or filled by "
        "an ID-card reader) are checked against the population registry, and the person's account is found or "
        "created as registration would (`phone` is then required). For an enterprise (`applicant_uscc`) the "
        "person must be its legal representative or an authorised agent with the `cases` scope, or the clerk "
        "records a written authorisation (授权委托书), whose scan the case then requires as material "
        "`hall_power_of_attorney`. The case is the applicant's (they see it online and supplement it); it is "
        "routed to the item's implementing department, and the clerk, on its timeline, may fill the form, attach "
        "materials and submit for the applicant. The ID number never appears in the answer (masked)."
    ),
    tags=[APPLY_TAG],
    access=Access.STAFF,
    responses={
        201: _ok("The new draft"),
        403: _problem(
            "Not staff, not a city-level item, another city, or the person may not act for the enterprise "
            "(forbidden, case.hall_intake_not_allowed, identity.applicant_not_authorised)"
        ),
        409: _problem("A new account's phone belongs to another account (identity.phone_in_use)"),
        422: _problem(
            "Unknown or retired item, an invalid ID number or name, no match in the population registry, no phone "
            "for a new account, an unknown enterprise (case.item_not_available, identity.real_name_mismatch, "
            "identity.phone_required, identity.unknown_enterprise, validation_failed)"
        ),
        503: _problem("The real-name registry is unavailable (identity.registry_unavailable)"),
        **_SIGNED_IN,
    },
)
def take_in_at_hall(
    principal: Principal, body: Annotated[shapes.HallIntakeRequest, Body()], idempotency_key: IdempotencyKey = None
) -> CaseDetail:

    def produce() -> dict[str, Any]:
        return _service().take_in_at_hall(principal, body, correlation_id=correlation_id()).model_dump(mode="json")

    scope = f"cases.hall:{principal.subject_id}"
    # the body holds an ID number: the idempotency store keeps a keyed fingerprint, not a plain hash
    fingerprint = ports.identity()().fingerprint(body.model_dump(mode="json")) if idempotency_key else None
    result = once(scope=scope, key=idempotency_key, payload=fingerprint, produce=produce)
    return CaseDetail.model_validate(result)


@route(
    router,
    "PUT",
    "/v1/cases/<case_id>/form",
    summary="Fill in the application form",
    description=(
        "Saves the form (validated against the item's JSON Schema; every problem is reported per field), the "
        "conditional materials whose condition applies (适用情形) and the delivery choice. Missing required "
        "fields may wait: pre-review lists them. Only while the case is a draft or awaiting supplements. "
        "Fields bound to the verified identity (`x-identity`, `readOnly` in the case's `form_schema`) are "
        "filled in by the platform: leave them out or send the value shown; any other value is refused "
        "(case.identity_mismatch, naming the field) and nothing is saved."
    ),
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        200: _ok("The case with the saved form"),
        409: _problem("Not editable now or changed meanwhile (case.not_editable, case.version_mismatch)"),
        422: _problem("Form errors per field, or identity fields changed (case.invalid_form, case.identity_mismatch)"),
        **_RECORD,
    },
)
def update_form(principal: Principal, case_id: CaseId, body: Annotated[shapes.FormUpdate, Body()]) -> CaseDetail:
    return _service().update_form(principal, case_id, body)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/materials",
    status_code=201,
    summary="Get an upload form for a material",
    description=(
        "Returns an S3 presigned POST for one file of one material slot: the policy pins the content type, the "
        "exact size and the SHA-256. POST `fields` and then the file to `url` (multipart/form-data), then "
        "confirm it. Formats and the size limit come from the item's material list."
    ),
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={201: _ok("The presigned POST"), **_UPLOAD_REFUSALS},
)
def request_upload(
    principal: Principal, case_id: CaseId, body: Annotated[shapes.UploadRequest, Body()]
) -> shapes.UploadTicket:
    return _service().request_upload(principal, case_id, body)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/materials/uploads",
    status_code=201,
    summary="Get upload forms for several files at once",
    description=(
        "The list form of `POST .../materials` (D-331): one presigned POST per entry, in the order asked, each "
        "judged as that route judges one file. All or nothing: if any entry is refused, none is signed and the "
        "answer has the first refused entry's status and code, with every refused entry's problems in `errors` "
        "at `materials.<i>.<field>`. Nothing is stored until the files are confirmed, so a retry simply gets "
        "new forms (no `Idempotency-Key`). At most 61 entries (one per slot of any item) and the case's cap of "
        "100 files."
    ),
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={201: _ok("One presigned POST per file"), **_UPLOAD_REFUSALS},
)
def request_uploads(
    principal: Principal, case_id: CaseId, body: Annotated[shapes.UploadsRequest, Body()]
) -> shapes.UploadTickets:
    return _service().request_uploads(principal, case_id, body)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/materials/confirm",
    summary="Confirm several uploaded files at once",
    description=(
        "The list form of `POST .../materials/{material_id}/confirm` (D-331): each file is read back and checked "
        "as that route checks one, then all are recorded in ONE conditional write of the case. All or nothing: "
        "if any file is refused, none is recorded and the answer has the first refused file's status and code, "
        "with every refused file at `material_ids.<i>` in `errors` (its code says what is wrong). Files already "
        "recorded are skipped, so confirming twice is harmless (no `Idempotency-Key` needed)."
    ),
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The case's materials"), **_CONFIRM_REFUSALS},
)
def confirm_materials(
    principal: Principal, case_id: CaseId, body: Annotated[shapes.ConfirmRequest, Body()]
) -> shapes.MaterialInfo:
    return _service().confirm_materials(principal, case_id, body)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/materials/<material_id>/confirm",
    summary="Confirm an uploaded material",
    description=(
        "Reads the uploaded object back: it must exist, be within the slot's size, of an accepted format, start "
        "like that format does and match the declared SHA-256. Only then is it recorded against its slot. "
        "Confirming twice is harmless."
    ),
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The case's materials"), **_CONFIRM_REFUSALS},
)
def confirm_material(principal: Principal, case_id: CaseId, material_id: MaterialId) -> shapes.MaterialInfo:
    return _service().confirm_material(principal, case_id, material_id)


@route(
    router,
    "DELETE",
    "/v1/cases/<case_id>/materials/<material_id>",
    summary="Remove a material",
    description="Takes a file off the case, e.g. to replace a wrong one while supplementing.",
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        200: _ok("The case's materials"),
        409: _problem("Not editable now (case.not_editable)"),
        **_RECORD,
    },
)
def remove_material(principal: Principal, case_id: CaseId, material_id: MaterialId) -> shapes.MaterialInfo:
    return _service().remove_material(principal, case_id, material_id)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/materials/from-licence",
    summary="Use one of my e-licences for a material (免提交, C15)",
    description=(
        "Fills a material slot that the catalogue says an e-licence type can stand in for "
        "(`licence_type_code`) with the applicant's own valid licence instead of an upload. The holder's "
        "consent (which licence, which case, purpose, when) is recorded in their usage log "
        "(`/v1/me/licence-usage`); pre-review checks the licence again. Using the same licence twice is harmless."
    ),
    tags=[APPLY_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        200: _ok("The case's materials"),
        409: _problem(
            "Not editable now, or the licence is not valid or of another type "
            "(case.not_editable, licence.not_usable, licence.type_mismatch)"
        ),
        422: _problem("Unknown slot, or no licence can stand in for it (case.invalid_material)"),
        **_RECORD,
    },
)
def use_licence_for_material(
    principal: Principal, case_id: CaseId, body: Annotated[shapes.LicenceMaterialRequest, Body()]
) -> shapes.MaterialInfo:
    return _service().attach_licence(principal, case_id, body)


@route(
    router,
    "GET",
    "/v1/cases/<case_id>/reusable-materials",
    summary="My accepted materials this application can reuse (一次提交、多次复用, C15)",
    description=(
        "Files the applicant (the person, or the enterprise an agent acts for) uploaded in earlier cases that "
        "were accepted (受理), for the material types (slot ids) this case asks for, that the slot's formats and "
        "size allow and that are still within the type's validity (`CASE_MATERIAL_VALIDITY_DAYS`, days from the "
        "upload; some types, such as the application form, are never reused). Files already in the case are "
        "left out. One Query of the applicant's own list: nobody else's files appear."
    ),
    tags=[APPLY_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("The reusable files, by slot"), **_RECORD},
)
def reusable_materials(principal: Principal, case_id: CaseId) -> shapes.ReusableMaterials:
    return _service().reusable_materials(principal, case_id)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/materials/reuse",
    summary="Reuse one of my accepted materials (with consent)",
    description=(
        "Puts a file from `/reusable-materials` into its slot. `consent: true` is required; the consent (which "
        "file, from which case, until when) is recorded on the case timeline, with the case and the "
        "`case.material_reused` event in one transaction. The stored file is copied into the case and its "
        "SHA-256 checked against the one recorded at acceptance. Only the applicant's own files are found "
        "(404 otherwise); a file past its validity is refused (409). Reusing the same file twice is harmless."
    ),
    tags=[APPLY_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={
        200: _ok("The case's materials"),
        409: _problem(
            "Not editable now, changed meanwhile, past its validity (case.reusable_material_expired), or the "
            "stored file no longer matches its SHA-256 (case.reusable_material_changed)"
        ),
        422: _problem("Unknown slot, or the slot does not take the file's format or size (case.invalid_material)"),
        **_RECORD,
        404: _problem(
            "No such case or not the caller's (case.not_found); not one of the applicant's reusable files "
            "(case.reusable_material_not_found)"
        ),
    },
)
def reuse_material(
    principal: Principal, case_id: CaseId, body: Annotated[shapes.ReuseRequest, Body()]
) -> shapes.MaterialInfo:
    return _service().reuse_material(principal, case_id, body, correlation_id=correlation_id())


def _submit(
    principal: Principal, case_id: str, body: shapes.SubmitRequest | None, key: str | None, action: CaseAction
) -> Receipt:
    return _service().submit(
        principal,
        case_id,
        body or shapes.SubmitRequest(),
        idempotency_key=key,
        correlation_id=correlation_id(),
        action=action,
    )


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/submit",
    summary="Submit the application (申报)",
    description=(
        "Submits the draft: one transaction writes the case, its timeline entry and the `case.submitted` event. "
        "Automatic pre-review follows on a queue; the result arrives in the message center. With "
        "`Idempotency-Key`, the same key and body return the first receipt and another body is refused (409)."
    ),
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        200: _ok("The receipt: case number, state, Art. 32 intake day"),
        409: _problem(
            "Not a draft, changed meanwhile, or key reused (case.transition_not_allowed, idempotency_key_reused); "
            "a renewal too late (case.renewal_too_late) or of a licence another renewal case holds "
            "(case.renewal_pending)"
        ),
        422: _problem("The item was retired meanwhile (case.item_not_available)"),
        **_RECORD,
    },
)
def submit(
    principal: Principal,
    case_id: CaseId,
    body: Annotated[shapes.SubmitRequest | None, Body(description="Optional: the case version reviewed.")] = None,
    idempotency_key: IdempotencyKey = None,
) -> Receipt:
    return _submit(principal, case_id, body, idempotency_key, CaseAction.SUBMIT)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/supplement",
    summary="Resubmit after supplementing (补正提交)",
    description=(
        "After the one-time notice (一次性告知), the applicant changes the form and materials and resubmits; "
        "the case is pre-reviewed again. Same idempotency rules as submission."
    ),
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={
        200: _ok("The receipt"),
        409: _problem("Not awaiting supplements (case.transition_not_allowed, idempotency_key_reused)"),
        **_RECORD,
    },
)
def supplement(
    principal: Principal,
    case_id: CaseId,
    body: Annotated[shapes.SubmitRequest | None, Body(description="Optional: the case version reviewed.")] = None,
    idempotency_key: IdempotencyKey = None,
) -> Receipt:
    return _submit(principal, case_id, body, idempotency_key, CaseAction.SUPPLEMENT)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/withdraw",
    summary="Withdraw the application (撤回)",
    description="Withdraws the application before a decision, with a reason.",
    tags=[APPLY_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The withdrawn case"), **_CONFLICT, **_RECORD},
)
def withdraw(principal: Principal, case_id: CaseId, body: Annotated[ReasonRequest, Body()]) -> CaseDetail:
    return _service().withdraw(principal, case_id, body, correlation_id=correlation_id())


# --- my cases --------------------------------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/cases",
    summary="List my cases",
    description=(
        "The caller's cases, newest first (user center, C13); an agent sees the cases of the enterprise it acts "
        "for. Paged with `limit` and the opaque `cursor`."
    ),
    tags=[CASES_TAG],
    access=Access.APPLICANT,
    scoped=True,
    responses={200: _ok("A page of cases"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def my_cases(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[CaseSummary]:
    return _service().my_cases(principal, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/cases/<case_id>",
    summary="Read a case",
    description=(
        "State, deadlines, what must happen next (required actions), the current one-time notice, the materials "
        "and the timeline. The applicant, the department's staff in scope, supervisors of the region and the "
        "hall staff who took it in may read it."
    ),
    tags=[CASES_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("The case"), **_RECORD},
)
def get_case(principal: Principal, case_id: CaseId) -> CaseDetail:
    return _service().detail(principal, case_id)


@route(
    router,
    "GET",
    "/v1/cases/<case_id>/timeline/verify",
    summary="Verify the case's timeline",
    description=(
        "Recomputes the timeline's hash chain (each entry's SHA-256 covers the previous entry's hash) and compares "
        "its end with the head the case holds: any changed, removed or reordered entry is reported."
    ),
    tags=[CASES_TAG],
    access=Access.AUTHENTICATED,
    scoped=True,
    responses={200: _ok("Whether the chain verifies, and where it breaks"), **_RECORD},
)
def verify_timeline(principal: Principal, case_id: CaseId) -> TimelineVerification:
    return _service().verify_timeline(principal, case_id)


# --- intake by the department ----------------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/work-queue",
    summary="The department's intake work queue",
    description=(
        "Cases of the caller's department, within the caller's region, waiting for an intake decision, oldest "
        "first, with the Art. 32 day after which they count as accepted (视为受理)."
    ),
    tags=[INTAKE_TAG],
    access=Access.STAFF,
    responses={200: _ok("A page of cases, oldest first"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def work_queue(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[WorkQueueEntry]:
    return _service().work_queue(principal, limit=limit, cursor=cursor)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/accept",
    summary="Accept the application (受理)",
    description=(
        "Accepts a pre-reviewed case: the legal clock starts, with the promised and legal completion dates counted "
        "in working days on the holiday calendar."
    ),
    tags=[INTAKE_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The accepted case with its deadlines"), **_CONFLICT, **_RECORD},
)
def accept(
    principal: Principal,
    case_id: CaseId,
    body: Annotated[AcceptRequest | None, Body(description="Optional note and version.")] = None,
) -> CaseDetail:
    return _service().accept(principal, case_id, body or AcceptRequest(), correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/refuse",
    summary="Refuse to accept (不予受理)",
    description="Refuses the application at intake, with the reason the applicant is told.",
    tags=[INTAKE_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The refused case"), **_CONFLICT, **_RECORD},
)
def refuse(principal: Principal, case_id: CaseId, body: Annotated[ReasonRequest, Body()]) -> CaseDetail:
    return _service().refuse(principal, case_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/request-supplement",
    summary="Ask for supplements (一次性告知)",
    description="Staff list everything the applicant must supplement, in one notice.",
    tags=[INTAKE_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The case awaiting supplements"), **_CONFLICT, **_RECORD},
)
def request_supplement(
    principal: Principal, case_id: CaseId, body: Annotated[shapes.StaffSupplementRequest, Body()]
) -> CaseDetail:
    return _service().request_supplement(principal, case_id, body, correlation_id=correlation_id())


# --- review, the clock, joint approval, decision -----------------------------------------------

REVIEW_TAG = "Review 审查与决定"
SUPERVISION_TAG = "Supervision 效能监察"
_NOTE = Annotated[AcceptRequest | None, Body(description="Optional note and version.")]


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/start-review",
    summary="Start the review (开始审查)",
    description="Staff of the implementing department take an accepted case into review.",
    tags=[REVIEW_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The case in review"), **_CONFLICT, **_RECORD},
)
def start_review(principal: Principal, case_id: CaseId, body: _NOTE = None) -> CaseDetail:
    return _service().start_review(principal, case_id, body or AcceptRequest(), correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/suspend",
    summary="Stop the clock for a special procedure (中止计时, Art. 45)",
    description=(
        "Hearing, inspection, testing, appraisal, expert review … are not counted: the clock stops. The reason "
        "and the expected duration are told to the applicant; the suspension is kept in the case's history."
    ),
    tags=[REVIEW_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The suspended case"),
        409: _problem(
            "Wrong state, already suspended, not accepted (case.transition_not_allowed, "
            "case.clock_already_suspended, case.clock_not_started, case.changed_concurrently)"
        ),
        **_RECORD,
    },
)
def suspend(principal: Principal, case_id: CaseId, body: Annotated[shapes.SuspendRequest, Body()]) -> CaseDetail:
    return _service().suspend(principal, case_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/resume",
    summary="Restart the clock (恢复计时)",
    description="Every deadline moves by the working days spent suspended.",
    tags=[REVIEW_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The case back in review with its moved deadlines"), **_CONFLICT, **_RECORD},
)
def resume(principal: Principal, case_id: CaseId, body: _NOTE = None) -> CaseDetail:
    return _service().resume(principal, case_id, body or AcceptRequest(), correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/extension-request",
    summary="Request extending the legal limit (申请延长期限, Art. 42)",
    description=(
        "Staff of the implementing (lead) department ask for the one extension the law allows: +10 working days, "
        "+15 for joint handling, with a reason. The request is recorded on the case and its timeline and waits for "
        "a supervisor of the region; the applicant is told only when it is approved, and only approval moves the "
        "legal limit."
    ),
    tags=[REVIEW_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The case with its pending extension request"),
        409: _problem(
            "Already extended or already requested, clock not started, wrong state (case.clock_already_extended, "
            "case.extension_already_requested, case.clock_not_started, case.transition_not_allowed)"
        ),
        **_RECORD,
    },
)
def request_extension(principal: Principal, case_id: CaseId, body: Annotated[ReasonRequest, Body()]) -> CaseDetail:
    return _service().request_extension(principal, case_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/extend",
    summary="Approve the extension request (批准延长期限, Art. 42)",
    description=(
        "A supervisor whose region covers the case approves the department's pending extension request: the legal "
        "limit moves by +10 working days, +15 for joint handling. `reason` is what the applicant is told (default: "
        "the request's reason). Only supervisors approve (staff get 403); nobody approves their own request "
        "(403 case.extension_self_approval)."
    ),
    tags=[REVIEW_TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={
        200: _ok("The case with its extended legal limit"),
        409: _problem(
            "No pending request, already extended, wrong state (case.extension_not_requested, "
            "case.clock_already_extended, case.transition_not_allowed)"
        ),
        **_RECORD,
    },
)
def extend(
    principal: Principal,
    case_id: CaseId,
    body: Annotated[shapes.ExtendRequest | None, Body(description="Optional reason and version.")] = None,
) -> CaseDetail:
    return _service().extend(principal, case_id, body or shapes.ExtendRequest(), correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/extension-request/reject",
    summary="Reject the extension request (不批准延期)",
    description=(
        "A supervisor whose region covers the case does not approve the pending extension request, with a reason "
        "for the department (on the case's timeline). The legal limit stays; the department may ask again."
    ),
    tags=[REVIEW_TAG],
    access=Access.SUPERVISOR,
    scoped=True,
    responses={
        200: _ok("The case without the request"),
        409: _problem("No pending request, wrong state (case.extension_not_requested, case.transition_not_allowed)"),
        **_RECORD,
    },
)
def reject_extension(principal: Principal, case_id: CaseId, body: Annotated[ReasonRequest, Body()]) -> CaseDetail:
    return _service().reject_extension(principal, case_id, body, correlation_id=correlation_id())


@route(
    router,
    "GET",
    "/v1/joint-tasks",
    summary="My department's open joint tasks (并联审批待办)",
    description=(
        "Open joint-approval tasks of the caller's department (a co-department of joint items), soonest due first: "
        "case id and number, item, and the task's own due date. Each department sees only its own tasks. Paged "
        "with `limit` and the opaque `cursor`."
    ),
    tags=[REVIEW_TAG],
    access=Access.STAFF,
    responses={200: _ok("A page of open tasks"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def joint_tasks(principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[JointTaskEntry]:
    return _service().joint_tasks(principal, limit=limit, cursor=cursor)


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/joint-task",
    summary="Give a co-department's opinion (并联审批意见)",
    description=(
        "Staff of a co-department of a joint item agree or disagree on their own task, with reasons; a "
        "disagreement reaches the lead department with its reason. Each department sees only its own task."
    ),
    tags=[REVIEW_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The case as the co-department sees it"),
        409: _problem("Task already decided, not a joint case, wrong state (case.task_already_decided, …)"),
        **_RECORD,
    },
)
def joint_task(principal: Principal, case_id: CaseId, body: Annotated[shapes.TaskOpinionRequest, Body()]) -> CaseDetail:
    return _service().task_opinion(principal, case_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/decide",
    summary="Decide (准予 / 不予许可)",
    description=(
        "Staff of the implementing (lead) department approve or deny with reasons the applicant reads; a decision "
        "document (PDF) is produced. A joint case is decided once, after every co-department's task is done "
        "(409 case.joint_tasks_open otherwise). Two staff deciding at once: one wins, the other gets 409."
    ),
    tags=[REVIEW_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={
        200: _ok("The decided case with its decision and a short-lived document link"),
        409: _problem(
            "Wrong state, open joint tasks, changed meanwhile (case.transition_not_allowed, case.joint_tasks_open, "
            "case.changed_concurrently, case.version_mismatch)"
        ),
        **_RECORD,
    },
)
def decide(principal: Principal, case_id: CaseId, body: Annotated[DecideRequest, Body()]) -> CaseDetail:
    return _service().decide(principal, case_id, body, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/cases/<case_id>/complete",
    summary="Complete the case (办结)",
    description="Closes a decided case.",
    tags=[REVIEW_TAG],
    access=Access.STAFF,
    scoped=True,
    responses={200: _ok("The completed case"), **_CONFLICT, **_RECORD},
)
def complete(principal: Principal, case_id: CaseId, body: _NOTE = None) -> CaseDetail:
    return _service().complete(principal, case_id, body or AcceptRequest(), correlation_id=correlation_id())


@route(
    router,
    "GET",
    "/v1/supervision/extension-requests",
    summary="Extension requests waiting for approval (延期审批)",
    description=(
        "Pending extension requests of cases within the supervisor's region prefix, oldest first, with the legal "
        "due date an approval would move. Approve with `POST /v1/cases/{case_id}/extend`, reject with "
        "`POST /v1/cases/{case_id}/extension-request/reject`. Paged with `limit` and the opaque `cursor`."
    ),
    tags=[SUPERVISION_TAG],
    access=Access.SUPERVISOR,
    responses={200: _ok("A page of pending requests"), 400: _problem("Bad cursor (invalid_cursor)"), **_ROLE},
)
def extension_requests(
    principal: Principal, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[ExtensionRequestEntry]:
    return _service().extension_requests(principal, limit=limit, cursor=cursor)
