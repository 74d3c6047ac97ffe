"""Who is calling (调用主体) and what they may touch — checked in every function.

The API Gateway Lambda authorizer (functions/authorizer) verifies the access
token and passes the principal as `requestContext.authorizer`; functions read
it here with `principal_of(router)`. Every value there is a string (API
Gateway turns context values into strings), so `Principal.to_context()` and
`Principal.from_context()` are the one place that knows the field names.

Roles (角色):
- `citizen`     natural person acting for themselves (自然人);
- `agent`       a natural person acting for an enterprise (法人经办人), bound to
                the enterprise's USCC (`acting_for`) and the scopes the legal
                representative granted;
- `staff`       department staff (窗口/审批人员), bound to a department and a
                region code;
- `supervisor`  supervision (效能监督), reads within a region-code prefix;
- `operator`    runs the platform (平台运维): catalogue, calendar.
- `hotline_agent` a 12345 call-centre agent (话务员): opens tickets on a caller's
                behalf, records follow-up ratings (回访); sees no other records.

A department head (部门负责人) is staff with the `department_head` scope (D-207): the
staff routes still apply, and what only heads may read checks
`Principal.is_department_head`.

Scope by region-code prefix: `32` province, `3201` Nanjing, `320102` one
district, `320115001` one township (9-digit statistical code), `320115001201`
one village (12 digits). Record access is decided by `decide(principal, record, action)`:
anyone who may not read a record gets 404, exactly as for a record that does
not exist (conventions: don't reveal that the record exists; a 403 for staff of
another department was an existence oracle). 403 is left for a caller who can
see the record but may not do this to it (a supervisor writing).

Routes declare who may call them once, with `shared.platform.routing.route`
(access=...): it writes the OpenAPI extension (`x-jszw-access`, built by
`access_extension`) that lands in docs/openapi.json, so a role-matrix test can
walk every operation of the spec and know the expected outcome without a
hand-kept list, and enforces the level with `require_access`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from shared.platform.errors import Forbidden, NotFound, Unauthorized

if TYPE_CHECKING:  # the authorizer imports this module; keep the event handler out of its cold start
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

ACCESS_EXTENSION = "x-jszw-access"
DEPARTMENT_HEAD = "department_head"
"""The scope a department head's staff token carries (identity sets it from the account)."""


class Role(StrEnum):
    CITIZEN = "citizen"  # 自然人
    AGENT = "agent"  # 法人经办人 (acting for a USCC)
    STAFF = "staff"  # 部门工作人员
    SUPERVISOR = "supervisor"  # 监督人员
    OPERATOR = "operator"  # 平台运维人员
    HOTLINE_AGENT = "hotline_agent"  # 12345 话务员


APPLICANT_ROLES = frozenset({Role.CITIZEN, Role.AGENT})
WORKFORCE_ROLES = frozenset({Role.STAFF, Role.SUPERVISOR, Role.OPERATOR, Role.HOTLINE_AGENT})


class Access(StrEnum):
    """Who may call a route, as declared in the OpenAPI extension `x-jszw-access`."""

    PUBLIC = "public"  # no token (template: Auth Authorizer NONE)
    AUTHENTICATED = "authenticated"  # any valid token
    APPLICANT = "applicant"  # citizen or agent
    CITIZEN = "citizen"  # a natural person acting for themselves
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"
    HOTLINE_AGENT = "hotline_agent"


# Which roles pass each declared access level (a role-matrix test reads this).
ROLES_ALLOWED: Mapping[Access, frozenset[Role]] = {
    Access.PUBLIC: frozenset(Role),
    Access.AUTHENTICATED: frozenset(Role),
    Access.APPLICANT: APPLICANT_ROLES,
    Access.CITIZEN: frozenset({Role.CITIZEN}),
    Access.STAFF: frozenset({Role.STAFF}),
    Access.SUPERVISOR: frozenset({Role.SUPERVISOR}),
    Access.OPERATOR: frozenset({Role.OPERATOR}),
    Access.HOTLINE_AGENT: frozenset({Role.HOTLINE_AGENT}),
}


