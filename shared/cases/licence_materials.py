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

from shared.cases.ledger import CaseLedger
from shared.cases.policy import ensure_department_side
from shared.cases.repository import CasesRepository
from shared.cases.states import CaseState
from shared.platform.errors import Forbidden
from shared.platform.principal import Principal

LICENCE_MATERIAL_FORMAT = "e_licence"


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
