"""Request and response shapes of particular routes (D-317): what an applicant sends to
start, fill in and submit an application (hall intake, renewal, uploads, reuse and licence
materials) and what those routes answer, and the staff's bodies beyond accept, refuse and
decide (suspend, extend, joint-task opinion, supplement notice).

They live apart from `shared.cases.models` (the stored case, what every reader of it sees,
the staff's work lists and the three staff decisions a department system also sends) so
that a function that never serves these routes never creates them: the workers and the
department-system consumer import the models, and the use cases that only name a body
here import it for type checking. `NewCase` and hall intake check item codes against the
catalogue's configured code layout, so the catalogue's code tables load with this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.cases.models import (
    CASE_ID_PATTERN,
    MATERIAL_ID_PATTERN,
    MAX_VERSION,
    SHA256_HEX,
    SLOT_ID_PATTERN,
    AttachedMaterial,
    DecisionOutcome,
    Delivery,
    DeliveryMethod,
    Reason,
    SuspensionKind,
    _Input,
)
from shared.catalog import api as catalog

# the catalogue's pattern for the configured coding layout (D-113): one definition of the code
IMPLEMENTATION_CODE_FIELD = catalog.IMPLEMENTATION_CODE_PATTERN
USCC_FIELD = r"^[0-9A-HJ-NP-RTUWXY]{18}$"


# --- requests ---------------------------------------------------------------------------


class NewCase(_Input):
    """Body of `POST /v1/cases`: start a draft application for an item."""

    item_code: Annotated[str, Field(pattern=IMPLEMENTATION_CODE_FIELD, description="实施编码 of the item.")]
    delivery: Delivery = Field(default_factory=lambda: Delivery(method=DeliveryMethod.ELECTRONIC))
    form: dict[str, Any] | None = Field(
        default=None,
        description="The form filled in already (optional): checked as `PUT /v1/cases/{case_id}/form` checks it and"
        " stored with the draft, one request instead of two (D-327).",
    )
    applicable_conditions: list[Annotated[str, Field(pattern=SLOT_ID_PATTERN)]] = Field(
        default_factory=list,
        max_length=60,
        description="Conditional material slots whose condition applies to this applicant (适用情形), as in the PUT.",
    )

    def idempotency_payload(self) -> dict[str, Any]:
        """What an `Idempotency-Key` binds: the body as sent; a body without the form fields
        hashes as it did before they existed, so a retry across a deployment still matches."""
        optional = {"form", "applicable_conditions"} - self.model_fields_set
        return self.model_dump(mode="json", exclude=optional)


class RenewalRequest(_Input):
    """Body of `POST /v1/cases/renewals`: renew one of the caller's own licences (延续)."""

    licence_id: Annotated[
        str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="The licence to renew (from /v1/me/licences).")
    ]
    delivery: Delivery = Field(default_factory=lambda: Delivery(method=DeliveryMethod.ELECTRONIC))


class HallApplicant(_Input):
    """The person at the counter, as the clerk typed them or the ID-card reader read them."""

    id_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=15, max_length=20)] = Field(
        description="公民身份号码 (checked with GB 11643 and the population registry; never echoed)."
    )
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = Field(
        description="姓名, as on the ID card."
    )
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=11, max_length=20)] | None = Field(
        default=None,
        description="Needed only when the person has no account yet: they sign in with it to follow the case.",
    )
    source: Literal["typed", "id_card_reader"] = Field(
        default="typed", description="How the fields were entered (an ID-card reader fills the same fields)."
    )


class WrittenAuthorisation(_Input):
    """The 授权委托书 the person presents when acting for an enterprise without an online authorisation."""

    signed_on: dt.date = Field(description="The date on the letter.")
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class HallIntakeRequest(_Input):
    """Body of `POST /v1/hall/cases`: hall staff verify the applicant and take in a case (同城通办)."""

    item_code: Annotated[str, Field(pattern=IMPLEMENTATION_CODE_FIELD)]
    applicant: HallApplicant
    applicant_uscc: Annotated[str, Field(pattern=USCC_FIELD)] | None = Field(
        default=None,
        description="The enterprise applied for: the person must be its legal representative, an authorised agent"
        " (cases scope), or present a written authorisation.",
    )
    written_authorisation: WrittenAuthorisation | None = Field(
        default=None,
        description="Recorded by the clerk; the case then requires the letter as material `hall_power_of_attorney`.",
    )
    delivery: Delivery = Field(default_factory=lambda: Delivery(method=DeliveryMethod.PICKUP))
    ticket_id: Annotated[str, Field(pattern=CASE_ID_PATTERN)] | None = Field(
        default=None,
        description="The queue number the clerk called (取号/叫号): the case is taken in at that hall and window,"
        " for any item the window serves; without it, only city-level items of the clerk's city (同城通办).",
    )


class FormUpdate(_Input):
    """Body of `PUT /v1/cases/{case_id}/form`: the application form as it should be."""

    form: dict[str, Any] = Field(description="The form data, validated against the item's JSON Schema.")
    applicable_conditions: list[Annotated[str, Field(pattern=SLOT_ID_PATTERN)]] = Field(
        default_factory=list,
        max_length=60,
        description="Conditional material slots whose condition applies to this applicant (适用情形).",
    )
    delivery: Delivery | None = None
    version: int | None = Field(
        default=None, ge=1, le=MAX_VERSION, description="The case version edited; 409 if it moved on."
    )


