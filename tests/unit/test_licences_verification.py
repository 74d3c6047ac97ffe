"""Verification (C11): by identifier or QR payload → valid, expired, suspended,
revoked, replaced or unknown; status changes by the issuing department only,
published as a bitstring status list; bad input is a result, never a crash."""

from __future__ import annotations

import base64
import datetime as dt
import zlib
from collections.abc import Iterator
from unittest import mock

import pytest

from shared.licences import payload as payload_module
from shared.licences.payload import PREFIX, canonical, decode
from shared.licences.signing import Sm2Key
from shared.licences.status_list import Entry, StatusBits
from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.unit.licences_fixtures import (
    CITIZEN,
    FOOD_LICENCE,
    ISSUER_STAFF,
    OTHER_STAFF,
    SUPERVISOR,
    LicenceCloud,
    issue,
    licence_due,
    licence_ids_of_case,
    licences_cloud,
    outbox,
)


@pytest.fixture(scope="module")
def cloud() -> Iterator[LicenceCloud]:
    with licences_cloud() as made:
        yield made


def _issued(type_code: str | None = None) -> tuple[str, str, str]:
    due = licence_due(type_code=type_code) if type_code else licence_due()
    assert issue(due) == {"batchItemFailures": []}
    [licence_id] = licence_ids_of_case(due["data"]["case_id"])
    detail = call("GET", f"/v1/me/licences/{licence_id}", CITIZEN).body
    return licence_id, detail["identifier"], detail["qr"]


def _verify(**body: str) -> dict[str, object]:
    reply = call("POST", "/v1/licences/verify", None, body=body)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_fresh_licence_verifies_valid_by_qr_and_by_identifier(cloud: LicenceCloud) -> None:
    _, identifier, qr = _issued()
    by_qr = _verify(qr=qr)
    assert (by_qr["result"], by_qr["reason"], by_qr["signature_checked"]) == ("valid", "ok", True)
    assert by_qr["licence"]["holder_code"] == "320102********0213"  # type: ignore[index]
    by_id = _verify(identifier=identifier)
    assert (by_id["result"], by_id["signature_checked"]) == ("valid", False)
    assert by_id["licence"]["holder_name"] == "张*"  # type: ignore[index]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "hello",
        PREFIX,
        PREFIX + "!!!.???",
        PREFIX + _b64(b"not zlib") + "." + _b64(b"x" * 64),
        PREFIX + _b64(zlib.compress(b"[1,2,3]")) + "." + _b64(b"x" * 64),
        PREFIX + _b64(zlib.compress(b"\x00" * 100_000)) + "." + _b64(b"x" * 64),
        "JSZWL1:" + "A" * 5000,
    ],
)
def test_malformed_qr_data_is_a_clear_result(cloud: LicenceCloud, bad: str) -> None:
    if len(bad) > 4096:
        reply = call("POST", "/v1/licences/verify", None, body={"qr": bad})
        assert reply.status == 422
        return
    result = _verify(qr=bad) if bad else dict(call("POST", "/v1/licences/verify", None, body={"qr": bad}).body)
    assert result["result"] == "unknown"
    assert result["reason"] == "malformed"


def test_a_tampered_payload_fails_its_signature(cloud: LicenceCloud) -> None:
    _, _, qr = _issued()
    signed = decode(qr)
    outer = {"alg": signed.algorithm, "kid": signed.kid, "p": signed.payload.model_dump(mode="json", by_alias=True)}
    outer["p"]["vt"] = "2099-12-31"  # type: ignore[index]
    forged = PREFIX + _b64(zlib.compress(canonical(outer))) + "." + _b64(signed.signature)
    result = _verify(qr=forged)
    assert (result["result"], result["reason"]) == ("unknown", "bad_signature")


def test_a_payload_signed_by_a_key_outside_the_trust_list_is_untrusted(cloud: LicenceCloud) -> None:
    _, _, qr = _issued()
    signed = decode(qr)
    rogue = Sm2Key(123456789)
    forged = payload_module.encode(signed.payload, rogue)
    result = _verify(qr=forged)
    assert (result["result"], result["reason"]) == ("unknown", "untrusted_key")


def test_unknown_and_malformed_identifiers(cloud: LicenceCloud) -> None:
    _, identifier, _ = _issued()
    wrong_check = identifier[:-1] + ("0" if identifier[-1] != "0" else "1")
    assert _verify(identifier=wrong_check)["reason"] == "malformed"
    assert _verify(identifier="1.2.3")["reason"] == "malformed"
    unknown = identifier.replace(".00", ".99", 1)
    result = _verify(identifier=unknown)
    assert result["result"] == "unknown"
    assert result["reason"] in {"not_found", "malformed"}
    reply = call("POST", "/v1/licences/verify", None, body={})
    assert reply.status == 422


