"""Issuing-key rotation (previous keys stay in the trust list) and concurrent
deliveries of the same approval (still one licence, no orphan certificate)."""

from __future__ import annotations

from unittest import mock

import boto3
import pytest

from shared.licences import service as service_module
from shared.licences.payload import decode
from shared.licences.repository import LicencesRepository
from tests.support.api import call
from tests.unit.licences_fixtures import (
    CITIZEN,
    LICENCES_BUCKET,
    forget_cached,
    issue,
    licence_due,
    licence_ids_of_case,
    licences_cloud,
)


def _issue_one() -> str:
    due = licence_due()
    assert issue(due) == {"batchItemFailures": []}
    [licence_id] = licence_ids_of_case(due["data"]["case_id"])
    return str(call("GET", f"/v1/me/licences/{licence_id}", CITIZEN).body["qr"])


def test_a_rotated_key_stays_trusted_for_what_it_signed(monkeypatch: pytest.MonkeyPatch) -> None:
    with licences_cloud() as cloud:
        old_qr = _issue_one()
        new_key = boto3.client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        monkeypatch.setenv("LICENCE_SIGNING_KEY_ID", new_key["KeyId"])
        monkeypatch.setenv("LICENCE_PREVIOUS_KEY_IDS", cloud.signing_key_id)
        forget_cached()
        new_qr = _issue_one()
        assert decode(new_qr).kid != decode(old_qr).kid
        for qr in (old_qr, new_qr):
            assert call("POST", "/v1/licences/verify", body={"qr": qr}).body["result"] == "valid"
        states = {k["kid"]: k["state"] for k in call("GET", "/v1/licences/trust-list").body["keys"]}
        assert states[decode(new_qr).kid] == "current"
        assert states[decode(old_qr).kid] == "previous"

        # dropped from the configuration: what it signed is no longer trusted
        monkeypatch.setenv("LICENCE_PREVIOUS_KEY_IDS", "")
        forget_cached()
        assert call("POST", "/v1/licences/verify", body={"qr": old_qr}).body["reason"] == "untrusted_key"


def test_two_deliveries_racing_make_one_licence_and_no_orphan_pdf() -> None:
    with licences_cloud():
        due = licence_due()
        assert issue(due) == {"batchItemFailures": []}
        [winner] = licence_ids_of_case(due["data"]["case_id"])
        # the second delivery read "no licence yet" before the first committed
        real = LicencesRepository.licence_id_for_case
        calls = iter([None])

        def racing(self: LicencesRepository, case_id: str) -> str | None:
            return next(calls, real(self, case_id))

        with mock.patch.object(LicencesRepository, "licence_id_for_case", racing):
            outcome = service_module.licences_service().issue(
                service_module.LicenceDueData.model_validate(due["data"]), correlation_id=None
            )
        assert (outcome.result, outcome.licence_id) == ("duplicate", winner)
        assert licence_ids_of_case(due["data"]["case_id"]) == [winner]
        keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=LICENCES_BUCKET).get("Contents", [])]
        assert keys == [f"certificates/{winner}.pdf"]
