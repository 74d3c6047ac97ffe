"""Sealed personal values (shared.platform.sealing, D-330): envelope encryption with a
cached data key, bound to purpose and record; the earlier KMS-ciphertext form still opens."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from shared.platform import aws
from shared.platform.clock import frozen_at
from shared.platform.sealing import ENVELOPE_PREFIX, PersonalDataSealer, SealBroken

T0 = dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC)
PERSON = {"name": "张三", "phone": "13800000001"}


@pytest.fixture
def key_id() -> Iterator[str]:
    aws.reset_clients()
    with mock_aws(), frozen_at(T0):
        yield boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
    aws.reset_clients()


def _kms_calls(action: object) -> dict[str, int]:
    with aws.count_calls() as counted:
        assert callable(action)
        action()
    return {k: v for k, v in counted.items() if k.startswith("kms.")}


def test_round_trip_and_what_the_stored_value_shows(key_id: str) -> None:
    sealer = PersonalDataSealer(key_id, "cases.delivery")
    sealed = sealer.seal("case-1", PERSON)
    assert sealed.startswith(ENVELOPE_PREFIX)
    assert "13800000001" not in sealed
    assert "张三" not in sealed
    # a fresh 96-bit nonce per value: the same values sealed twice differ
    assert sealer.seal("case-1", PERSON) != sealed
    assert sealer.unseal("case-1", sealed) == PERSON
    # another container (no cached key) opens it with one KMS Decrypt of the data key
    assert PersonalDataSealer(key_id, "cases.delivery").unseal("case-1", sealed) == PERSON


def test_a_value_moved_to_another_record_or_purpose_does_not_open(key_id: str) -> None:
    sealed = PersonalDataSealer(key_id, "cases.delivery").seal("case-1", PERSON)
    with pytest.raises(SealBroken):
        PersonalDataSealer(key_id, "cases.delivery").unseal("case-2", sealed)
    # KMS refuses the data key under another purpose's encryption context
    with pytest.raises(ClientError, match="InvalidCiphertext"):
        PersonalDataSealer(key_id, "delivery.pickup").unseal("case-1", sealed)


def test_a_tampered_value_does_not_open(key_id: str) -> None:
    sealer = PersonalDataSealer(key_id, "hotline.contact")
    sealed = sealer.seal("ticket-1", {"phone": "13900000002"})
    prefix, wrapped, body = sealed.split(":")
    raw = bytearray(base64.b64decode(body))
    raw[-20] ^= 0x01  # one bit of the ciphertext
    with pytest.raises(SealBroken):
        sealer.unseal("ticket-1", f"{prefix}:{wrapped}:{base64.b64encode(bytes(raw)).decode()}")
    for malformed in (f"{prefix}:{wrapped}", f"{prefix}:{wrapped}:!!", f"{prefix}:{wrapped}:{body[:8]}"):
        with pytest.raises(SealBroken):
            sealer.unseal("ticket-1", malformed)


def test_a_value_sealed_in_the_earlier_form_still_opens(key_id: str) -> None:
    # D-018's form, as stored before D-330: one KMS Encrypt bound to purpose and record
    blob = boto3.client("kms").encrypt(
        KeyId=key_id,
        Plaintext=b'{"id_number":"320102199001011234","phone":"13800000001"}',
        EncryptionContext={"purpose": "identity.account", "subject_id": "subject-1"},
    )["CiphertextBlob"]
    old = base64.b64encode(blob).decode()
    sealer = PersonalDataSealer(key_id, "identity.account")
    assert _kms_calls(lambda: sealer.unseal("subject-1", old)) == {"kms.Decrypt": 1}
    assert sealer.unseal("subject-1", old) == {"id_number": "320102199001011234", "phone": "13800000001"}
    with pytest.raises(ClientError, match="InvalidCiphertext"):
        sealer.unseal("subject-2", old)


def test_the_writer_reuses_its_data_key_for_five_minutes(key_id: str) -> None:
    sealer = PersonalDataSealer(key_id, "cases.delivery")
    assert _kms_calls(lambda: sealer.seal("case-1", PERSON)) == {"kms.GenerateDataKey": 1}
    at_4_59 = T0 + dt.timedelta(minutes=4, seconds=59)
    with frozen_at(at_4_59):
        assert _kms_calls(lambda: [sealer.seal(f"case-{n}", PERSON) for n in range(20)]) == {}
    with frozen_at(T0 + dt.timedelta(minutes=5)):
        assert _kms_calls(lambda: sealer.seal("case-x", PERSON)) == {"kms.GenerateDataKey": 1}
    # a clock set back (an earlier frozen moment) does not keep an old key alive
    with frozen_at(T0 - dt.timedelta(seconds=1)):
        assert _kms_calls(lambda: sealer.seal("case-y", PERSON)) == {"kms.GenerateDataKey": 1}


def test_the_writer_renews_its_data_key_after_max_messages(key_id: str) -> None:
    sealer = PersonalDataSealer(key_id, "cases.delivery", max_messages=3)
    first = _kms_calls(lambda: [sealer.seal(f"case-{n}", PERSON) for n in range(3)])
    assert first == {"kms.GenerateDataKey": 1}
    values = []
    assert _kms_calls(lambda: values.append(sealer.seal("case-3", PERSON))) == {"kms.GenerateDataKey": 1}
    assert sealer.unseal("case-3", values[0]) == PERSON


def test_a_reader_keeps_unwrapped_keys_for_five_minutes_in_a_bounded_lru(key_id: str) -> None:
    writers = [PersonalDataSealer(key_id, "cases.delivery") for _ in range(3)]  # three containers
    sealed = [w.seal(f"case-{n}", PERSON) for n, w in enumerate(writers)]
    reader = PersonalDataSealer(key_id, "cases.delivery", reader_keys=2)
    assert _kms_calls(lambda: reader.unseal("case-0", sealed[0])) == {"kms.Decrypt": 1}
    assert _kms_calls(lambda: reader.unseal("case-0", sealed[0])) == {}
    with frozen_at(T0 + dt.timedelta(minutes=5)):
        assert _kms_calls(lambda: reader.unseal("case-0", sealed[0])) == {"kms.Decrypt": 1}
    later = T0 + dt.timedelta(minutes=6)
    with frozen_at(later):
        assert _kms_calls(lambda: [reader.unseal(f"case-{n}", sealed[n]) for n in (1, 2)]) == {"kms.Decrypt": 2}
        # three keys seen, two kept: the least recently used (case-0's) was dropped
        assert _kms_calls(lambda: reader.unseal("case-2", sealed[2])) == {}
        assert _kms_calls(lambda: reader.unseal("case-0", sealed[0])) == {"kms.Decrypt": 1}


def test_a_writer_opens_what_it_sealed_without_kms(key_id: str) -> None:
    sealer = PersonalDataSealer(key_id, "identity.account")
    sealed = sealer.seal("subject-1", {"id_number": "320102199001011234", "phone": "13800000001"})
    assert _kms_calls(lambda: sealer.unseal("subject-1", sealed)) == {}
