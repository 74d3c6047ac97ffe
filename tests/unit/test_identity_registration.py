"""Real-name registration through the identity_api handler against moto: the
happy path, and every refusal — each naming its rule and creating nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.seed.identity.people import AYGUL, CITIZEN_A, ZHAO_LEI
from shared.identity.service import identity_service
from shared.platform.dynamo import from_item, outbox_events
from shared.platform.events import Envelope
from tests.support.api import invoke
from tests.support.template_tables import stored_text
from tests.unit.identity_fixtures import (
    IDEMPOTENCY_TABLE,
    IDENTITY_TABLE,
    api_event,
    identity_cloud,
    outbox,
    request_code,
)

NEW_PHONE = "13800000009"


@pytest.fixture
def cloud() -> Iterator[None]:
    with identity_cloud():
        from infra.seed.identity import load_identity

        load_identity(identity_service())
        yield


def table_items() -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName=IDENTITY_TABLE)["Items"]


def accounts_and_events() -> tuple[int, int]:
    items = table_items()
    accounts = sum(1 for i in items if i["pk"]["S"].startswith("ACCOUNT#") and i["sk"]["S"] == "PROFILE")
    events = sum(len(outbox_events(from_item(i))) for i in items if i["pk"]["S"].startswith("OUTBOX#"))
    return accounts, events


def register(body: dict[str, Any], headers: dict[str, str | None] | None = None) -> Any:
    return invoke(api_event("register", body=body, headers=headers or {"Idempotency-Key": None}))


def registration(code: str, **overrides: str) -> dict[str, Any]:
    return {"id_number": ZHAO_LEI.id_number, "name": ZHAO_LEI.name, "phone": NEW_PHONE, "code": code, **overrides}


def test_a_person_in_the_registry_registers_with_the_code_from_the_sms_outbox(cloud: None) -> None:
    # Given a code sent to a new phone
    code = request_code(NEW_PHONE, "register")
    before = accounts_and_events()
    # When the person registers with ID number, name, phone and code
    reply = register(registration(code))
    # Then an account exists, shown masked, with its event in the outbox
    assert reply.status == 201, reply.body
    assert reply.body["id_number_masked"] == "320113********0572"
    assert reply.body["phone_masked"] == "138****0009"
    assert reply.body["role"] == "citizen"
    assert reply.body["name"] == ZHAO_LEI.name
    assert accounts_and_events() == (before[0] + 1, before[1] + 1)
    events = [
        Envelope.model_validate(e)
        for i in table_items()
        if i["pk"]["S"].startswith("OUTBOX#")
        for e in outbox_events(from_item(i))
    ]
    registered = [e for e in events if e.type == "identity.account_registered"]
    assert len(registered) == 1
    assert registered[0].data == {"subject_id": reply.body["subject_id"], "role": "citizen"}
    assert registered[0].subject == reply.body["subject_id"]


def test_no_raw_id_number_or_phone_is_stored_anywhere(cloud: None) -> None:
    code = request_code(NEW_PHONE, "register")
    assert register(registration(code), headers={"Idempotency-Key": "reg-raw"}).status == 201
    for table in (IDENTITY_TABLE, IDEMPOTENCY_TABLE):
        dump = stored_text(table)
        for raw in (ZHAO_LEI.id_number, NEW_PHONE, CITIZEN_A.phone, CITIZEN_A.person.id_number, code):
            assert raw not in dump, f"{table} holds a raw value"


def test_a_name_with_the_middle_dot_registers(cloud: None) -> None:
    code = request_code("13800000010", "register")
    reply = register({"id_number": AYGUL.id_number, "name": "阿依古丽 • 买买提", "phone": "13800000010", "code": code})
    assert reply.status == 201, reply.body
    assert reply.body["name"] == AYGUL.name


def test_input_is_normalised_full_width_digits_and_lower_case_x(cloud: None) -> None:
    code = request_code(NEW_PHONE, "register")
    full_width = ZHAO_LEI.id_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    reply = register(registration(code, id_number=full_width, phone="+86 138-0000-0009"))
    assert reply.status == 201, reply.body


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("id_number", "32011319950620057", "id_number.format"),
        ("id_number", "320113199506200573", "id_number.checksum"),
        ("id_number", "320113199502300576", "id_number.birth_date"),
        ("id_number", "320113209901010011", "id_number.future_birth_date"),
        ("id_number", "320100199506200570", "id_number.address_code"),
        ("phone", "12800000009", "identity.phone_format"),
        ("phone", "1380000000", "identity.phone_format"),
        ("name", "Zhao Lei", "identity.name_format"),
        ("name", "赵", "identity.name_format"),
    ],
)
def test_invalid_fields_are_refused_with_422_naming_the_rule(cloud: None, field: str, value: str, rule: str) -> None:
    code = request_code(NEW_PHONE, "register")
    before = accounts_and_events()
    reply = register(registration(code, **{field: value}))
    assert reply.status == 422, reply.body
    assert reply.body["code"] == "validation_failed"
    assert {"field": field, "code": rule} in [{"field": e["field"], "code": e["code"]} for e in reply.body["errors"]]
    assert accounts_and_events() == before


def test_every_bad_field_is_named_at_once_and_in_english_on_request(cloud: None) -> None:
    reply = invoke(
        api_event(
            "register",
            body={"id_number": "123", "name": "X", "phone": "1", "code": "000000"},
            headers={"Accept-Language": "en", "Idempotency-Key": None},
        )
    )
    assert reply.status == 422
    assert [e["code"] for e in reply.body["errors"]] == [
        "id_number.format",
        "identity.name_format",
        "identity.phone_format",
    ]
    assert reply.body["errors"][0]["message"].startswith("An ID number has 18 characters")


def test_a_name_that_does_not_match_the_population_registry_is_refused(cloud: None) -> None:
    code = request_code(NEW_PHONE, "register")
    before = accounts_and_events()
    reply = register(registration(code, name="赵雷"))
    assert reply.status == 422
    assert reply.body["code"] == "identity.real_name_mismatch"
    assert accounts_and_events() == before
    # the code was not spent: the corrected name goes through with it
    assert register(registration(code)).status == 201


def test_an_id_number_the_registry_does_not_hold_is_refused_like_a_mismatch(cloud: None) -> None:
    code = request_code(NEW_PHONE, "register")
    reply = register(registration(code, id_number="320102200001010016"))
    assert reply.status == 422
    assert reply.body["code"] == "identity.real_name_mismatch"


def test_a_wrong_code_is_refused_and_counts_as_an_attempt(cloud: None) -> None:
    code = request_code(NEW_PHONE, "register")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    before = accounts_and_events()
    reply = register(registration(wrong))
    assert reply.status == 401
    assert reply.body["code"] == "identity.otp_invalid"
    assert "4" in reply.body["message"]
    assert accounts_and_events() == before


def test_without_a_requested_code_nothing_is_registered(cloud: None) -> None:
    reply = register(registration("123456"))
    assert reply.status == 401
    assert reply.body["code"] == "identity.otp_expired"


def test_a_code_works_once(cloud: None) -> None:
    code = request_code(NEW_PHONE, "register")
    assert register(registration(code)).status == 201
    again = register(registration(code))
    assert again.status == 401
    assert again.body["code"] == "identity.otp_expired"


def test_an_id_number_registers_once(cloud: None) -> None:
    # citizen A's ID number, with a fresh phone
    code = request_code(NEW_PHONE, "register")
    before = accounts_and_events()
    reply = register(registration(code, id_number=CITIZEN_A.person.id_number, name=CITIZEN_A.person.name))
    assert reply.status == 409
    assert reply.body["code"] == "identity.already_registered"
    assert accounts_and_events() == before


def test_a_registered_phone_gets_a_notice_instead_of_a_code(cloud: None) -> None:
    # asking for a registration code for citizen A's phone answers as usual but sends no code
    reply = invoke(api_event("otp-request", body={"phone": CITIZEN_A.phone, "purpose": "register"}))
    assert reply.status == 202
    assert "验证码" not in outbox(CITIZEN_A.phone)[-1]["text"]
    attempt = register(registration("123456", phone=CITIZEN_A.phone))
    assert attempt.status == 401


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(cloud: None) -> None:
    code = request_code(NEW_PHONE, "register")
    first = register(registration(code), headers={"Idempotency-Key": "reg-1"})
    second = register(registration(code), headers={"Idempotency-Key": "reg-1"})
    assert first.status == second.status == 201
    assert first.body == second.body
    other = register(registration(code, name="赵雷"), headers={"Idempotency-Key": "reg-1"})
    assert other.status == 409
    assert other.body["code"] == "idempotency_key_reused"


def test_the_sample_event_is_well_formed(cloud: None) -> None:
    # the committed sample (for `sam local invoke -e`) carries a code nobody requested
    reply = invoke(api_event("register"))
    assert reply.status == 401
    assert reply.body["code"] == "identity.otp_expired"
