"""One-time codes: 5 minutes, 5 attempts, single use, stored hashed, rate limits
per phone and per source address (429 + Retry-After); a refused request stores
and sends nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest

from infra.seed.identity import load_identity
from infra.seed.identity.people import CITIZEN_A, CITIZEN_B
from shared.identity.service import identity_service
from shared.platform.clock import frozen_at, now
from tests.support.api import Reply, invoke
from tests.unit.identity_fixtures import IDENTITY_TABLE, api_event, identity_cloud, outbox, request_code


@pytest.fixture
def cloud() -> Iterator[None]:
    with identity_cloud():
        load_identity(identity_service())
        yield


def ask(phone: str, source_ip: str = "198.51.100.7", purpose: str = "sign_in") -> Reply:
    return invoke(api_event("otp-request", body={"phone": phone, "purpose": purpose}, source_ip=source_ip))


def attempt(phone: str, code: str) -> Reply:
    return invoke(api_event("sign-in", body={"phone": phone, "code": code}))


def other_than(code: str, offset: int = 1) -> str:
    return f"{(int(code) + offset) % 1_000_000:06d}"


def test_the_code_is_stored_only_as_a_keyed_hash(cloud: None) -> None:
    code = request_code(CITIZEN_A.phone)
    items = boto3.client("dynamodb").scan(TableName=IDENTITY_TABLE)["Items"]
    challenge = next(i for i in items if i["pk"]["S"].startswith("OTP#"))
    assert code not in str(challenge)
    assert CITIZEN_A.phone not in str(challenge)
    assert len(challenge["code_hash"]["S"]) == 64


def test_the_answer_masks_the_phone_and_states_the_limits(cloud: None) -> None:
    reply = ask(CITIZEN_A.phone)
    assert reply.status == 202
    assert reply.body == {"masked_phone": "138****0001", "expires_in": 300, "resend_after": 60}


def test_a_code_expires_after_five_minutes(cloud: None) -> None:
    code = request_code(CITIZEN_A.phone)
    with frozen_at(now() + timedelta(minutes=5, seconds=1)):
        reply = attempt(CITIZEN_A.phone, code)
    assert reply.status == 401
    assert reply.body["code"] == "identity.otp_expired"


def test_a_code_still_works_just_before_expiry(cloud: None) -> None:
    code = request_code(CITIZEN_A.phone)
    with frozen_at(now() + timedelta(minutes=4, seconds=55)):
        assert attempt(CITIZEN_A.phone, code).status == 200


def test_five_wrong_guesses_lock_the_code_with_429_and_retry_after(cloud: None) -> None:
    code = request_code(CITIZEN_A.phone)
    replies = [attempt(CITIZEN_A.phone, other_than(code, i)) for i in range(1, 6)]
    assert [r.status for r in replies] == [401, 401, 401, 401, 429]
    assert [r.body.get("code") for r in replies[:4]] == ["identity.otp_invalid"] * 4
    assert replies[4].body["code"] == "identity.otp_locked"
    # even the right code is refused now: brute force gets nowhere
    locked = attempt(CITIZEN_A.phone, code)
    assert locked.status == 429
    assert locked.body["code"] == "identity.otp_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= 300


def test_remaining_attempts_are_told(cloud: None) -> None:
    code = request_code(CITIZEN_A.phone)
    reply = invoke(
        api_event(
            "sign-in", body={"phone": CITIZEN_A.phone, "code": other_than(code)}, headers={"Accept-Language": "en"}
        )
    )
    assert reply.body["message"] == "The one-time code is wrong; 4 attempts left"


def test_a_phone_gets_one_code_per_resend_interval(cloud: None) -> None:
    assert ask(CITIZEN_A.phone).status == 202
    second = ask(CITIZEN_A.phone, source_ip="203.0.113.9")
    assert second.status == 429
    assert second.body["code"] == "identity.otp_rate_limited"
    assert 0 < int(second.headers["Retry-After"]) <= 60
    assert len(outbox(CITIZEN_A.phone)) == 1  # nothing sent for the refused request


def test_a_phone_gets_at_most_five_codes_an_hour(cloud: None) -> None:
    start = now().replace(minute=0, second=5, microsecond=0) + timedelta(hours=1)
    statuses = []
    for minute in range(7):
        with frozen_at(start + timedelta(minutes=2 * minute)):
            statuses.append(ask(CITIZEN_A.phone, source_ip=f"203.0.113.{minute}").status)
    assert statuses == [202] * 5 + [429, 429]
    with frozen_at(start + timedelta(minutes=16)):
        refused = ask(CITIZEN_A.phone, source_ip="203.0.113.99")
    # a sliding hour: the request passes once the first code (at `start`) is an hour old
    assert int(refused.headers["Retry-After"]) == 3600 - 16 * 60
    with frozen_at(start + timedelta(hours=1)):
        assert ask(CITIZEN_A.phone, source_ip="203.0.113.100").status == 202


def test_a_source_address_is_limited_across_phones(cloud: None) -> None:
    start = now().replace(minute=0, second=5, microsecond=0) + timedelta(hours=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTP_MAX_PER_SOURCE_PER_HOUR", "3")
        from tests.unit.identity_fixtures import forget_cached

        forget_cached()
        with frozen_at(start):
            statuses = [ask(f"1380000{n:04d}", source_ip="192.0.2.44").status for n in range(20, 25)]
            elsewhere = ask("13800000030", source_ip="192.0.2.45").status
    assert statuses == [202, 202, 202, 429, 429]
    assert elsewhere == 202


def test_a_new_code_replaces_the_old_one(cloud: None) -> None:
    first = request_code(CITIZEN_B.phone)
    with frozen_at(now() + timedelta(seconds=61)):
        second = request_code(CITIZEN_B.phone, source_ip="203.0.113.50")
        if first != second:
            assert attempt(CITIZEN_B.phone, first).status == 401
        assert attempt(CITIZEN_B.phone, second).status == 200


def test_a_refused_request_raises_no_counter(cloud: None) -> None:
    assert ask(CITIZEN_A.phone).status == 202
    before = boto3.client("dynamodb").scan(TableName=IDENTITY_TABLE)["Items"]
    assert ask(CITIZEN_A.phone).status == 429
    after = boto3.client("dynamodb").scan(TableName=IDENTITY_TABLE)["Items"]
    assert sorted(map(str, before)) == sorted(map(str, after))


def test_an_invalid_phone_is_refused_with_the_rule(cloud: None) -> None:
    reply = ask("10086")
    assert reply.status == 422
    assert reply.body["errors"] == [
        {"field": "phone", "code": "identity.phone_format", "message": "手机号码应为11位中国大陆手机号"}
    ]
    staff_purpose = invoke(api_event("otp-request", body={"phone": CITIZEN_A.phone, "purpose": "staff_sign_in"}))
    assert staff_purpose.status == 422