def access_extension(access: Access, *, scoped: bool = False) -> dict[str, Any]:
    """`openapi_extensions=` for a route: who may call it. `scoped=True` says the
    route further checks ownership or region scope per record (a caller of the
    right role may still get 403/404 for someone else's record)."""
    return {ACCESS_EXTENSION: {"roles": access.value, "record_scoped": scoped}}


def region_prefix(region_code: str) -> str:
    """The prefix that a division code covers, at any of the five levels:
    `320000` → `32`, `320100` → `3201`, `320102` → `320102`, a township
    `320115001` or village `320115001201` → itself (a 12-digit code ending in
    `000` is the division it names); a prefix is returned unchanged."""
    code = region_code.strip()
    if len(code) == 12 and code.isdigit():
        while len(code) > 6 and code.endswith("000"):
            code = code[:-3]
    if len(code) == 6 and code.isdigit():
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def within_region(prefix: str, region_code: str) -> bool:
    """True when `region_code` lies inside the area a prefix covers."""
    return bool(prefix) and region_code.startswith(prefix)


# the value classes here are NamedTuples, not frozen dataclasses: every API function creates them at cold start,
# and a NamedTuple class is created in about a fifth of the time (D-337)
class Principal(NamedTuple):
    """The caller as the authorizer saw them (主体). Empty strings mean "none"."""

    subject_id: str
    role: Role
    department_id: str = ""
    region_code: str = ""
    acting_for: str = ""  # USCC of the enterprise an agent acts for (代办企业)
    scopes: frozenset[str] = frozenset()  # what the agent may do for it
    session_id: str = ""

    @property
    def region_prefix(self) -> str:
        return region_prefix(self.region_code) if self.region_code else ""

    @property
    def is_department_head(self) -> bool:
        """Staff who head their department (部门负责人): they see its ranking."""
        return self.role is Role.STAFF and bool(self.department_id) and DEPARTMENT_HEAD in self.scopes

    def to_context(self) -> dict[str, str]:
        """The authorizer's `context` (string values only, as API Gateway requires)."""
        return {
            "sub": self.subject_id,
            "role": self.role.value,
            "department_id": self.department_id,
            "region_code": self.region_code,
            "acting_for": self.acting_for,
            "scope": " ".join(sorted(self.scopes)),
            "sid": self.session_id,
        }

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> Principal:
        """Read `requestContext.authorizer`; refuses with 401 when it is not a principal."""
        subject = str(context.get("sub") or "")
        try:
            role = Role(str(context.get("role") or ""))
        except ValueError as exc:
            raise Unauthorized() from exc
        if not subject:
            raise Unauthorized()
        return cls(
            subject_id=subject,
            role=role,
            department_id=str(context.get("department_id") or ""),
            region_code=str(context.get("region_code") or ""),
            acting_for=str(context.get("acting_for") or ""),
            scopes=frozenset(str(context.get("scope") or "").split()),
            session_id=str(context.get("sid") or ""),
        )


OPERATOR_COUNTY_PREFIX = 6
"""An operator whose region prefix is this long (or longer) works at county level (县级)."""


def operator_may_manage(principal: Principal, region_code: str, *, role: Role | None = None) -> bool:
    """Whether an operator manages what lies at `region_code` (D-291): a department, or with
    `role` an account of that role. Province (`32`), city (`3201`) and county (`320102`)
    operators manage inside their area only; a county operator manages staff accounts only;
    an operator account may be managed only from a level above it (a city operator manages its
    counties' operators, never another city operator nor the province's)."""
    if principal.role is not Role.OPERATOR or not principal.region_code or not region_code:
        return False
    own = principal.region_prefix
    target = region_prefix(region_code)
    if not within_region(own, target):
        return False
    if role is None:
        return True
    if len(own) >= OPERATOR_COUNTY_PREFIX and role is not Role.STAFF:
        return False
    return role is not Role.OPERATOR or len(target) > len(own)


