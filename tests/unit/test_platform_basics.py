"""Cursors, error messages, ids and masking: the small rules every API relies on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.platform.clock import frozen_at, now
from shared.platform.errors import BadRequest, FieldError, NotFound, message_for, register_messages
from shared.platform.ids import new_id
from shared.platform.pagination import decode_cursor, encode_cursor
from shared.platform.privacy import mask_id_number, mask_phone

keys = st.dictionaries(
    st.sampled_from(["pk", "sk", "gsi1pk", "gsi1sk"]),
    st.one_of(st.text(max_size=40), st.integers(min_value=0, max_value=10**12)),
    min_size=1,
)


@given(keys)
def test_cursor_round_trips_any_key(key: dict[str, str | int]) -> None:
    assert decode_cursor(encode_cursor(key)) == key


def test_cursor_bound_to_another_partition_is_refused() -> None:
    cursor = encode_cursor({"gsi1pk": "REGION#320100", "sk": "x"})
    with pytest.raises(BadRequest) as refused:
        decode_cursor(cursor, must_match={"gsi1pk": "REGION#320000"})
    assert refused.value.code == "invalid_cursor"


@pytest.mark.parametrize("garbage", ["%%%", "bm90IGpzb24", "WzEsMl0", "eyJhIjogWzFdfQ"])
def test_garbage_cursors_are_a_400_not_a_crash(garbage: str) -> None:
    with pytest.raises(BadRequest):
        decode_cursor(garbage)


def test_no_cursor_means_first_page() -> None:
    assert decode_cursor(None) is None
    assert encode_cursor({}) is None


def test_messages_are_chinese_by_default_english_on_request_with_parameters() -> None:
    assert message_for("payload_too_large", "zh", {"limit": 10}) == "请求体过大（上限 10 字节）"
    assert message_for("payload_too_large", "en", {"limit": 10}) == "The request body is too large (limit 10 bytes)"
    assert message_for("no.such.code", "en") == "The request could not be processed"


def test_a_code_cannot_be_registered_twice_with_other_texts() -> None:
    register_messages({"test.same": ("甲", "A")})
    register_messages({"test.same": ("甲", "A")})
    with pytest.raises(ValueError, match="twice"):
        register_messages({"test.same": ("乙", "B")})


def test_problem_body_shape() -> None:
    body = NotFound(errors=[FieldError(field="code", code="field.invalid")]).problem("en", "r-1")
    assert body == {
        "type": "https://errors.jszwfw.gov.cn/not_found",
        "title": "Not Found",
        "status": 404,
        "code": "not_found",
        "message": "The resource does not exist",
        "errors": [{"field": "code", "code": "field.invalid", "message": "Invalid value"}],
        "request_id": "r-1",
    }


def test_ids_sort_by_creation_time() -> None:
    with frozen_at(datetime(2026, 1, 1, tzinfo=UTC)):
        first = new_id()
    with frozen_at(datetime(2026, 1, 2, tzinfo=UTC)):
        second = new_id()
    assert len(first) == 26
    assert first < second
    assert now().year >= 2026


def test_masking_keeps_only_what_people_recognise() -> None:
    assert mask_id_number("32010219900307123X") == "320102********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("123") == "***"
