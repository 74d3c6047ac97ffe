"""Cases ↔ e-licences (C15, 一次提交、多次复用: never ask again for what can be
shared): what the licences context needs to know about a case, and a case's
use of the applicant's own licences — without either context touching the
other's table.

- attaching a licence (`Application.attach_licence`): a material slot the
  catalogue says a licence type can stand in for (`licence_type_code`) is
  filled from the applicant's own valid licence instead of an upload; the
  licences context checks the licence and records the consent (who, which
  licence, which case, purpose, when) through the `licences` port;
- pre-review (`intake.licence_results`) asks the licences context through the
  same port whether every licence a case refers to is still the applicant's
  and still valid;
- `case_for_licence_query`: a department's staff may query an applicant's
  licences only for a case their department handles (403 otherwise); this
  returns the case's applicant for the licences context to list and log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.cases.ledger import CaseLedger
from shared.cases.policy import ensure_department_side
from shared.cases.repository import CasesRepository
from shared.cases.states import CaseState
from shared.platform.errors import Forbidden, register_messages
from shared.platform.principal import Principal

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


def case_for_licence_query(
    principal: Principal, case_id: str, repository: CasesRepository | None = None
) -> CaseApplicant:
    """The applicant of a case the caller's department handles (not a draft): 404 for no
    such case, 403 outside the caller's department or region."""
    case = CaseLedger(repository).load(case_id)
    ensure_department_side(principal, case)
    if case.state is CaseState.DRAFT:
        raise Forbidden()
    return CaseApplicant(case.case_id, case.case_number, case.applicant.subject_id, case.applicant.uscc)