def test_the_issuing_department_suspends_reinstates_and_revokes(cloud: LicenceCloud) -> None:
    licence_id, _, qr = _issued()
    suspended = call("POST", f"/v1/licences/{licence_id}/suspend", ISSUER_STAFF, body={"reason": "涉嫌违法经营，暂扣"})
    assert suspended.status == 200, suspended.body
    assert _verify(qr=qr)["result"] == "suspended"
    assert call("POST", f"/v1/licences/{licence_id}/reinstate", ISSUER_STAFF, body={"reason": "整改完成"}).status == 200
    assert _verify(qr=qr)["result"] == "valid"
    assert (
        call("POST", f"/v1/licences/{licence_id}/revoke", ISSUER_STAFF, body={"reason": "以欺骗手段取得"}).status == 200
    )
    assert _verify(qr=qr)["result"] == "revoked"
    again = call("POST", f"/v1/licences/{licence_id}/reinstate", ISSUER_STAFF, body={"reason": "误操作"})
    assert (again.status, again.code) == (409, "licence.transition_not_allowed")
    revoked = [e for e in outbox("licence.revoked") if e["subject"] == licence_id]
    assert revoked[0]["data"]["reason"] == "以欺骗手段取得"

    # the published status list says so, at the licence's index, and nothing else is set
    document = call("GET", "/v1/licences/status-lists/1").body
    bits = StatusBits.decode(document["encoded_list"], document["size"])
    assert bits.get(decode(qr).payload.status_index) is Entry.REVOKED


def test_only_the_issuing_department_changes_status(cloud: LicenceCloud) -> None:
    licence_id, _, _ = _issued()
    # another department learns nothing: its answer is the one for a licence that does not exist
    other = call("POST", f"/v1/licences/{licence_id}/revoke", OTHER_STAFF, body={"reason": "越权撤销"})
    absent = call("POST", "/v1/licences/01JDQ90F3W7C8M2T6R4K9N0000/revoke", OTHER_STAFF, body={"reason": "越权撤销"})
    assert (other.status, other.code) == (absent.status, absent.code) == (404, "licence.not_found")
    assert call("POST", f"/v1/licences/{licence_id}/revoke", CITIZEN, body={"reason": "我要撤销"}).status == 403
    assert call("POST", f"/v1/licences/{licence_id}/revoke", SUPERVISOR, body={"reason": "督办撤销"}).status == 403
    missing = call("POST", "/v1/licences/01JDQ90F3W7C8M2T6R4K9N0000/revoke", ISSUER_STAFF, body={"reason": "无此证"})
    assert missing.status == 404


def test_a_replaced_licence_points_to_its_new_version(cloud: LicenceCloud) -> None:
    licence_id, identifier, qr = _issued(FOOD_LICENCE)
    reply = call("POST", f"/v1/licences/{licence_id}/replace", ISSUER_STAFF, body={"reason": "经营场所变更，换发新证"})
    assert reply.status == 200, reply.body
    new = reply.body
    assert new["licence_version"] == 2
    assert new["identifier"].split(".")[-2] == "002"
    assert new["identifier"].split(".")[-3] == identifier.split(".")[-3]  # same serial
    old = _verify(qr=qr)
    assert (old["result"], old["replaced_by_identifier"]) == ("replaced", new["identifier"])
    assert _verify(qr=new["qr"])["result"] == "valid"
    wallet = call("GET", "/v1/me/licences", CITIZEN).body["items"]
    assert {new["licence_id"], licence_id} <= {i["licence_id"] for i in wallet}


def test_an_expired_licence_verifies_expired(cloud: LicenceCloud) -> None:
    _, _, qr = _issued(FOOD_LICENCE)
    valid_to = decode(qr).payload.valid_to
    assert valid_to is not None
    with frozen_at(dt.datetime.combine(valid_to + dt.timedelta(days=1), dt.time(4), tzinfo=dt.UTC)):
        assert _verify(qr=qr)["result"] == "expired"


def test_status_that_cannot_be_read_is_never_valid(cloud: LicenceCloud) -> None:
    _, identifier, qr = _issued()
    from shared.licences.repository import LicencesRepository

    with mock.patch.object(LicencesRepository, "by_identifier", side_effect=RuntimeError("DynamoDB down")):
        assert _verify(qr=qr)["result"] == "unknown"
        assert _verify(qr=qr)["reason"] == "status_unavailable"
        assert _verify(identifier=identifier)["reason"] == "status_unavailable"


def test_the_trust_list_publishes_the_key_for_every_issuer(cloud: LicenceCloud) -> None:
    _, _, qr = _issued()
    trust = call("GET", "/v1/licences/trust-list").body
    kids = {k["kid"]: k for k in trust["keys"]}
    assert kids[decode(qr).kid]["state"] == "current"
    assert any(k["alg"] == "SM2-SM3" and k["state"] == "standby" for k in trust["keys"])
    assert trust["issuers"]
    assert decode(qr).kid in trust["issuers"][0]["kids"]
