"""AWS calls per sign-in and per authorizer invocation (issue 3), counted
exactly against moto with the identity demo data. Run with `make bench`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from infra.seed.identity import load_identity
from infra.seed.identity.people import CITIZEN_A, CITIZEN_B, OPERATOR
from shared.identity.service import identity_service
from shared.platform import aws
from tests.support.api import invoke
from tests.unit import identity_fixtures as ids

ROWS: list[tuple[str, Counter[str]]] = []


@pytest.fixture(scope="module")
def identity_demo() -> Iterator[None]:
    with ids.identity_cloud():
        load_identity(identity_service())
        yield
    print("\n\n| operation | AWS calls | detail |\n|---|---:|---|")
    for name, calls in ROWS:
        print(f"| {name} | {sum(calls.values())} | {', '.join(f'{k} {v}' for k, v in sorted(calls.items()))} |")


@pytest.mark.perf
def test_calls_per_sign_in_and_per_authorization(identity_demo: None) -> None:
    ids.sign_in(CITIZEN_A.phone)  # a warm container: hash secret and clients cached
    with aws.count_calls() as otp:
        assert invoke(ids.api_event("otp-request", body={"phone": CITIZEN_B.phone, "purpose": "sign_in"})).status == 202
    code = ids.latest_code(CITIZEN_B.phone)  # the test reads the SMS outbox: not counted
    with aws.count_calls() as citizen:
        tokens = invoke(ids.api_event("sign-in", body={"phone": CITIZEN_B.phone, "code": code}))
    assert tokens.status == 200
    with aws.count_calls() as step_one:
        started = invoke(ids.api_event("staff-sign-in", body={"login": OPERATOR.login, "password": OPERATOR.password}))
    code = ids.latest_code(OPERATOR.phone)
    with aws.count_calls() as step_two:
        verified = invoke(
            ids.api_event("staff-sign-in-verify", body={"challenge_id": started.body["challenge_id"], "code": code})
        )
    assert verified.status == 200
    ROWS.extend(
        [
            ("request a one-time code (SMS)", Counter(otp)),
            ("citizen sign-in with the code", Counter(citizen)),
            ("staff sign-in, step 1 (password)", Counter(step_one)),
            ("staff sign-in, step 2 (code)", Counter(step_two)),
        ]
    )
    ids.forget_cached()
    with aws.count_calls() as cold:
        ids.authorize(verified.body["access_token"])
    with aws.count_calls() as warm:
        ids.authorize(verified.body["access_token"])
    ROWS.extend([("authorizer, cold container", Counter(cold)), ("authorizer, warm container", Counter(warm))])
    assert dict(cold) == {"kms.GetPublicKey": 1, "dynamodb.GetItem": 1}  # the key, and is the session live
    assert sum(warm.values()) == 0  # both cached (the session for 30 s)
