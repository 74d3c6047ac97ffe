"""Who may do what on a case (record scope, `shared.platform.principal.decide`).

- the applicant (the citizen who filed, or any agent of the enterprise filed
  for) reads the case and acts on the applicant's side; anyone else gets 404;
- hall staff who took the case in (同城通办) act on the applicant's side too;
- staff of the implementing department, within their region, read it and
  decide; other staff get 403; supervisors read within their region;
- staff of a co-department (joint items) read the case with only their own
  task and give their task's opinion;
- a supervisor whose region prefix covers the case approves an extension
  (staff get 403 `case.extension_needs_approval`).

Pure: every check takes the case already loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.cases.errors import CASE_NOT_FOUND, EXTENSION_NEEDS_APPROVAL
from shared.cases.models import ApplicantKind, Case, JointTask
from shared.platform.errors import Forbidden, NotFound
from shared.platform.principal import (
    APPLICANT_ROLES,
    Action,
    Principal,
    RecordScope,
    Role,
    ensure,
    require_role,
    within_region,
)

AGENT_CASES_SCOPE = "cases"
# USCC registration authority + type pairs that are not legal persons (其他组织), GB 32100
_OTHER_ORGANISATION_TYPES = frozenset({"19", "92", "93", "59", "79", "89", "99", "N9", "Y1"})


@dataclass(frozen=True)
class Actor:
    """Who performs a transition, as the timeline records it (role + masked identity)."""

    role: str
    label: str


def mask_subject(subject_id: str) -> str:
    """An account id as the timeline shows it: enough to tell people apart, not to look them up."""
    return subject_id[:4] + "****" + subject_id[-4:] if len(subject_id) > 8 else "****"


def actor_of(principal: Principal) -> Actor:
    masked = mask_subject(principal.subject_id)
    match principal.role:
        case Role.AGENT:
            return Actor(principal.role.value, f"agent:{masked} for {principal.acting_for}")
        case Role.STAFF:
            return Actor(principal.role.value, f"staff:{masked}@{principal.department_id}")
        case _:
            return Actor(principal.role.value, f"{principal.role.value}:{masked}")


def applicant_kind_of(principal: Principal) -> ApplicantKind:
    """自然人 for citizens; for an agent, what the enterprise's USCC says it is."""
    if principal.role is Role.AGENT and principal.acting_for:
        return applicant_kind_of_uscc(principal.acting_for)
    return "natural_person"


def applicant_kind_of_uscc(uscc: str) -> ApplicantKind:
    """法人 unless the USCC's authority+type digits mark an 其他组织 (GB 32100)."""
    return "other_organization" if uscc[:2] in _OTHER_ORGANISATION_TYPES else "legal_person"


def _scope_of(case: Case) -> RecordScope:
    return RecordScope(
        applicant_subject_id=case.applicant.subject_id,
        applicant_uscc=case.applicant.uscc or "",
        department_id=case.item.department_id,
        region_code=case.item.region_code,
        required_scope=AGENT_CASES_SCOPE,
    )


def _took_it_in(principal: Principal, case: Case) -> bool:
    return (
        principal.role is Role.STAFF
        and case.taken_in_by is not None
        and case.taken_in_by.subject_id == principal.subject_id
    )


def task_of(principal: Principal, case: Case) -> JointTask | None:
    """The joint task of the caller's department on this case, if any."""
    if principal.role is not Role.STAFF or not within_region(principal.region_prefix, case.item.region_code):
        return None
    return next((t for t in case.joint_tasks if t.department_id == principal.department_id), None)


def ensure_can_read(principal: Principal, case: Case) -> None:
    """Anyone with a say on the case, or a co-department with a task on it; 404 `case.not_found` otherwise
    (403 for staff of the same region who have no business with it)."""
    if _took_it_in(principal, case) or task_of(principal, case) is not None:
        return
    try:
        ensure(principal, _scope_of(case), Action.READ)
    except NotFound:
        raise NotFound(CASE_NOT_FOUND) from None


def ensure_applicant_side(principal: Principal, case: Case) -> None:
    """The applicant, or the hall staff who took the case in; others 404 (applicants) or 403."""
    if _took_it_in(principal, case):
        return
    if principal.role in APPLICANT_ROLES:
        ensure(principal, _scope_of(case), Action.WRITE)
        return
    raise Forbidden()


def ensure_applicant_in_person(principal: Principal, case: Case) -> None:
    """The applicant themself: only they can consent to the use of their own licences."""
    if principal.role not in (Role.CITIZEN, Role.AGENT):
        raise Forbidden()
    ensure_applicant_side(principal, case)


def ensure_department_side(principal: Principal, case: Case) -> None:
    """Staff of the implementing department within their region; others 403 (404 for applicants)."""
    if principal.role in APPLICANT_ROLES:
        ensure(principal, _scope_of(case), Action.READ)  # 404 unless it is their own case
        raise Forbidden()
    require_role(principal, Role.STAFF)
    ensure(principal, _scope_of(case), Action.WRITE)


def ensure_non_applicant(principal: Principal, case: Case) -> None:
    """Applicants get 404 for someone else's case and 403 for their own (staff-only actions)."""
    if principal.role in APPLICANT_ROLES:
        ensure_can_read(principal, case)
        raise Forbidden()


def ensure_supervisor_of(principal: Principal, case: Case) -> None:
    """A supervisor whose region covers the case (staff: 403 `case.extension_needs_approval`)."""
    ensure_non_applicant(principal, case)
    if principal.role is not Role.SUPERVISOR:
        raise Forbidden(EXTENSION_NEEDS_APPROVAL)
    if not within_region(principal.region_prefix, case.item.region_code):
        raise Forbidden()
