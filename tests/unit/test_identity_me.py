"""The user center's first part and enterprise agents through identity_api:
/v1/me (masked), /v1/me/enterprises, the legal representative's agent
management, and the public JWKS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from infra.seed.identity import load_identity
from infra.seed.identity.people import (
    AGENT,
    CITIZEN_A,
    CITIZEN_B,
    DEMO_ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    OTHER_ENTERPRISE,
    STAFF_IN_SCOPE,
    ZHAO_LEI,
)
from shared.identity.service import identity_service
from shared.platform.clock import today_in_shanghai
from shared.platform.principal import Principal, Role
from tests.support.api import invoke
from tests.unit.identity_fixtures import (
    IdentityCloud,
    api_event,
    identity_cloud,
    principal_from,
    sign_in,
    staff_sign_in,
)


@pytest.fixture
def cloud() -> Iterator[IdentityCloud]:
    with identity_cloud() as made:
        load_identity(identity_service())
        yield made


def me(principal: Principal | None) -> Any:
    return invoke(api_event("me", principal=principal))


def grant(principal: Principal, body: dict[str, Any], uscc: str = DEMO_ENTERPRISE.uscc) -> Any:
    return invoke(api_event("agents-grant", principal=principal, body=body, path_params={"uscc": uscc}))


def grant_body(**overrides: Any) -> dict[str, Any]:
    return {
        "agent_id_number": CITIZEN_B.person.id_number,
        "agent_name": CITIZEN_B.person.name,
        "scope": ["cases"],
        "expires_on": (today_in_shanghai() + timedelta(days=30)).isoformat(),
        **overrides,
    }


@pytest.fixture
def legal(cloud: IdentityCloud) -> Principal:
    return principal_from(sign_in(LEGAL_REPRESENTATIVE.phone)["access_token"])


def test_my_profile_is_masked(cloud: IdentityCloud) -> None:
    principal = principal_from(sign_in(CITIZEN_A.phone)["access_token"])
    reply = me(principal)
    assert reply.status == 200
    profile = reply.body
    assert profile["id_number_masked"] == "320102********0213"
    assert profile["phone_masked"] == "138****0001"
    assert profile["name"] == "张伟"
    assert profile["kind"] == "person"
    assert profile["role"] == "citizen"
    text = str(profile)
    assert CITIZEN_A.person.id_number not in text
    assert CITIZEN_A.phone not in text


def test_staff_see_their_department_and_region(cloud: IdentityCloud) -> None:
    tokens = staff_sign_in(STAFF_IN_SCOPE.login, STAFF_IN_SCOPE.password, STAFF_IN_SCOPE.phone)
    profile = me(principal_from(tokens["access_token"])).body
    assert profile["kind"] == "workforce"
    assert profile["role"] == "staff"
    assert profile["department_id"] == "320102-civil"
    assert profile["region_code"] == "320102"
    assert profile["phone_masked"] == "139****0001"


def test_the_agent_profile_shows_whom_the_token_acts_for(cloud: IdentityCloud) -> None:
    principal = principal_from(sign_in(AGENT.phone, acting_for=DEMO_ENTERPRISE.uscc)["access_token"])
    profile = me(principal).body
    assert profile["role"] == "agent"
    assert profile["acting_for"] == DEMO_ENTERPRISE.uscc


def test_me_without_a_principal_is_unauthorized(cloud: IdentityCloud) -> None:
    reply = me(None)
    assert reply.status == 401
    assert reply.body["code"] == "unauthorized"


def test_the_profile_read_needs_no_kms_call(cloud: IdentityCloud) -> None:
    from shared.platform.aws import count_calls

    principal = principal_from(sign_in(CITIZEN_A.phone)["access_token"])
    with count_calls() as calls:
        me(principal)
    assert calls == {"dynamodb.GetItem": 1}


def test_my_enterprises_lists_valid_authorisations(cloud: IdentityCloud) -> None:
    agent = principal_from(sign_in(AGENT.phone)["access_token"])
    reply = invoke(api_event("me-enterprises", principal=agent))
    assert reply.status == 200
    assert reply.body["next_cursor"] is None
    [entry] = reply.body["items"]
    assert entry["uscc"] == DEMO_ENTERPRISE.uscc
    assert entry["enterprise_name"] == "南京玄武示范科技有限公司"
    assert entry["scope"] == ["cases", "licences"]
    citizen_b = principal_from(sign_in(CITIZEN_B.phone)["access_token"])
    assert invoke(api_event("me-enterprises", principal=citizen_b)).body["items"] == []


def test_the_legal_representative_authorises_lists_and_revokes_an_agent(cloud: IdentityCloud, legal: Principal) -> None:
    granted = grant(legal, grant_body(scope=["payments", "cases", "cases"]))
    assert granted.status == 201, granted.body
    assert granted.body["scope"] == ["cases", "payments"]
    listed = invoke(api_event("agents-list", principal=legal, path_params={"uscc": DEMO_ENTERPRISE.uscc}))
    assert {a["agent_name"] for a in listed.body["items"]} == {"王芳", "李娜"}
    # B can now act for the enterprise
    tokens = sign_in(CITIZEN_B.phone, acting_for=DEMO_ENTERPRISE.uscc)
    assert principal_from(tokens["access_token"]).scopes == {"cases", "payments"}
    revoked = invoke(
        api_event(
            "agents-revoke",
            principal=legal,
            path_params={"uscc": DEMO_ENTERPRISE.uscc, "agent_subject_id": granted.body["agent_subject_id"]},
        )
    )
    assert revoked.status == 204
    again = invoke(
        api_event(
            "agents-revoke",
            principal=legal,
            path_params={"uscc": DEMO_ENTERPRISE.uscc, "agent_subject_id": granted.body["agent_subject_id"]},
        )
    )
    assert again.status == 404
    assert again.body["code"] == "identity.authorisation_not_found"


@pytest.mark.parametrize(
    "who",
    ["citizen_b", "agent", "staff"],
)
def test_only_the_legal_representative_manages_agents(cloud: IdentityCloud, who: str) -> None:
    principals = {
        "citizen_b": lambda: principal_from(sign_in(CITIZEN_B.phone)["access_token"]),
        "agent": lambda: principal_from(sign_in(AGENT.phone, acting_for=DEMO_ENTERPRISE.uscc)["access_token"]),
        "staff": lambda: Principal(subject_id="S", role=Role.STAFF, department_id="320102-civil", region_code="320102"),
    }
    principal = principals[who]()
    reply = grant(principal, grant_body())
    assert reply.status == 403
    listed = invoke(api_event("agents-list", principal=principal, path_params={"uscc": DEMO_ENTERPRISE.uscc}))
    assert listed.status == 403


def test_the_legal_representative_of_one_enterprise_cannot_manage_another(
    cloud: IdentityCloud, legal: Principal
) -> None:
    reply = grant(legal, grant_body(), uscc=OTHER_ENTERPRISE.uscc)
    assert reply.status == 403
    assert reply.body["code"] == "identity.not_legal_representative"


@pytest.mark.parametrize(
    ("uscc", "status", "code"),
    [
        ("91320102MA1W8K3R69", 422, "uscc.checksum"),
        ("11320102MA1W8K3R6X", 422, None),  # pattern fine, a rule fails
        ("91320102MA1W8K3R6", 422, "field.invalid"),  # 17 characters: refused by the path pattern
    ],
)
def test_an_invalid_uscc_is_refused_naming_the_rule(
    cloud: IdentityCloud, legal: Principal, uscc: str, status: int, code: str | None
) -> None:
    reply = grant(legal, grant_body(), uscc=uscc)
    assert reply.status == status
    if code:
        assert code in [e["code"] for e in reply.body["errors"]]
    assert all(e["code"].startswith(("uscc.", "field.")) for e in reply.body["errors"])


def test_an_unknown_enterprise_is_not_found(cloud: IdentityCloud, legal: Principal) -> None:
    from shared.codes.national import org_code_check_character, uscc_check_character

    body = "MA1W8K3A"
    first_17 = "91320102" + body + org_code_check_character(body)
    reply = grant(legal, grant_body(), uscc=first_17 + uscc_check_character(first_17))
    assert reply.status == 404
    assert reply.body["code"] == "identity.unknown_enterprise"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"agent_id_number": "320106199207090462"}, "agent_id_number", "id_number.checksum"),
        ({"agent_name": "Li Na"}, "agent_name", "identity.name_format"),
        ({"expires_on": "2020-01-01"}, "expires_on", "identity.expiry_invalid"),
        ({"expires_on": "2099-01-01"}, "expires_on", "identity.expiry_invalid"),
    ],
)
def test_invalid_grants_are_refused_and_create_nothing(
    cloud: IdentityCloud, legal: Principal, overrides: dict[str, Any], field: str, code: str
) -> None:
    reply = grant(legal, grant_body(**overrides))
    assert reply.status == 422
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in reply.body["errors"]]
    listed = invoke(api_event("agents-list", principal=legal, path_params={"uscc": DEMO_ENTERPRISE.uscc}))
    assert len(listed.body["items"]) == 1


def test_the_agent_must_be_a_registered_person_with_that_name(cloud: IdentityCloud, legal: Principal) -> None:
    unregistered = grant(legal, grant_body(agent_id_number=ZHAO_LEI.id_number, agent_name=ZHAO_LEI.name))
    assert unregistered.status == 422
    assert unregistered.body["code"] == "identity.agent_not_found"
    wrong_name = grant(legal, grant_body(agent_name="李四"))
    assert wrong_name.body["code"] == "identity.agent_not_found"


def test_jwks_serves_the_public_key_that_verifies_tokens(cloud: IdentityCloud) -> None:
    reply = invoke(api_event("jwks"))
    assert reply.status == 200
    assert reply.headers["Cache-Control"] == "public, max-age=3600"
    [key] = reply.body["keys"]
    assert key["kid"] == cloud.signing_key_id
    assert {k: key[k] for k in ("kty", "crv", "alg", "use")} == {
        "kty": "EC",
        "crv": "P-256",
        "alg": "ES256",
        "use": "sig",
    }
    # a standard verifier built only from the JWKS accepts our token
    import base64
    import json

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    def number(text: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")

    public = ec.EllipticCurvePublicNumbers(number(key["x"]), number(key["y"]), ec.SECP256R1()).public_key()
    token = sign_in(CITIZEN_A.phone)["access_token"]
    head, payload, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"] == key["kid"]
