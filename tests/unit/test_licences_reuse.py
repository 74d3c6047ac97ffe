"""Once-only reuse (C15) on the licences side: the holder's consent to use a
valid licence for a case (logged), department queries for a case in scope
(logged), and the holder's usage log."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest

from shared.cases.licence_materials import CaseApplicant
from shared.licences.service import licences_service
from shared.platform.errors import Conflict, NotFound
from shared.platform.principal import Principal
from tests.support.api import call
from tests.unit.licences_fixtures import (
    BUSINESS_LICENCE,
    CITIZEN,
    FOOD_LICENCE,
    HOLDER,
    ISSUER_STAFF,
    OTHER,
    LicenceCloud,
    issue,
    licence_due,
    licence_ids_of_case,
    licences_cloud,
)

CASE_ID = "01JDQ90F3W7C8M2T6R4K9N5CB7"


@pytest.fixture(scope="module")
def cloud() -> Iterator[LicenceCloud]:
    with licences_cloud() as made:
        yield made


def _issued(type_code: str = BUSINESS_LICENCE) -> str:
    due = licence_due(type_code=type_code)
    assert issue(due) == {"batchItemFailures": []}
    [licence_id] = licence_ids_of_case(due["data"]["case_id"])
    return licence_id


def _use(who: dict[str, str], licence_id: str, type_code: str = BUSINESS_LICENCE) -> object:
    return licences_service().use_for_case(
        Principal.from_context(who),
        licence_id,
        case_id=CASE_ID,
        case_number="3201002026092101000009",
        type_codes=frozenset({type_code}),
        purpose="办理“税务登记”，作为“营业执照”",
    )


def test_the_holder_consents_and_sees_it_in_the_usage_log(cloud: LicenceCloud) -> None:
    licence_id = _issued()
    reference = _use(CITIZEN, licence_id)
    usage = call("GET", "/v1/me/licence-usage", CITIZEN).body["items"]
    consent = next(entry for entry in usage if entry["entry_id"] == reference.consent_id)  # type: ignore[attr-defined]
    assert consent["kind"] == "consent"
    assert consent["case_id"] == CASE_ID
    assert consent["licence_ids"] == [licence_id]
    assert "税务登记" in consent["purpose"]


def test_only_the_holders_own_valid_licence_of_the_right_type_can_be_used(cloud: LicenceCloud) -> None:
    licence_id = _issued()
    with pytest.raises(NotFound):
        _use(OTHER, licence_id)
    with pytest.raises(Conflict) as wrong_type:
        _use(CITIZEN, licence_id, type_code=FOOD_LICENCE)
    assert wrong_type.value.code == "licence.type_mismatch"
    assert call("POST", f"/v1/licences/{licence_id}/suspend", ISSUER_STAFF, body={"reason": "暂扣"}).status == 200
    with pytest.raises(Conflict) as suspended:
        _use(CITIZEN, licence_id)
    assert suspended.value.code == "licence.not_usable"
    check = licences_service().check_reference(licence_id, HOLDER, None)
    assert check.result == "suspended"


def test_a_department_query_needs_a_case_in_scope_and_is_logged(cloud: LicenceCloud) -> None:
    licence_id = _issued()
    applicant = CaseApplicant(CASE_ID, "3201152026092101000009", HOLDER, None)
    with mock.patch("shared.licences.ports.cases", return_value=lambda _principal, _case_id: applicant):
        reply = call(
            "POST",
            "/v1/licences/holder-queries",
            ISSUER_STAFF,
            body={"case_id": CASE_ID, "purpose": "核验申请人营业执照"},
        )
    assert reply.status == 200, reply.body
    assert licence_id in {item["licence_id"] for item in reply.body["items"]}
    assert all(item["metadata"]["holder_code"] == "320102********0213" for item in reply.body["items"])
    usage = call("GET", "/v1/me/licence-usage", CITIZEN).body["items"]
    logged = next(entry for entry in usage if entry["entry_id"] == reply.body["query_id"])
    assert logged["kind"] == "staff_query"
    assert logged["department_id"] == "320115-market"
    assert logged["purpose"] == "核验申请人营业执照"

    # no purpose, no query; a case the department does not handle: 403 (from the cases context)
    short = call("POST", "/v1/licences/holder-queries", ISSUER_STAFF, body={"case_id": CASE_ID, "purpose": "查"})
    assert short.status == 422
    unknown = call(
        "POST", "/v1/licences/holder-queries", ISSUER_STAFF, body={"case_id": CASE_ID, "purpose": "核验申请人证照"}
    )
    assert unknown.status == 404
    assert (
        call("POST", "/v1/licences/holder-queries", CITIZEN, body={"case_id": CASE_ID, "purpose": "核验证照"}).status
        == 403
    )


def test_wallet_access_for_agents_needs_the_licences_authorisation(cloud: LicenceCloud) -> None:
    from tests.unit.licences_fixtures import AGENT, AGENT_WITHOUT_SCOPE

    assert call("GET", "/v1/me/licences", AGENT).status == 200
    assert call("GET", "/v1/me/licences", AGENT_WITHOUT_SCOPE).status == 403
    assert call("GET", "/v1/me/licences", ISSUER_STAFF).status == 403
    assert call("GET", "/v1/me/licences", None).status == 401
