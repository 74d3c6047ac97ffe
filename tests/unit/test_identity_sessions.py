"""Sign-in, refresh rotation with reuse detection, sign-out, staff sign-in with
password + code, acting for an enterprise — through the identity_api handler
against moto — and the AWS calls each takes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from infra.seed.identity import load_identity
from infra.seed.identity.people import (
    AGENT,
    CITIZEN_A,
    CITIZEN_B,
    DEMO_ENTERPRISE,
    LEGAL_REPRESENTATIVE,
    OPERATOR,
    OTHER_ENTERPRISE,
    STAFF_IN_SCOPE,
    SUPERVISOR,
    XUANWU_CIVIL_HEAD,
)
from shared.identity.service import identity_service
from shared.platform import sealing
from shared.platform.aws import count_calls
from shared.platform.clock import frozen_at, now
from shared.platform.dynamo import from_item
from shared.platform.dynamo import outbox_events as stored_events
from shared.platform.events import Envelope
from shared.platform.principal import Role
from tests.support.api import invoke
from tests.unit.identity_fixtures import (
    IDENTITY_TABLE,
    api_event,
    identity_cloud,
    latest_code,
    principal_from,
    request_code,
    sign_in,
    staff_sign_in,
)


@pytest.fixture
def cloud() -> Iterator[None]:
    with identity_cloud():
        load_identity(identity_service())
        yield


def refresh(token: str) -> Any:
    return invoke(api_event("refresh", body={"refresh_token": token}))


def outbox_events(event_type: str) -> list[Envelope]:
    items = boto3.client("dynamodb").scan(TableName=IDENTITY_TABLE)["Items"]
    found = [
        Envelope.model_validate(e)
        for i in items
        if i["pk"]["S"].startswith("OUTBOX#")
        for e in stored_events(from_item(i))
    ]
    return [e for e in found if e.type == event_type]


# --- citizens ----------------------------------------------------------------------------


def test_a_citizen_signs_in_with_phone_and_code(cloud: None) -> None:
    tokens = sign_in(CITIZEN_A.phone)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert tokens["role"] == "citizen"
    assert tokens["refresh_token"].startswith("rt_")
    principal = principal_from(tokens["access_token"])
    assert principal.role is Role.CITIZEN
    assert principal.acting_for == ""
    assert principal.session_id


def test_token_responses_are_not_cached(cloud: None) -> None:
    code = request_code(CITIZEN_A.phone)
    reply = invoke(api_event("sign-in", body={"phone": CITIZEN_A.phone, "code": code}))
    assert reply.headers["Cache-Control"] == "no-store"


def test_a_sign_in_code_for_an_unregistered_phone_is_never_sent(cloud: None) -> None:
    reply = invoke(api_event("otp-request", body={"phone": "13800000099", "purpose": "sign_in"}))
    # same answer as for a registered phone; the SMS says "not registered" and holds no code
    assert reply.status == 202
    assert reply.body["masked_phone"] == "138****0099"
    with pytest.raises(AssertionError, match="holds no code"):
        latest_code("13800000099")
    attempt = invoke(api_event("sign-in", body={"phone": "13800000099", "code": "000000"}))
    assert attempt.status == 401
    assert attempt.body["code"] == "identity.otp_expired"


def test_a_code_for_one_phone_does_not_sign_in_another(cloud: None) -> None:
    code = request_code(CITIZEN_A.phone)
    request_code(CITIZEN_B.phone)
    reply = invoke(api_event("sign-in", body={"phone": CITIZEN_B.phone, "code": code}))
    assert reply.status in (401, 200)
    if reply.status == 200:  # the two 6-digit codes collided (1 in a million): nothing to learn
        pytest.skip("random codes collided")
    assert reply.body["code"] == "identity.otp_invalid"


# --- refresh rotation and reuse detection ----------------------------------------------


def test_a_refresh_token_rotates_and_works_once(cloud: None) -> None:
    first = sign_in(CITIZEN_A.phone)
    second = refresh(first["refresh_token"])
    assert second.status == 200
    assert second.body["refresh_token"] != first["refresh_token"]
    assert principal_from(second.body["access_token"]).session_id == principal_from(first["access_token"]).session_id
    third = refresh(second.body["refresh_token"])
    assert third.status == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(cloud: None) -> None:
    first = sign_in(CITIZEN_A.phone)
    second = refresh(first["refresh_token"]).body
    # Given an attacker replays the first (already rotated) token
    replay = refresh(first["refresh_token"])
    # Then it is refused and the family is revoked: the legitimate newer token stops too
    assert replay.status == 401
    assert replay.body["code"] == "identity.refresh_reused"
    newer = refresh(second["refresh_token"])
    assert newer.status == 401
    assert newer.body["code"] in ("identity.refresh_invalid", "identity.session_revoked")
    # and the user is told through the event the message center turns into a warning
    revoked = outbox_events("identity.session_revoked")
    assert len(revoked) == 1
    assert revoked[0].data["reason"] == "refresh_token_reused"
    # a second replay does not announce it again
    refresh(first["refresh_token"])
    assert len(outbox_events("identity.session_revoked")) == 1


def test_other_sessions_of_the_same_user_survive_a_revoked_family(cloud: None) -> None:
    laptop = sign_in(CITIZEN_A.phone)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTP_RESEND_INTERVAL_S", "1")
        from tests.unit.identity_fixtures import forget_cached

        forget_cached()
        phone_session = sign_in_after_gap(CITIZEN_A.phone)
    refresh(laptop["refresh_token"])
    refresh(laptop["refresh_token"])  # reuse: the laptop family is revoked
    assert refresh(phone_session["refresh_token"]).status == 200


def sign_in_after_gap(phone: str) -> dict[str, Any]:
    import time

    time.sleep(1.05)  # the per-phone resend gap is 1 s in this test
    return sign_in(phone)


def test_an_unknown_or_garbage_refresh_token_is_refused(cloud: None) -> None:
    reply = refresh("rt_" + "A" * 43)
    assert reply.status == 401
    assert reply.body["code"] == "identity.refresh_invalid"
    short = invoke(api_event("refresh", body={"refresh_token": "short"}))
    assert short.status == 422


def test_sign_out_revokes_the_session(cloud: None) -> None:
    tokens = sign_in(CITIZEN_A.phone)
    reply = invoke(api_event("sign-out", body={"refresh_token": tokens["refresh_token"]}))
    assert reply.status == 204
    assert reply.body is None
    after = refresh(tokens["refresh_token"])
    assert after.status == 401
    assert after.body["code"] == "identity.session_revoked"
    # signing out again, or with an unknown token, is accepted silently
    assert invoke(api_event("sign-out", body={"refresh_token": tokens["refresh_token"]})).status == 204
    assert invoke(api_event("sign-out", body={"refresh_token": "rt_" + "B" * 43})).status == 204


def test_sign_out_stops_the_access_token_before_it_expires(cloud: None) -> None:
    start = now()
    with frozen_at(start):
        tokens = sign_in(CITIZEN_A.phone)
        assert principal_from(tokens["access_token"]).role is Role.CITIZEN
        assert invoke(api_event("sign-out", body={"refresh_token": tokens["refresh_token"]})).status == 204
    # the authorizer's own cache of the live session lasts 30 s; the token had 15 minutes
    with frozen_at(start + timedelta(seconds=31)), pytest.raises(Exception, match=r"^Unauthorized$"):
        principal_from(tokens["access_token"])


# --- staff -------------------------------------------------------------------------------


@pytest.mark.parametrize("worker", [STAFF_IN_SCOPE, XUANWU_CIVIL_HEAD, SUPERVISOR, OPERATOR])
def test_workforce_signs_in_with_password_and_code(cloud: None, worker: Any) -> None:
    tokens = staff_sign_in(worker.login, worker.password, worker.phone)
    principal = principal_from(tokens["access_token"])
    assert principal.role is worker.role
    assert principal.region_code == worker.region_code
    assert principal.department_id == (worker.department_id or "")
    # the head of 玄武区民政局 carries the flag in the token; the clerk of the same department does not
    assert principal.is_department_head is worker.department_head


def test_a_wrong_password_sends_no_code(cloud: None) -> None:
    reply = invoke(api_event("staff-sign-in", body={"login": STAFF_IN_SCOPE.login, "password": "Xuanwu-Civil-2025"}))
    assert reply.status == 401
    assert reply.body["code"] == "identity.sign_in_failed"
    unknown = invoke(api_event("staff-sign-in", body={"login": "nobody.here", "password": "whatever-long-1"}))
    assert unknown.status == 401
    assert unknown.body == {**reply.body, "request_id": unknown.body["request_id"]}
    with pytest.raises(AssertionError, match="no SMS"):
        latest_code(STAFF_IN_SCOPE.phone)


def test_a_citizen_cannot_use_the_staff_sign_in(cloud: None) -> None:
    reply = invoke(api_event("staff-sign-in", body={"login": "13800000001", "password": "anything-at-all"}))
    assert reply.status == 401


def test_the_staff_code_is_bound_to_its_challenge(cloud: None) -> None:
    started = invoke(api_event("staff-sign-in", body={"login": OPERATOR.login, "password": OPERATOR.password}))
    code = latest_code(OPERATOR.phone)
    wrong_challenge = invoke(api_event("staff-sign-in-verify", body={"challenge_id": "x" * 32, "code": code}))
    assert wrong_challenge.status == 401
    ok = invoke(api_event("staff-sign-in-verify", body={"challenge_id": started.body["challenge_id"], "code": code}))
    assert ok.status == 200


def test_password_guessing_from_one_address_is_throttled_without_locking_the_login(cloud: None) -> None:
    body = {"login": SUPERVISOR.login, "password": "wrong-password-0"}
    statuses = [invoke(api_event("staff-sign-in", body=body, source_ip="203.0.113.5")).status for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    limited = invoke(
        api_event("staff-sign-in", body={**body, "password": SUPERVISOR.password}, source_ip="203.0.113.5")
    )
    assert limited.status == 429
    assert limited.body["code"] == "identity.sign_in_rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 900
    # guesses spread over many addresses lock nobody out: the password only ever leads to the
    # code on the owner's phone
    spread = [invoke(api_event("staff-sign-in", body=body, source_ip=f"198.51.100.{i}")).status for i in range(11)]
    assert spread == [401] * 11
    owner = invoke(api_event("staff-sign-in", body={**body, "password": SUPERVISOR.password}, source_ip="192.0.2.9"))
    assert owner.status == 202


# --- acting for an enterprise ------------------------------------------------------------


def test_an_agent_signs_in_acting_for_the_enterprise(cloud: None) -> None:
    tokens = sign_in(AGENT.phone, acting_for=DEMO_ENTERPRISE.uscc)
    assert tokens["role"] == "agent"
    principal = principal_from(tokens["access_token"])
    assert principal.role is Role.AGENT
    assert principal.acting_for == DEMO_ENTERPRISE.uscc
    assert principal.scopes == {"cases", "licences"}
    # refreshing keeps the enterprise
    again = refresh(tokens["refresh_token"]).body
    assert principal_from(again["access_token"]).acting_for == DEMO_ENTERPRISE.uscc


def test_acting_for_an_enterprise_without_authorisation_is_forbidden(cloud: None) -> None:
    code = request_code(CITIZEN_B.phone)
    body = {"phone": CITIZEN_B.phone, "code": code, "acting_for": DEMO_ENTERPRISE.uscc}
    reply = invoke(api_event("sign-in", body=body))
    assert reply.status == 403
    assert reply.body["code"] == "identity.not_authorised_for_enterprise"
    # the code is still good for signing in as oneself
    assert invoke(api_event("sign-in", body={"phone": CITIZEN_B.phone, "code": code})).status == 200


def test_the_token_exchange_switches_between_enterprise_and_self(cloud: None) -> None:
    tokens = sign_in(AGENT.phone)
    assert tokens["role"] == "citizen"
    agent = invoke(
        api_event("acting-for", body={"refresh_token": tokens["refresh_token"], "uscc": DEMO_ENTERPRISE.uscc})
    )
    assert agent.status == 200
    assert principal_from(agent.body["access_token"]).acting_for == DEMO_ENTERPRISE.uscc
    # the exchange rotated the refresh token (presenting the old one again would revoke the session)
    assert agent.body["refresh_token"] != tokens["refresh_token"]
    self_again = invoke(api_event("acting-for", body={"refresh_token": agent.body["refresh_token"], "uscc": None}))
    assert self_again.status == 200
    assert principal_from(self_again.body["access_token"]).role is Role.CITIZEN
    other = invoke(
        api_event("acting-for", body={"refresh_token": self_again.body["refresh_token"], "uscc": OTHER_ENTERPRISE.uscc})
    )
    assert other.status == 403


def test_a_revoked_authorisation_stops_at_the_next_refresh(cloud: None) -> None:
    agent_tokens = sign_in(AGENT.phone, acting_for=DEMO_ENTERPRISE.uscc)
    agent_subject = principal_from(agent_tokens["access_token"]).subject_id
    legal = principal_from(sign_in(LEGAL_REPRESENTATIVE.phone)["access_token"])
    revoked = invoke(
        api_event(
            "agents-revoke",
            principal=legal,
            path_params={"uscc": DEMO_ENTERPRISE.uscc, "agent_subject_id": agent_subject},
        )
    )
    assert revoked.status == 204
    reply = refresh(agent_tokens["refresh_token"])
    assert reply.status == 403
    assert reply.body["code"] == "identity.not_authorised_for_enterprise"
    # the same session can still act for the agent themself
    back = invoke(api_event("acting-for", body={"refresh_token": agent_tokens["refresh_token"], "uscc": None}))
    assert back.status == 200


# --- AWS calls ---------------------------------------------------------------------------


def test_aws_calls_per_sign_in(cloud: None) -> None:
    # warm the process (hash secret, clients) as a running function would be
    sign_in(CITIZEN_B.phone)
    with count_calls() as otp_calls:
        invoke(api_event("otp-request", body={"phone": CITIZEN_A.phone, "purpose": "sign_in"}))
    code = latest_code(CITIZEN_A.phone)
    with count_calls() as sign_in_calls:
        tokens = invoke(api_event("sign-in", body={"phone": CITIZEN_A.phone, "code": code})).body
    with count_calls() as refresh_calls:
        refresh(tokens["refresh_token"])
    # one consistent read of the phone's account entry and its rate logs, one write of both
    assert otp_calls == {"dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1, "s3.PutObject": 1}
    assert sign_in_calls == {
        "dynamodb.UpdateItem": 1,
        "dynamodb.GetItem": 1,
        "dynamodb.TransactWriteItems": 1,
        "kms.Sign": 1,
    }
    assert refresh_calls == {"dynamodb.GetItem": 2, "dynamodb.TransactWriteItems": 1, "kms.Sign": 1}


def test_aws_calls_per_agent_and_staff_sign_in(cloud: None) -> None:
    sign_in(CITIZEN_B.phone)
    code = request_code(AGENT.phone)
    with count_calls() as agent_calls:
        invoke(api_event("sign-in", body={"phone": AGENT.phone, "code": code, "acting_for": DEMO_ENTERPRISE.uscc}))
    # the operator's account was sealed when it was created, long before, by another container (D-330):
    # this one has not unwrapped its data key yet
    sealing.sealer.cache_clear()
    identity_service.cache_clear()
    with count_calls() as password_step:
        started = invoke(api_event("staff-sign-in", body={"login": OPERATOR.login, "password": OPERATOR.password}))
    code = latest_code(OPERATOR.phone)
    with count_calls() as code_step:
        invoke(api_event("staff-sign-in-verify", body={"challenge_id": started.body["challenge_id"], "code": code}))
    assert agent_calls == {
        "dynamodb.UpdateItem": 1,
        "dynamodb.BatchGetItem": 1,
        "dynamodb.TransactWriteItems": 1,
        "kms.Sign": 1,
    }
    assert password_step == {
        "dynamodb.BatchGetItem": 2,  # login + back-off + source log; then the phone's log
        "dynamodb.TransactWriteItems": 2,
        "dynamodb.GetItem": 1,
        "kms.Decrypt": 1,  # the data key of the sealed phone, once per container and 5 minutes
        "s3.PutObject": 1,
    }
    assert code_step == {
        "dynamodb.UpdateItem": 1,
        "dynamodb.GetItem": 1,
        "dynamodb.TransactWriteItems": 1,
        "kms.Sign": 1,
    }


def test_a_cold_sign_in_adds_one_secrets_manager_call(cloud: None) -> None:
    from tests.unit.identity_fixtures import forget_cached

    forget_cached()
    with count_calls() as cold:
        invoke(api_event("otp-request", body={"phone": CITIZEN_A.phone, "purpose": "sign_in"}))
    assert cold["secretsmanager.GetSecretValue"] == 1
