"""The platform's access rules (shared.platform.principal): principal from the
authorizer context, roles, and record scope — table-driven over every role."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.platform.errors import Forbidden, NotFound, Unauthorized
from shared.platform.http import make_resolver
from shared.platform.principal import (
    ACCESS_EXTENSION,
    ROLES_ALLOWED,
    Access,
    Action,
    Decision,
    ListingScope,
    Principal,
    RecordScope,
    Role,
    access_extension,
    decide,
    ensure,
    listing_scope,
    region_prefix,
    require_role,
    within_region,
)
from shared.platform.routing import route
from tests.support.apigw import FakeContext, rest_event
from tests.unit.identity_fixtures import with_principal

DEMO_USCC = "91320102MA1W8K3R68"
OTHER_USCC = "91320505MA27QH4N9H"

CITIZEN_A = Principal(subject_id="A", role=Role.CITIZEN)
CITIZEN_B = Principal(subject_id="B", role=Role.CITIZEN)
AGENT = Principal(subject_id="G", role=Role.AGENT, acting_for=DEMO_USCC, scopes=frozenset({"cases"}))
AGENT_ELSEWHERE = Principal(subject_id="G", role=Role.AGENT, acting_for=OTHER_USCC, scopes=frozenset({"cases"}))
STAFF_XUANWU = Principal(subject_id="S1", role=Role.STAFF, department_id="320102-civil", region_code="320102")
STAFF_SUZHOU = Principal(subject_id="S2", role=Role.STAFF, department_id="320500-civil", region_code="320500")
STAFF_NANJING_CITY = Principal(subject_id="S3", role=Role.STAFF, department_id="320100-civil", region_code="320100")
SUPERVISOR_NANJING = Principal(subject_id="V", role=Role.SUPERVISOR, region_code="320100")
SUPERVISOR_PROVINCE = Principal(subject_id="P", role=Role.SUPERVISOR, region_code="320000")
OPERATOR = Principal(subject_id="O", role=Role.OPERATOR, region_code="320000")

# A's personal case handled in Xuanwu; an enterprise case of the demo USCC filed by G.
A_CASE = RecordScope(applicant_subject_id="A", department_id="320102-civil", region_code="320102")
ENTERPRISE_CASE = RecordScope(
    applicant_subject_id="G",
    applicant_uscc=DEMO_USCC,
    department_id="320102-civil",
    region_code="320102",
    required_scope="cases",
)
ENTERPRISE_PAYMENT = RecordScope(
    applicant_subject_id="G",
    applicant_uscc=DEMO_USCC,
    department_id="320102-tax",
    region_code="320102",
    required_scope="payments",
)

ALLOW, HIDDEN, FORBIDDEN = Decision.ALLOW, Decision.NOT_FOUND, Decision.FORBIDDEN


@pytest.mark.parametrize(
    ("who", "record", "action", "expected"),
    [
        # applicants: own records only; someone else's looks absent (404)
        (CITIZEN_A, A_CASE, Action.READ, ALLOW),
        (CITIZEN_A, A_CASE, Action.WRITE, ALLOW),
        (CITIZEN_B, A_CASE, Action.READ, HIDDEN),
        (CITIZEN_B, A_CASE, Action.WRITE, HIDDEN),
        (CITIZEN_A, ENTERPRISE_CASE, Action.READ, HIDDEN),
        # the filer sees the enterprise's case only while acting for it
        (Principal(subject_id="G", role=Role.CITIZEN), ENTERPRISE_CASE, Action.READ, HIDDEN),
        (AGENT, ENTERPRISE_CASE, Action.READ, ALLOW),
        (AGENT, ENTERPRISE_CASE, Action.WRITE, ALLOW),
        (AGENT_ELSEWHERE, ENTERPRISE_CASE, Action.READ, HIDDEN),
        (AGENT, ENTERPRISE_PAYMENT, Action.READ, HIDDEN),  # scope "payments" not granted
        (AGENT, A_CASE, Action.READ, HIDDEN),
        # staff: own department and region prefix
        (STAFF_XUANWU, A_CASE, Action.READ, ALLOW),
        (STAFF_XUANWU, A_CASE, Action.WRITE, ALLOW),
        # outside them the record looks absent, as it does to other applicants (no existence oracle)
        (STAFF_XUANWU, ENTERPRISE_PAYMENT, Action.READ, HIDDEN),  # other department
        (STAFF_SUZHOU, A_CASE, Action.READ, HIDDEN),
        (STAFF_SUZHOU, A_CASE, Action.WRITE, HIDDEN),
        (STAFF_NANJING_CITY, A_CASE, Action.READ, HIDDEN),  # city department, district case
        # supervisors read within their prefix, never write (403: they can see it)
        (SUPERVISOR_NANJING, A_CASE, Action.READ, ALLOW),
        (SUPERVISOR_NANJING, A_CASE, Action.WRITE, FORBIDDEN),
        (SUPERVISOR_PROVINCE, A_CASE, Action.READ, ALLOW),
        (Principal(subject_id="V2", role=Role.SUPERVISOR, region_code="320500"), A_CASE, Action.READ, HIDDEN),
        # operators run the platform, not applicants' records
        (OPERATOR, A_CASE, Action.READ, HIDDEN),
    ],
)
def test_record_access(who: Principal, record: RecordScope, action: Action, expected: Decision) -> None:
    assert decide(who, record, action) is expected


def test_a_record_without_an_owner_is_nobody_s() -> None:
    assert decide(Principal(subject_id="", role=Role.CITIZEN), RecordScope(), Action.READ) is HIDDEN
    assert decide(Principal(subject_id="X", role=Role.STAFF), RecordScope(), Action.READ) is HIDDEN


def test_ensure_raises_404_for_whoever_may_not_see_it_and_403_for_a_supervisor_writing() -> None:
    ensure(CITIZEN_A, A_CASE)
    with pytest.raises(NotFound):
        ensure(CITIZEN_B, A_CASE)
    with pytest.raises(NotFound):
        ensure(STAFF_SUZHOU, A_CASE)
    with pytest.raises(Forbidden):
        ensure(SUPERVISOR_NANJING, A_CASE, Action.WRITE)


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("320000", "32"),
        ("320100", "3201"),
        ("320102", "320102"),
        ("321300", "3213"),
        ("3201", "3201"),
        ("", ""),
        ("320115001", "320115001"),  # township (乡镇/街道)
        ("320115001201", "320115001201"),  # village (村/社区)
        ("320115001000", "320115001"),  # a township in the 12-digit statistical form
        ("320115000000", "320115"),  # a county in the 12-digit form
    ],
)
def test_region_prefix(code: str, prefix: str) -> None:
    assert region_prefix(code) == prefix


@pytest.mark.parametrize(
    ("prefix", "code", "inside"),
    [("3201", "320102", True), ("3201", "321102", False), ("32", "320505", True), ("", "320102", False)],
)
def test_within_region(prefix: str, code: str, inside: bool) -> None:
    assert within_region(prefix, code) is inside


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (CITIZEN_A, ListingScope(applicant_subject_id="A")),
        (AGENT, ListingScope(applicant_uscc=DEMO_USCC)),
        (STAFF_XUANWU, ListingScope(department_id="320102-civil", region_prefix="320102")),
        (SUPERVISOR_NANJING, ListingScope(region_prefix="3201")),
    ],
)
def test_listing_scope(who: Principal, expected: ListingScope) -> None:
    assert listing_scope(who) == expected


def test_operators_get_no_listing_of_applicants_records() -> None:
    with pytest.raises(Forbidden):
        listing_scope(OPERATOR)


@pytest.mark.parametrize("principal", [CITIZEN_A, AGENT, STAFF_XUANWU, SUPERVISOR_NANJING, OPERATOR])
def test_the_context_round_trips_through_strings(principal: Principal) -> None:
    context = principal.to_context()
    assert all(isinstance(v, str) for v in context.values())
    assert Principal.from_context({**context, "principalId": "x", "integrationLatency": 3}) == principal


@pytest.mark.parametrize("context", [{}, {"sub": "A"}, {"sub": "A", "role": "root"}, {"role": "citizen"}])
def test_a_context_that_is_not_a_principal_is_unauthorized(context: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized):
        Principal.from_context(context)


def test_every_access_level_names_the_roles_it_admits() -> None:
    assert set(ROLES_ALLOWED) == set(Access)
    assert ROLES_ALLOWED[Access.APPLICANT] == {Role.CITIZEN, Role.AGENT}
    assert access_extension(Access.OPERATOR) == {ACCESS_EXTENSION: {"roles": "operator", "record_scoped": False}}


# --- through a resolver, as functions use them --------------------------------------------


@pytest.fixture
def app() -> Any:
    resolver = make_resolver()

    @route(resolver, "POST", "/v1/things", access=Access.OPERATOR)
    def operator_only(principal: Principal) -> dict[str, Any]:
        return {"actor": principal.subject_id}

    @resolver.get("/v1/staff-things")
    def staff_only() -> dict[str, Any]:
        return {"department": require_role(resolver, Role.STAFF, Role.SUPERVISOR).department_id}

    return resolver


def status_of(app: Any, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = app.resolve(event, FakeContext())
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize(
    ("principal", "status"),
    [(None, 401), (CITIZEN_A, 403), (AGENT, 403), (STAFF_XUANWU, 403), (SUPERVISOR_NANJING, 403), (OPERATOR, 200)],
)
def test_operator_endpoints_need_the_operator_role(app: Any, principal: Principal | None, status: int) -> None:
    got, body = status_of(app, with_principal(rest_event("POST", "/v1/things", body={}), principal))
    assert got == status
    if status == 200:
        assert body == {"actor": "O"}


def test_the_old_operator_key_header_no_longer_opens_anything(app: Any) -> None:
    event = rest_event("POST", "/v1/things", body={}, headers={"X-Operator-Key": "local-operator-key"})
    assert status_of(app, event)[0] == 401


def test_require_role_accepts_any_of_the_roles(app: Any) -> None:
    assert status_of(app, with_principal(rest_event("GET", "/v1/staff-things"), STAFF_XUANWU)) == (
        200,
        {"department": "320102-civil"},
    )
    assert status_of(app, with_principal(rest_event("GET", "/v1/staff-things"), SUPERVISOR_NANJING))[0] == 200
    assert status_of(app, with_principal(rest_event("GET", "/v1/staff-things"), CITIZEN_B))[0] == 403


def test_township_and_village_scopes() -> None:
    # Given the staff of 秣陵街道's service centre and a supervisor of that township
    township_staff = Principal(
        subject_id="T", role=Role.STAFF, department_id="320115001-service", region_code="320115001"
    )
    township_supervisor = Principal(subject_id="W", role=Role.SUPERVISOR, region_code="320115001000")
    village_case = RecordScope(applicant_subject_id="A", department_id="320115001-service", region_code="320115001201")
    township_case = RecordScope(applicant_subject_id="A", department_id="320115001-service", region_code="320115001")
    county_case = RecordScope(applicant_subject_id="A", department_id="320115001-service", region_code="320115")
    other_township = RecordScope(applicant_subject_id="A", department_id="320115001-service", region_code="320115002")
    # Then the township's staff handle its own cases and its villages', nothing beside or above it
    assert decide(township_staff, township_case) is Decision.ALLOW
    assert decide(township_staff, village_case) is Decision.ALLOW
    assert decide(township_staff, county_case) is Decision.NOT_FOUND
    assert decide(township_staff, other_township) is Decision.NOT_FOUND
    # And the township supervisor (given in the 12-digit form) reads the same area
    assert township_supervisor.region_prefix == "320115001"
    assert decide(township_supervisor, village_case) is Decision.ALLOW
    assert decide(township_supervisor, other_township) is Decision.NOT_FOUND
    # And the Nanjing supervisor reads a village's case
    assert decide(SUPERVISOR_NANJING, village_case) is Decision.ALLOW
