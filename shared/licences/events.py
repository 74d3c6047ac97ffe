"""Events the licences context publishes (source `jszw.licences`), through the
outbox in the same transaction as the change they describe.

| type                  | when                                              | consumers |
|-----------------------|---------------------------------------------------|-----------|
| `licence.issued`      | issued for an approved case        | case_progress_worker, notifications, publisher |
| `licence.suspended`   | the issuing department suspended it, with reason  | notifications, publisher |
| `licence.reinstated`  | the issuing department lifted the suspension      | notifications, publisher |
| `licence.revoked`     | the issuing department revoked it, with reason    | notifications, publisher |
| `licence.replaced`    | a new version replaced it (换发)                  | notifications, publisher |
| `licence.expiring`    | renewal reminder, 30 days before expiry (Art. 50) | notifications |
| `licence.expired`     | the daily sweep marked it expired                 | notifications |
| `licence.renewal_pending` | a renewal (延续) was applied for in time (case.submitted naming it) | — |
| `licence.renewal_ended`   | refused, withdrawn or not accepted; a deemed-renewed licence expires | — |
| `licence.deemed_renewed`  | expiry passed with the renewal undecided: valid as renewed (Art. 50(2)) | — |
| `licence_type.changed`| an operator added or changed a licence type       | (none yet; audit trail) |

`publisher` is licence_publisher (status list and trust list).
`subject` is the licence id (the type code for `licence_type.changed`). Data never holds a holder's ID number or name;
`notify_subject_id` is the inbox to tell (the natural person who applied).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from shared.platform.events import Envelope, make_envelope, register_event_type

if TYPE_CHECKING:  # the licence model (29 classes) stays out of the consumers' cold start
    from shared.licences.models import Licence

SOURCE = "licences"
ISSUED = "licence.issued"
SUSPENDED = "licence.suspended"
REINSTATED = "licence.reinstated"
REVOKED = "licence.revoked"
REPLACED = "licence.replaced"
EXPIRING = "licence.expiring"
EXPIRED = "licence.expired"
LICENCE_TYPE_CHANGED = "licence_type.changed"
RENEWAL_PENDING = "licence.renewal_pending"
RENEWAL_ENDED = "licence.renewal_ended"
DEEMED_RENEWED = "licence.deemed_renewed"

STATUS_EVENTS = (ISSUED, SUSPENDED, REINSTATED, REVOKED, REPLACED)
"""Events after which the published status list (and trust list) is rewritten."""


class LicenceFacts(BaseModel):
    model_config = ConfigDict(defer_build=True)

    licence_id: str
    identifier: str
    type_code: str
    type_name: str
    number: str
    issuer_uscc: str
    issuer_name: str
    issuer_department_id: str
    case_id: str
    case_number: str
    holder_uscc: str | None = None
    notify_subject_id: str
    status: str
    valid_to: dt.date | None = None
    status_list: str
    version: int


class StatusChangedData(LicenceFacts):
    reason: str
    changed_by: str
    replaced_by: str | None = None
    replaced_by_identifier: str | None = None


class ExpiringData(LicenceFacts):
    days_left: int


class RenewalData(LicenceFacts):
    renewal_case_id: str
    reason: str | None = None  # renewal_ended: the case's outcome (`denied`, `withdrawn`, `refused_at_intake`)


class LicenceTypeChangedData(BaseModel):
    """The licence type as it is after the change (version 1: it was added)."""

    model_config = ConfigDict(defer_build=True)

    code: str
    name: str
    category: str
    validity_years: int | None = None
    status: str
    version: int
    changed_by: str  # the operator's subject id, or `seed`


register_event_type(ISSUED, LicenceFacts, "An e-licence was issued for an approved case (制证完成).")
register_event_type(SUSPENDED, StatusChangedData, "The issuing department suspended a licence (暂扣), with reason.")
register_event_type(REINSTATED, StatusChangedData, "The issuing department lifted a licence's suspension (恢复).")
register_event_type(REVOKED, StatusChangedData, "The issuing department revoked a licence (撤销/吊销), with reason.")
register_event_type(REPLACED, StatusChangedData, "A new version of a licence replaced this one (换发).")
register_event_type(EXPIRING, ExpiringData, "A licence expires soon; apply for renewal (Art. 50: 30 days before).")
register_event_type(EXPIRED, LicenceFacts, "A licence passed its end of validity (已过期).")
register_event_type(RENEWAL_PENDING, RenewalData, "A renewal of the licence was applied for in time (延续, Art. 50).")
register_event_type(RENEWAL_ENDED, RenewalData, "The pending renewal was refused, withdrawn or not accepted.")
register_event_type(
    DEEMED_RENEWED, RenewalData, "The licence expired with its renewal undecided: deemed renewed (视为准予延续)."
)
register_event_type(
    LICENCE_TYPE_CHANGED,
    LicenceTypeChangedData,
    "An operator added, changed or retired a type in the licence-type directory (证照目录).",
)


def facts(licence: Licence) -> dict[str, object]:
    return LicenceFacts(
        licence_id=licence.licence_id,
        identifier=licence.identifier,
        type_code=licence.type_code,
        type_name=licence.type_name,
        number=licence.number,
        issuer_uscc=licence.issuer_uscc,
        issuer_name=licence.issuer_name,
        issuer_department_id=licence.issuer_department_id,
        case_id=licence.case_id,
        case_number=licence.case_number,
        holder_uscc=licence.holder_uscc,
        notify_subject_id=licence.holder_subject_id,
        status=licence.status.value,
        valid_to=licence.valid_to,
        status_list=licence.status_list,
        version=licence.version,
    ).model_dump(mode="json")


def envelope(
    event_type: str, licence: Licence, data: BaseModel | dict[str, object], correlation_id: str | None
) -> Envelope:
    return make_envelope(SOURCE, event_type, licence.licence_id, data, correlation_id)