def optional_principal(router: BaseRouter) -> Principal | None:
    """The caller's principal, or None on a public route (no authorizer ran)."""
    context = (router.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    if not isinstance(context, Mapping) or not context.get("sub"):
        return None
    return Principal.from_context(context)


def principal_of(router: BaseRouter) -> Principal:
    """The caller's principal; 401 when the request carries none."""
    found = optional_principal(router)
    if found is None:
        raise Unauthorized()
    return found


def require_role(router_or_principal: BaseRouter | Principal, *roles: Role | Iterable[Role]) -> Principal:
    """The principal if its role is one of `roles`; 401 without one, 403 otherwise."""
    principal = router_or_principal if isinstance(router_or_principal, Principal) else principal_of(router_or_principal)
    allowed: set[Role] = set()
    for entry in roles:
        allowed.update([entry] if isinstance(entry, Role) else entry)
    if principal.role not in allowed:
        raise Forbidden()
    return principal


def require_access(router: BaseRouter, access: Access) -> Principal:
    """Enforce a route's declared access level (the value its OpenAPI extension
    shows): 401 without a principal, 403 with a role the level does not admit."""
    if access is Access.PUBLIC:
        raise ValueError("a public route has no principal to require; use optional_principal")
    return require_role(router, ROLES_ALLOWED[access])


# --- record scope ---------------------------------------------------------------------


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


class Decision(StrEnum):
    ALLOW = "allow"
    NOT_FOUND = "not_found"  # the caller may not see the record: as if it did not exist
    FORBIDDEN = "forbidden"  # the caller sees the record but may not do this to it


class RecordScope(NamedTuple):
    """What a record (a case, a licence, a payment) belongs to, for access checks.

    `applicant_subject_id` is the natural person who filed it; `applicant_uscc`
    is set when it was filed for an enterprise (then every agent of that
    enterprise with `required_scope` may see it, and the filer sees it only
    while acting for it). `department_id`/`region_code` say who handles it.
    """

    applicant_subject_id: str = ""
    applicant_uscc: str = ""
    department_id: str = ""
    region_code: str = ""
    required_scope: str = ""  # the agent scope needed, e.g. "cases"


def decide(principal: Principal, record: RecordScope, action: Action = Action.READ) -> Decision:
    """The one rule for record access across the platform (no IDOR)."""
    match principal.role:
        case Role.CITIZEN:
            owns = not record.applicant_uscc and record.applicant_subject_id == principal.subject_id
            return Decision.ALLOW if owns and record.applicant_subject_id else Decision.NOT_FOUND
        case Role.AGENT:
            same_enterprise = bool(record.applicant_uscc) and record.applicant_uscc == principal.acting_for
            in_scope = not record.required_scope or record.required_scope in principal.scopes
            return Decision.ALLOW if same_enterprise and in_scope else Decision.NOT_FOUND
        case Role.STAFF:
            in_scope = (
                bool(principal.department_id)
                and record.department_id == principal.department_id
                and within_region(principal.region_prefix, record.region_code)
            )
            return Decision.ALLOW if in_scope else Decision.NOT_FOUND
        case Role.SUPERVISOR:
            if not within_region(principal.region_prefix, record.region_code):
                return Decision.NOT_FOUND
            return Decision.ALLOW if action is Action.READ else Decision.FORBIDDEN
        case _:
            # Operators run the platform; they do not read applicants' records.
            return Decision.NOT_FOUND


def ensure(principal: Principal, record: RecordScope, action: Action = Action.READ) -> None:
    """Raise the error `decide` calls for: 404 when the caller may not see the record,
    403 when they see it but may not do this."""
    decision = decide(principal, record, action)
    if decision is Decision.NOT_FOUND:
        raise NotFound()
    if decision is Decision.FORBIDDEN:
        raise Forbidden()


class ListingScope(NamedTuple):
    """The filter a list endpoint must apply for a principal (never "everything").

    An applicant lists their own records (subject) or their enterprise's
    (USCC); staff their department's within their region prefix; a supervisor
    everything within the region prefix. Operators get no listing of
    applicants' records (403).
    """

    applicant_subject_id: str = ""
    applicant_uscc: str = ""
    department_id: str = ""
    region_prefix: str = ""


def listing_scope(principal: Principal) -> ListingScope:
    match principal.role:
        case Role.CITIZEN:
            return ListingScope(applicant_subject_id=principal.subject_id)
        case Role.AGENT:
            return ListingScope(applicant_uscc=principal.acting_for)
        case Role.STAFF:
            return ListingScope(department_id=principal.department_id, region_prefix=principal.region_prefix)
        case Role.SUPERVISOR:
            return ListingScope(region_prefix=principal.region_prefix)
        case _:
            raise Forbidden()
