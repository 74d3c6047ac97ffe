"""PIPL in the logs: a whole identity flow — register, sign in, refresh, act for
an enterprise, staff sign-in, a wrong code, sign out — writes no raw ID number,
phone number, one-time code, password or token into any log record."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from infra.seed.identity import load_identity
from infra.seed.identity.people import AGENT, DEMO_ENTERPRISE, OPERATOR, ZHAO_LEI
from shared.identity.service import identity_service
from tests.support.api import invoke
from tests.unit.identity_fixtures import (
    api_event,
    identity_cloud,
    latest_code,
    principal_from,
    request_code,
    sign_in,
    staff_sign_in,
)

NEW_PHONE = "13800000009"


def test_no_personal_data_or_secret_reaches_a_log_record(caplog: pytest.LogCaptureFixture) -> None:
    # INFO, as the functions run (POWERTOOLS_LOG_LEVEL); botocore's own DEBUG log echoes request
    # parameters (a KMS Encrypt plaintext, for one) and is never enabled in a deployment.
    caplog.set_level(logging.INFO)
    secrets: list[str] = [ZHAO_LEI.id_number, NEW_PHONE, AGENT.phone, AGENT.person.id_number, OPERATOR.password]
    with identity_cloud():
        load_identity(identity_service())
        code = request_code(NEW_PHONE, "register")
        secrets.append(code)
        wrong = invoke(
            api_event(
                "register",
                body={
                    "id_number": ZHAO_LEI.id_number,
                    "name": ZHAO_LEI.name,
                    "phone": NEW_PHONE,
                    "code": f"{(int(code) + 1) % 10**6:06d}",
                },
                headers={"Idempotency-Key": None},
            )
        )
        assert wrong.status == 401
        registered = invoke(
            api_event(
                "register",
                body={"id_number": ZHAO_LEI.id_number, "name": ZHAO_LEI.name, "phone": NEW_PHONE, "code": code},
            )
        )
        assert registered.status == 201
        tokens: dict[str, Any] = sign_in(AGENT.phone, acting_for=DEMO_ENTERPRISE.uscc)
        secrets += [tokens["access_token"], tokens["refresh_token"], latest_code(AGENT.phone)]
        refreshed = invoke(api_event("refresh", body={"refresh_token": tokens["refresh_token"]})).body
        secrets += [refreshed["access_token"], refreshed["refresh_token"]]
        assert invoke(api_event("me", principal=principal_from(refreshed["access_token"]))).status == 200
        invoke(api_event("refresh", body={"refresh_token": tokens["refresh_token"]}))  # reuse: revokes, warns
        operator = staff_sign_in(OPERATOR.login, OPERATOR.password, OPERATOR.phone)
        secrets += [operator["access_token"], operator["refresh_token"], latest_code(OPERATOR.phone)]
        invoke(api_event("sign-out", body={"refresh_token": operator["refresh_token"]}))
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "signed in" in logged  # the flow did log
    for secret in secrets:
        assert secret not in logged
    for token in (tokens["access_token"], operator["access_token"]):
        assert token.split(".")[2] not in logged
