"""What a department system sends us (partner-inbound, `DepartmentSystemInboundQueue`),
one model per kind; their JSON Schemas are in the registry as
`department_system.<kind>` (D-235).

Every message: `partner` (its registered id), `message_id` (unique per
partner; a second message with the same id is a replay), `sent_at` (RFC 3339;
outside the freshness window it is stale), `kind`, `schema_version`,
`case_id`, a kind-specific `body`, and `signature` (detached JWS over the
rest, shared/exchange/signing.py).

- `accepted`        受理: the department accepted the application;
- `review_started`  审查: the review began;
- `decided`         决定: approved or denied, with the reasons and the
                    department's decision document reference (文书文号);
- `completed`       办结: nothing left to do;
- `licence_issued`  证照: the licence the department issued (kept in the
                    message log; the e-licence itself is the licences context's).

What we send it (partner-outbound, its own queue): the bus events of the
cases context for its department's cases — `case.submitted`, `case.accepted`,
`case.supplement_required`, `case.withdrawn` — as EventBridge delivers them
(`detail` is the envelope, schema `case.<type>/<version>`).
"""

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Text = Annotated[str, Field(min_length=2, max_length=500)]


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    partner: str = Field(max_length=41)
    message_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    sent_at: dt.datetime
    schema_version: Literal[1] = 1
    case_id: str = Field(pattern=r"^[0-9A-Z]{26}$")
    signature: str = Field(max_length=400, description="Detached JWS (ES256) over the canonical message.")


class NoteBody(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    note: Text | None = None


class DecisionBody(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    outcome: Literal["approved", "denied"]
    reason: Annotated[str, Field(min_length=2, max_length=440)]
    document_number: str = Field(min_length=2, max_length=64, description="The department's decision document (文号).")


class LicenceBody(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    licence_number: str = Field(min_length=2, max_length=64)
    licence_name: str = Field(min_length=2, max_length=100)
    valid_to: dt.date | None = None


class Accepted(_Message):
    kind: Literal["accepted"]
    body: NoteBody = NoteBody.model_construct()  # built with the first message, not at import


class ReviewStarted(_Message):
    kind: Literal["review_started"]
    body: NoteBody = NoteBody.model_construct()  # built with the first message, not at import


class Decided(_Message):
    kind: Literal["decided"]
    body: DecisionBody


class Completed(_Message):
    kind: Literal["completed"]
    body: NoteBody = NoteBody.model_construct()  # built with the first message, not at import


class LicenceIssued(_Message):
    kind: Literal["licence_issued"]
    body: LicenceBody


DepartmentMessage = Annotated[
    Accepted | ReviewStarted | Decided | Completed | LicenceIssued, Field(discriminator="kind")
]
MESSAGE = TypeAdapter(DepartmentMessage, config=ConfigDict(defer_build=True))  # built on the first message

KINDS: dict[str, type[BaseModel]] = {
    "accepted": Accepted,
    "review_started": ReviewStarted,
    "decided": Decided,
    "completed": Completed,
    "licence_issued": LicenceIssued,
}
MEANINGS = {
    "accepted": "受理: the department system accepted the application.",
    "review_started": "审查: the department system began the review.",
    "decided": "决定: approved or denied, with reasons and the decision document reference.",
    "completed": "办结: the department system finished the case.",
    "licence_issued": "证照: the licence the department issued (kept in the message log).",
}
