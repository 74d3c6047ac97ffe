"""Expiry sweep with renewal reminders (Art. 50), the SM2/SM3 signer as the
configured alternative, and the holder's messages."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.licences.payload import decode
from shared.notifications.consumers import message_for
from shared.platform.clock import frozen_at
from shared.platform.events import Envelope
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.licences_fixtures import (
    CITIZEN,
    FOOD_LICENCE,
    HOLDER,
    issue,
    licence_due,
    licence_ids_of_case,
    licences_cloud,
    outbox,
)

ISSUED_AT = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)


def _sweep(on: dt.date) -> dict[str, object]:
    with frozen_at(dt.datetime.combine(on, dt.time(17, 0), tzinfo=dt.UTC)):
        result: dict[str, object] = load_function("licence_expiry_sweep").handler({}, FakeContext())
    return result


def test_renewal_reminders_30_days_ahead_once_then_expiry() -> None:
    with licences_cloud(), frozen_at(ISSUED_AT):
        due = licence_due(type_code=FOOD_LICENCE)
        assert issue(due) == {"batchItemFailures": []}
        [licence_id] = licence_ids_of_case(due["data"]["case_id"])
        valid_to = dt.date.fromisoformat(call("GET", f"/v1/me/licences/{licence_id}", CITIZEN).body["valid_to"])
        assert valid_to == dt.date(2031, 9, 20)  # 5 years, the day before the anniversary

        # 31 days before: nothing; 30 days before: one reminder; the next day: nothing new
        assert _sweep(valid_to - dt.timedelta(days=32))["reminded"] == []
        assert _sweep(valid_to - dt.timedelta(days=31))["reminded"] == [licence_id]
        assert _sweep(valid_to - dt.timedelta(days=30))["reminded"] == []
        [reminder] = outbox("licence.expiring")
        assert reminder["data"]["days_left"] == 30
        owner, message = message_for(Envelope.model_validate(reminder))
        assert owner == HOLDER
        assert "第五十条" in message.body

        # the day after valid_to: expired, once
        assert _sweep(valid_to + dt.timedelta(days=1))["expired"] == [licence_id]
        assert _sweep(valid_to + dt.timedelta(days=2))["expired"] == []
        assert call("GET", f"/v1/me/licences/{licence_id}", CITIZEN).body["status"] == "expired"
        assert len(outbox("licence.expired")) == 1


def test_the_sm2_signer_issues_licences_that_verify() -> None:
    with licences_cloud(signer="sm2"):
        due = licence_due()
        assert issue(due) == {"batchItemFailures": []}
        [licence_id] = licence_ids_of_case(due["data"]["case_id"])
        qr = call("GET", f"/v1/me/licences/{licence_id}", CITIZEN).body["qr"]
        assert decode(qr).algorithm == "SM2-SM3"
        verdict = call("POST", "/v1/licences/verify", None, body={"qr": qr}).body
        assert (verdict["result"], verdict["signature_checked"]) == ("valid", True)
        trust = call("GET", "/v1/licences/trust-list").body
        states = {k["alg"]: k["state"] for k in trust["keys"]}
        assert states == {"SM2-SM3": "current", "ES256": "standby"}


@pytest.mark.parametrize(
    ("event_type", "title"),
    [
        ("licence.issued", "电子证照已签发"),
        ("licence.revoked", "电子证照已撤销"),
        ("licence.replaced", "电子证照已换发"),
    ],
)
def test_licence_events_reach_the_holder(event_type: str, title: str) -> None:
    data = {
        "licence_id": "01JDQ90F3W7C8M2T6R4K9N5K1C",
        "identifier": "1.2.156.3005.2.x",
        "type_code": "11100000000010014P001",
        "type_name": "营业执照",
        "number": "320115202600000001",
        "issuer_uscc": "11320115012345600X",
        "issuer_name": "南京市江宁区市场监督管理局",
        "issuer_department_id": "320115-market",
        "case_id": "01JDQ90F3W7C8M2T6R4K9N5CA5",
        "case_number": "3201152026092101000001",
        "notify_subject_id": HOLDER,
        "status": "active",
        "valid_to": None,
        "status_list": "1",
        "version": 1,
        "reason": "以欺骗手段取得",
        "changed_by": "320115-market",
    }
    envelope = Envelope(type=event_type, source="licences", subject=data["licence_id"], data=data)
    owner, message = message_for(envelope)
    assert owner == HOLDER
    assert message.title == title
    assert message.link == "/me/licences/01JDQ90F3W7C8M2T6R4K9N5K1C"