class UploadRequest(_Input):
    """Body of `POST /v1/cases/{case_id}/materials`: ask to upload one file."""

    slot_id: Annotated[str, Field(pattern=SLOT_ID_PATTERN, description="The item's material slot.")]
    file_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    content_type: Annotated[str, Field(max_length=100, examples=["application/pdf"])]
    size_bytes: int = Field(ge=1, le=100 * 1024 * 1024)
    sha256: Annotated[str, Field(pattern=SHA256_HEX, description="Hex SHA-256 of the file (校验值).")]


MAX_FILES_PER_REQUEST = 61
"""Files one list request may name: an item lists at most 60 material slots (the catalogue) and a written
authorisation taken in at a hall adds one, so one file per slot always fits one request (D-331)."""


class UploadsRequest(_Input):
    """Body of `POST /v1/cases/{case_id}/materials/uploads`: ask to upload several files at once."""

    materials: list[UploadRequest] = Field(
        min_length=1,
        max_length=MAX_FILES_PER_REQUEST,
        description="One entry per file, as `POST .../materials` takes it; answered in the same order.",
    )


class ConfirmRequest(_Input):
    """Body of `POST /v1/cases/{case_id}/materials/confirm`: confirm several uploaded files at once."""

    material_ids: list[Annotated[str, Field(pattern=MATERIAL_ID_PATTERN)]] = Field(
        min_length=1,
        max_length=MAX_FILES_PER_REQUEST,
        description="The upload tickets' `material_id`s; one already recorded is skipped (confirming twice is "
        "harmless).",
    )


class SubmitRequest(_Input):
    """Body of `POST .../submit` and `.../supplement` (optional)."""

    version: int | None = Field(
        default=None, ge=1, le=MAX_VERSION, description="The case version reviewed before submitting."
    )


class LicenceMaterialRequest(BaseModel):
    """Fill a material slot with one of the applicant's own e-licences (免提交)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    slot_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["business_licence"])]
    licence_id: Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="From /v1/me/licences.")]
    purpose: Annotated[
        str | None,
        Field(default=None, min_length=2, max_length=200, description="Shown in the holder's usage log."),
    ] = None


class ReuseRequest(BaseModel):
    """Put one of my accepted materials into a slot of this application (consent required)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    slot_id: Annotated[str, Field(pattern=SLOT_ID_PATTERN, examples=["bank_account"])]
    sha256: Annotated[str, Field(pattern=SHA256_HEX, description="From the reusable list: names the file.")]
    consent: Literal[True] = Field(
        description="The applicant agrees that this file, accepted before, is used for this application."
    )
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION, description="The case version the applicant saw.")


class SuspendRequest(_Input):
    """中止计时 (Art. 45): the special procedure, why, and how long it is expected to take."""

    kind: SuspensionKind
    reason: Reason
    expected_working_days: int = Field(ge=1, le=250, description="Told to the applicant in writing.")
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class ExtendRequest(_Input):
    """延长期限 (Art. 42), the approval of a pending request by a supervisor of the case's
    region; `reason` is what the applicant is told (default: the request's reason)."""

    reason: Reason | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class TaskOpinionRequest(_Input):
    """A co-department's opinion on its joint task (同意 / 不同意), with reasons."""

    outcome: DecisionOutcome
    reason: Reason
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class StaffDeficiency(_Input):
    target: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] = Field(
        description="Material slot id or form field."
    )
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)]


class StaffSupplementRequest(_Input):
    """Body of `POST .../request-supplement`: staff list everything to supplement at once."""

    items: list[StaffDeficiency] = Field(min_length=1, max_length=60)
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


# --- responses --------------------------------------------------------------------------


class UploadTicket(BaseModel):
    """An S3 presigned POST: send `fields` plus the file (last) as multipart/form-data to `url`,
    then confirm with `POST /v1/cases/{case_id}/materials/{material_id}/confirm`."""

    model_config = ConfigDict(defer_build=True)

    material_id: str
    slot_id: str
    url: str
    fields: dict[str, str]
    max_size_bytes: int
    expires_at: AwareDatetime


class UploadTickets(BaseModel):
    """One presigned POST per file asked for, in the order asked."""

    model_config = ConfigDict(defer_build=True)

    case_id: str
    items: list[UploadTicket]


class MaterialInfo(BaseModel):
    """The case's material list after a change."""

    model_config = ConfigDict(defer_build=True)

    case_id: str
    version: int
    materials: list[AttachedMaterial]


class ReusableMaterial(BaseModel):
    """A file of mine an earlier case accepted that a slot of this case can take."""

    model_config = ConfigDict(defer_build=True)

    slot_id: str
    slot_name: str
    sha256: str
    file_name: str
    format: str
    size_bytes: int
    uploaded_at: dt.datetime
    valid_until: dt.date
    from_case_number: str


class ReusableMaterials(BaseModel):
    model_config = ConfigDict(defer_build=True)

    case_id: str
    items: list[ReusableMaterial]
