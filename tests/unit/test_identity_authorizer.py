"""The API Gateway Lambda authorizer on the real event shapes (events/authorizer/):
Allow with the principal as context for a good token, `Unauthorized` (401)
for anything else, and no KMS call per request after the first."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from shared.identity.tokens import KmsSigner, claims_for, encode_token
from shared.platform.aws import count_calls
from shared.platform.clock import frozen_at, now
from shared.platform.principal import Principal, Role
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.identity_fixtures import (
    AUDIENCE,
    IDENTITY_TABLE,
    ISSUER,
    IdentityCloud,
    authorize,
    identity_cloud,
    sample,
)

AGENT = Principal(
    subject_id="01JDMX7Q4AGENT000000000001",
    role=Role.AGENT,
    acting_for="91320102MA1W8K3R68",
    scopes=frozenset({"cases"}),
    session_id="01JDMX7Q4SESSN000000000001",
)
STAFF = Principal(
    subject_id="01JDMX7Q4STAFF000000000001",
    role=Role.STAFF,
    department_id="320102-civil",
    region_code="320102",
    session_id="01JDMX7Q4SESSN000000000002",
)
CITIZEN = Principal(subject_id="C1", role=Role.CITIZEN, session_id="01JDMX7Q4SESSN000000000003")


@pytest.fixture
def cloud() -> Iterator[IdentityCloud]:
    with identity_cloud() as made:
        yield made


def live_session(session_id: str, status: str = "active") -> None:
    """The session item sign-in writes (the authorizer checks it is still active)."""
    boto3.client("dynamodb").put_item(
        TableName=IDENTITY_TABLE,
        Item={
            "pk": {"S": f"SESSION#{session_id}"},
            "sk": {"S": "SESSION"},
            "status": {"S": status},
            "expires_at": {"N": str(int(now().timestamp()) + 86_400)},
        },
    )


def token(cloud: IdentityCloud, principal: Principal, *, key_id: str | None = None, **claims: Any) -> str:
    if principal.session_id:
        live_session(principal.session_id)
    base = claims_for(principal, issuer=ISSUER, audience=AUDIENCE, issued_at=now(), ttl_s=900)
    return encode_token(base.model_copy(update=claims), KmsSigner(key_id or cloud.signing_key_id))


def refused(**kwargs: Any) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(kwargs.pop("token", None), **kwargs)


@pytest.mark.parametrize("principal", [AGENT, STAFF, CITIZEN])
def test_a_valid_token_is_allowed_with_the_principal_as_context(cloud: IdentityCloud, principal: Principal) -> None:
    result = authorize(token(cloud, principal))
    assert result["principalId"] == principal.subject_id
    statement = result["policyDocument"]["Statement"][0]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        # the whole stage: API Gateway caches the answer per token for every route
        "Resource": "arn:aws-cn:execute-api:cn-north-1:123456789012:abcdef1234/prod/*",
    }
    context = result["context"]
    assert all(isinstance(v, str) for v in context.values())
    assert Principal.from_context(context) == principal


def test_the_agent_context_names_the_enterprise_and_scope(cloud: IdentityCloud) -> None:
    context = authorize(token(cloud, AGENT))["context"]
    assert context["role"] == "agent"
    assert context["acting_for"] == "91320102MA1W8K3R68"
    assert context["scope"] == "cases"
    assert context["department_id"] == ""


def test_the_request_type_event_is_read_from_the_authorization_header(cloud: IdentityCloud) -> None:
    event = sample("authorizer", "request")
    event["headers"]["Authorization"] = f"Bearer {token(cloud, STAFF)}"
    result = load_function("authorizer").handler(event, FakeContext())
    assert result["context"]["department_id"] == "320102-civil"
    assert result["context"]["region_code"] == "320102"


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer"])
def test_a_missing_or_non_bearer_header_is_unauthorized(cloud: IdentityCloud, header: str) -> None:
    refused(raw_header=header)


def test_a_malformed_token_is_unauthorized(cloud: IdentityCloud) -> None:
    refused(token="not.a.jwt")
    refused(token="eyJhbGciOiJFUzI1NiJ9")


def test_an_expired_token_is_unauthorized(cloud: IdentityCloud) -> None:
    issued = token(cloud, STAFF)
    with frozen_at(now() + timedelta(minutes=16)):
        refused(token=issued)


def test_a_wrong_audience_or_issuer_is_unauthorized(cloud: IdentityCloud) -> None:
    refused(token=token(cloud, STAFF, aud="another-api"))
    refused(token=token(cloud, STAFF, iss="https://id.example.com"))


def test_a_token_signed_by_another_kms_key_is_unauthorized_without_a_kms_call(cloud: IdentityCloud) -> None:
    other = boto3.client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    forged = token(cloud, STAFF, key_id=other["KeyId"])
    with count_calls() as calls:
        refused(token=forged)
    assert sum(calls.values()) == 0


def test_alg_none_is_unauthorized(cloud: IdentityCloud) -> None:
    header, payload, _ = token(cloud, STAFF).split(".")
    refused(token=f"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.")
    refused(token=f"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.{header}")


def test_one_kms_call_when_cold_and_none_when_warm(cloud: IdentityCloud) -> None:
    start = now()
    tokens = [token(cloud, STAFF), token(cloud, AGENT)]
    with frozen_at(start), count_calls() as cold:
        authorize(tokens[0])
    with frozen_at(start), count_calls() as warm:
        for issued in tokens * 5:
            authorize(issued)
    # the public key once, and each token's session once (then cached for 30 s)
    assert cold == {"kms.GetPublicKey": 1, "dynamodb.GetItem": 1}
    assert warm == {"dynamodb.GetItem": 1}  # the second token's session
    with frozen_at(start + timedelta(seconds=31)), count_calls() as later:
        authorize(tokens[0])
    assert later == {"dynamodb.GetItem": 1}


def test_a_token_without_a_session_or_with_an_unknown_one_is_unauthorized(cloud: IdentityCloud) -> None:
    sessionless = Principal(subject_id="C2", role=Role.CITIZEN)
    refused(token=token(cloud, sessionless))
    refused(token=token(cloud, STAFF, sid="01JDMX7Q4SESSN00000000NONE"))


def test_a_revoked_session_stops_its_access_tokens_within_the_cache_time(cloud: IdentityCloud) -> None:
    start = now()
    with frozen_at(start):
        issued = token(cloud, STAFF)
        assert authorize(issued)["principalId"] == STAFF.subject_id
        live_session(STAFF.session_id, status="revoked")
    # a warm authorizer trusts its answer for SESSION_CHECK_CACHE_S (30 s), then reads again
    with frozen_at(start + timedelta(seconds=29)):
        assert authorize(issued)["principalId"] == STAFF.subject_id
    with frozen_at(start + timedelta(seconds=31)):
        refused(token=issued)
    # a cold authorizer refuses at once
    from tests.unit.identity_fixtures import forget_cached

    forget_cached()
    refused(token=issued)


def test_the_token_never_reaches_the_log(cloud: IdentityCloud, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    good = token(cloud, STAFF)
    authorize(good)
    bad = good[:-4] + "AAAA"
    refused(token=bad)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for secret in (good, bad, good.split(".")[1], good.split(".")[2]):
        assert secret not in logged
    assert "bad_signature" in logged  # the reason is logged, the token is not


def test_the_sample_event_without_a_real_token_is_unauthorized(cloud: IdentityCloud) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        load_function("authorizer").handler(sample("authorizer", "token"), FakeContext())
