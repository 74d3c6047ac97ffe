"""Who may do what on a case (record scope, `shared.platform.principal.decide`).

- the applicant (the citizen who filed, or any agent of the enterprise filed
  for) reads the case and acts on the applicant's side; anyone else gets 404;
- hall staff who took the case in (同城通办) act on the applicant's side too;
- staff of the implementing department, within their region, read it and
  decide; supervisors read within their region;
- staff of a co-department (joint items) read the case with only their own
  task and give their task's opinion;
- a supervisor whose region prefix covers the case approves an extension
  (staff get 403 `case.extension_needs_approval`).

Whoever may not read the case gets 404 `case.not_found`, exactly the answer
for a case that does not exist (no existence oracle); 403 is only for
callers who can see the case but may not do this to it.

Pure: every check takes the case already loaded.
"""

from __future__ import annotations

from shared.cases.errors import CASE_NOT_FOUND, EXTENSION_NEEDS_APPROVAL
from shared.cases.models import ApplicantKind, Case, JointTask
from shared.platform.errors import Forbidden, NotFound
from shared.platform.principal import (
    APPLICANT_ROLES,
    Action,
    Decision,
    Principal,
    RecordScope,
    Role,
    decide,
    ensure,
    within_region,
)

AGENT_CASES_SCOPE = "cases"
# USCC registration authority + type pairs that are not legal persons (其他组织), GB 32100
_OTHER_ORGANISATION_TYPES = frozenset({"19", "92", "93", "59", "79", "89", "99", "N9", "Y1"})


class Actor:
    """Who performs a transition, as the timeline records it (role + masked identity)."""

    # a plain class: a frozen dataclass compiles its generated methods at import (~0.6 ms, D-317)
    __slots__ = ("label", "role")

    def __init__(self, role: str, label: str) -> None:
        self.role = role
        self.label = label


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


def _ensure(principal: Principal, case: Case, action: Action) -> None:
    """`ensure` with the case's own 404 code: a refusal reads exactly like a missing case."""
    try:
        ensure(principal, _scope_of(case), action)
    except NotFound:
        raise NotFound(CASE_NOT_FOUND) from None


def ensure_can_read(principal: Principal, case: Case) -> None:
    """Anyone with a say on the case, or a co-department with a task on it; 404 `case.not_found` otherwise."""
    if _took_it_in(principal, case) or task_of(principal, case) is not None:
        return
    _ensure(principal, case, Action.READ)


def ensure_applicant_side(principal: Principal, case: Case) -> None:
    """The applicant, or the hall staff who took the case in; 403 for others who can
    see the case, 404 for everyone else."""
    if _took_it_in(principal, case):
        return
    if principal.role in APPLICANT_ROLES:
        _ensure(principal, case, Action.WRITE)
        return
    ensure_can_read(principal, case)
    raise Forbidden()


def ensure_applicant_in_person(principal: Principal, case: Case) -> None:
    """The applicant themself: only they can consent to the use of their own licences."""
    if principal.role not in (Role.CITIZEN, Role.AGENT):
        raise Forbidden()
    ensure_applicant_side(principal, case)


def ensure_department_side(principal: Principal, case: Case) -> None:
    """Staff of the implementing department within their region; 403 for others who can
    see the case (its applicant, a supervisor, a co-department), 404 for everyone else."""
    if principal.role is Role.STAFF and decide(principal, _scope_of(case), Action.WRITE) is Decision.ALLOW:
        return
    ensure_can_read(principal, case)
    raise Forbidden()


def ensure_non_applicant(principal: Principal, case: Case) -> None:
    """404 for whoever cannot see the case; 403 for its applicants (staff-only actions)."""
    ensure_can_read(principal, case)
    if principal.role in APPLICANT_ROLES:
        raise Forbidden()


def ensure_supervisor_of(principal: Principal, case: Case) -> None:
    """A supervisor whose region covers the case (staff: 403 `case.extension_needs_approval`)."""
    ensure_non_applicant(principal, case)
    if principal.role is not Role.SUPERVISOR:
        raise Forbidden(EXTENSION_NEEDS_APPROVAL)
    if not within_region(principal.region_prefix, case.item.region_code):
        raise Forbidden()
