"""Cases ↔ e-licences (C15, 一次提交、多次复用): what the licences context needs
to know about a case, read here so that it never touches the Cases table.

- `case_for_licence_query`: a department's staff may query an applicant's
  licences only for a case their department handles (403 otherwise); this
  returns the case's applicant for the licences context to list and log.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.cases.errors import CASE_NOT_FOUND
from shared.cases.repository import CasesRepository
from shared.cases.service import ensure_department_side
from shared.cases.states import CaseState
from shared.platform.errors import Forbidden, NotFound
from shared.platform.principal import Principal


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
    case = (repository or CasesRepository()).get(case_id)
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    ensure_department_side(principal, case)
    if case.state is CaseState.DRAFT:
        raise Forbidden()
    return CaseApplicant(case.case_id, case.case_number, case.applicant.subject_id, case.applicant.uscc)
