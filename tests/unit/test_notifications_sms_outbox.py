"""The SMS outbox a newcomer reads locally: what the adapter writes (masked
numbers only) and what `python -m shared.notifications.sms_outbox` prints."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from infra.seed.identity.people import CITIZEN_A
from shared.notifications import sms_outbox
from shared.platform.sms import GatewaySms, OutboxSms, SmsMessage, SmsUnavailable
from tests.support.api import invoke
from tests.unit.identity_fixtures import SMS_BUCKET, api_event, identity_cloud, request_code


@pytest.fixture
def cloud() -> Iterator[None]:
    with identity_cloud():
        from infra.seed.identity import load_identity
        from shared.identity.service import identity_service

        load_identity(identity_service())
        yield


def test_the_outbox_holds_the_masked_phone_and_the_text(cloud: None) -> None:
    code = request_code(CITIZEN_A.phone)
    [key] = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=SMS_BUCKET)["Contents"]]
    assert key.startswith("sms/138****0001/")
    body = boto3.client("s3").get_object(Bucket=SMS_BUCKET, Key=key)["Body"].read().decode()
    assert CITIZEN_A.phone not in body
    assert code in body


def test_the_cli_prints_the_latest_codes_for_a_phone(cloud: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = request_code(CITIZEN_A.phone)
    # `--endpoint ""` means AWS's own endpoint, which moto intercepts here
    assert sms_outbox.main([CITIZEN_A.phone, "--endpoint", ""]) == 0
    printed = capsys.readouterr().out
    assert "138****0001" in printed
    assert code in printed
    assert sms_outbox.main(["138****0001", "-n", "1", "--endpoint", ""]) == 0
    assert code in capsys.readouterr().out
    assert sms_outbox.main(["13800000077", "--endpoint", ""]) == 0
    assert "no messages for 138****0077" in capsys.readouterr().out


def test_the_cli_finds_the_local_cloud_bucket_by_name(cloud: None) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket="jszw-local-smsoutboxbucket", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
    )
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert sms_outbox.find_bucket(s3) in names
    assert "smsoutbox" in (sms_outbox.find_bucket(s3) or "").replace("-", "")


def test_an_unwired_channel_refuses_instead_of_pretending(cloud: None) -> None:
    with pytest.raises(SmsUnavailable):
        GatewaySms(None).send(CITIZEN_A.phone, SmsMessage("otp.sign_in", "x"))  # no SMS_GATEWAY_URL
    with pytest.raises(SmsUnavailable):
        OutboxSms("").send(CITIZEN_A.phone, SmsMessage("otp.sign_in", "x"))


def test_the_api_answers_503_when_sms_cannot_be_sent() -> None:
    with identity_cloud({"SMS_CHANNEL": "gateway"}):
        reply = invoke(api_event("otp-request", body={"phone": CITIZEN_A.phone, "purpose": "register"}))
    assert reply.status == 503
    assert reply.body["code"] == "identity.sms_unavailable"
