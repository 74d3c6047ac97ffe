"""Rate limits that hold at window boundaries (sliding windows, not fixed ones) and
password throttling per (login, source) with exponential back-off instead of a
lock anyone could trigger for a known login (issue 22, point 3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from infra.seed.identity import load_identity
from infra.seed.identity.people import CITIZEN_A, SUPERVISOR
from shared.identity import passwords
from shared.identity.service import identity_service
from shared.platform.clock import frozen_at, now
from tests.support.api import Reply, invoke
from tests.unit.identity_fixtures import api_event, forget_cached, identity_cloud, latest_code, outbox


@pytest.fixture
def cloud() -> Iterator[None]:
    with identity_cloud():
        load_identity(identity_service())
        yield


def next_hour() -> datetime:
    return now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def ask(phone: str, source_ip: str) -> Reply:
    return invoke(api_event("otp-request", body={"phone": phone, "purpose": "sign_in"}, source_ip=source_ip))


def password(login: str, secret: str, source_ip: str) -> Reply:
    return invoke(api_event("staff-sign-in", body={"login": login, "password": secret}, source_ip=source_ip))


# --- one-time codes ---------------------------------------------------------------------


def test_two_codes_two_seconds_apart_across_a_minute_boundary_are_refused(cloud: None) -> None:
    boundary = next_hour() + timedelta(minutes=7)
    with frozen_at(boundary - timedelta(seconds=1)):
        assert ask(CITIZEN_A.phone, "203.0.113.1").status == 202
    with frozen_at(boundary + timedelta(seconds=1)):
        second = ask(CITIZEN_A.phone, "203.0.113.2")
    assert second.status == 429
    assert second.body["code"] == "identity.otp_rate_limited"
    assert int(second.headers["Retry-After"]) == 58  # 60 s after the first, not the next minute
    assert len(outbox(CITIZEN_A.phone)) == 1


def test_the_hourly_cap_per_phone_does_not_reset_on_the_hour(cloud: None) -> None:
    hour = next_hour()
    statuses = []
    for minute in (50, 52, 54, 56, 58):
        with frozen_at(hour - timedelta(minutes=60 - minute)):
            statuses.append(ask(CITIZEN_A.phone, f"203.0.113.{minute}").status)
    with frozen_at(hour + timedelta(seconds=5)):
        refused = ask(CITIZEN_A.phone, "203.0.113.99")
    assert statuses == [202] * 5
    assert refused.status == 429
    # the oldest of the five (at :50) leaves the hour at :50 of the next hour
    assert int(refused.headers["Retry-After"]) == 50 * 60 - 5
    with frozen_at(hour + timedelta(minutes=50)):
        assert ask(CITIZEN_A.phone, "203.0.113.100").status == 202


def test_the_hourly_cap_per_source_does_not_reset_on_the_hour(cloud: None) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTP_MAX_PER_SOURCE_PER_HOUR", "3")
        forget_cached()
        hour = next_hour()
        with frozen_at(hour - timedelta(minutes=5)):
            before = [ask(f"1380000{n:04d}", "192.0.2.44").status for n in range(20, 23)]
        with frozen_at(hour + timedelta(minutes=1)):
            after = ask("13800000023", "192.0.2.44")
    assert before == [202, 202, 202]
    assert after.status == 429
    assert int(after.headers["Retry-After"]) == 54 * 60


# --- staff passwords --------------------------------------------------------------------


def test_ten_wrong_passwords_from_one_address_do_not_lock_the_owner_out(cloud: None) -> None:
    attacker, owner = "203.0.113.66", "198.51.100.20"
    start = now()
    statuses = []
    for i in range(10):
        with frozen_at(start + timedelta(minutes=20 * i)):  # slow enough never to meet the back-off
            statuses.append(password(SUPERVISOR.login, f"wrong-password-{i}", attacker).status)
    assert statuses == [401] * 10
    with frozen_at(start + timedelta(minutes=20 * 9, seconds=1)):
        # the owner, elsewhere, signs in with the right password and then the code sent to their phone
        started = password(SUPERVISOR.login, SUPERVISOR.password, owner)
        assert started.status == 202
        code = latest_code(SUPERVISOR.phone)
        verified = invoke(
            api_event("staff-sign-in-verify", body={"challenge_id": started.body["challenge_id"], "code": code})
        )
    assert verified.status == 200


def test_guessing_from_one_address_backs_off_exponentially(cloud: None) -> None:
    attacker = "203.0.113.77"
    start = now()
    with frozen_at(start):
        first = [password(SUPERVISOR.login, f"wrong-password-{i}", attacker).status for i in range(6)]
        assert first == [401] * 5 + [429]
        waits = [int(password(SUPERVISOR.login, "wrong-password-x", attacker).headers["Retry-After"])]
    moment = start
    for _ in range(3):
        moment += timedelta(seconds=waits[-1])
        with frozen_at(moment):
            assert password(SUPERVISOR.login, "wrong-password-y", attacker).status == 401
            refused = password(SUPERVISOR.login, "wrong-password-z", attacker)
            assert refused.status == 429
            assert refused.body["code"] == "identity.sign_in_rate_limited"
            waits.append(int(refused.headers["Retry-After"]))
    assert waits == [2, 4, 8, 16]
    # while backed off, even the right password is not tried (no oracle for the attacker) ...
    with frozen_at(moment + timedelta(seconds=1)):
        assert password(SUPERVISOR.login, SUPERVISOR.password, attacker).status == 429
    # ... and after the wait the owner on that address gets in, which clears the back-off
    with frozen_at(moment + timedelta(seconds=16)):
        assert password(SUPERVISOR.login, SUPERVISOR.password, attacker).status == 202
    with frozen_at(moment + timedelta(seconds=17)):
        assert password(SUPERVISOR.login, "wrong-password-again", attacker).status == 401


def test_the_back_off_is_capped_at_the_sign_in_window(cloud: None) -> None:
    attacker = "203.0.113.88"
    moment = now()
    wait = 0
    for _ in range(20):
        moment += timedelta(seconds=wait)
        with frozen_at(moment):
            password(SUPERVISOR.login, "wrong-password-q", attacker)
            refused = password(SUPERVISOR.login, "wrong-password-r", attacker)
            wait = int(refused.headers.get("Retry-After", "0"))
    assert wait == 900


def test_an_unknown_login_costs_one_password_derivation_like_a_known_one(
    cloud: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Timing must not tell which logins exist, and an unknown login must not cost a cold
    # function two scrypt runs (the dummy hash used to be derived from a random password).
    derivations: list[int] = []
    real = passwords._derive

    def counted(*args: Any, **kwargs: Any) -> bytes:
        derivations.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(passwords, "_derive", counted)
    passwords.dummy_hash.cache_clear()  # as in a cold function
    assert password("nobody-by-this-name", "some-password-1", "203.0.113.91").status == 401
    unknown = len(derivations)
    derivations.clear()
    assert password(SUPERVISOR.login, "some-password-2", "203.0.113.92").status == 401
    assert unknown == len(derivations) == 1
