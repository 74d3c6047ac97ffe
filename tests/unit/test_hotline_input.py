"""Bad input is refused with a stable code and writes nothing (acceptance point 6), a
replayed Idempotency-Key returns the first ticket or 409 for another body, attachments
go up by presigned POST and count only once read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.template import ROOT
from shared.platform.clock import frozen_at
from tests.support.api import call, invoke
from tests.unit.hotline_fixtures import ATTACHMENTS, CITIZEN, COMPLAINT, XUANWU_MARKET, hotline_cloud, table_items

MONDAY = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n" + b"receipt " * 64


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    with hotline_cloud(), frozen_at(MONDAY):
        yield


def declared(data: bytes = PDF, **changes: Any) -> dict[str, Any]:
    return {
        "file_name": "小票.pdf",
        "content_type": "application/pdf",
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    } | changes


BAD: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("empty text", "/v1/hotline/tickets", COMPLAINT | {"text": "   "}, 422, "hotline.empty_text"),
    ("unknown category", "/v1/hotline/tickets", COMPLAINT | {"category_code": "0999"}, 422, "hotline.unknown_category"),
    (
        "a type the channel cannot open",
        "/v1/hotline/anonymous-tickets",
        COMPLAINT | {"contact_phone": "13700005678", "code": "123456"},
        422,
        "hotline.type_not_for_channel",
    ),
    (
        "oversize attachment",
        "/v1/hotline/tickets",
        COMPLAINT | {"attachments": [declared(size_bytes=20 * 1024 * 1024)]},
        422,
        "hotline.attachment_too_large",
    ),
    (
        "too many attachments",
        "/v1/hotline/tickets",
        COMPLAINT | {"attachments": [declared()] * 6},
        422,
        "hotline.too_many_attachments",
    ),
    (
        "attachment type",
        "/v1/hotline/tickets",
        COMPLAINT | {"attachments": [declared(content_type="application/x-msdownload")]},
        422,
        "hotline.attachment_type_not_allowed",
    ),
    (
        "a knowledge answer for a complaint",
        "/v1/hotline/tickets",
        COMPLAINT | {"accepted_answer": {"source": "faq", "id": "01JDQ90F3W7C8M2T6R4K9N5F01"}},
        422,
        "hotline.knowledge_answer_not_a_consultation",
    ),
    (
        "a region outside Jiangsu",
        "/v1/hotline/tickets",
        COMPLAINT | {"location": {"region_code": "110101"}},
        422,
        "validation_failed",
    ),
]


@pytest.mark.parametrize(("case", "path", "body", "status", "code"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_a_stable_code_and_nothing_is_written(
    case: str, path: str, body: dict[str, Any], status: int, code: str
) -> None:
    before = table_items()
    reply = call("POST", path, CITIZEN if path.endswith("/tickets") else None, body=body)
    assert (reply.status, reply.code) == (status, code), reply.body
    assert reply.body["message"]
    assert table_items() == before


def test_english_on_request() -> None:
    reply = call(
        "POST", "/v1/hotline/tickets", CITIZEN, body=COMPLAINT | {"text": ""}, headers={"Accept-Language": "en"}
    )
    assert reply.body["message"] == "The request text must not be empty"


def test_a_replayed_idempotency_key_returns_the_first_ticket_and_refuses_another_body() -> None:
    body = COMPLAINT | {"location": COMPLAINT["location"] | {"address": "玄武区幂等路 1 号"}}
    key = {"Idempotency-Key": "ticket-key-1"}
    first = call("POST", "/v1/hotline/tickets", CITIZEN, body=body, headers=key)
    assert first.status == 201
    again = call("POST", "/v1/hotline/tickets", CITIZEN, body=body, headers=key)
    assert again.body["ticket_id"] == first.body["ticket_id"]
    before = table_items()
    other = call("POST", "/v1/hotline/tickets", CITIZEN, body=body | {"text": "另一件事"}, headers=key)
    assert (other.status, other.code) == (409, "idempotency_key_reused")
    assert table_items() == before


def test_an_attachment_goes_up_by_presigned_post_and_counts_once_read_back() -> None:
    sample = json.loads((ROOT / "events" / "hotline_api" / "ticket-open.json").read_text(encoding="utf-8"))
    body = json.loads(sample["body"]) | {"attachments": [declared()]}
    body["location"]["address"] = "玄武区附件路 1 号"
    sample["body"] = json.dumps(body, ensure_ascii=False)
    opened = invoke(sample)
    assert opened.status == 201, opened.body
    upload = opened.body["uploads"][0]
    assert upload["fields"]["key"] == f"hotline/{opened.body['ticket_id']}/{upload['attachment_id']}"
    confirm = f"/v1/hotline/tickets/{opened.body['ticket_id']}/attachments/{upload['attachment_id']}/confirm"
    missing = call("POST", confirm, CITIZEN)
    assert (missing.status, missing.code) == (422, "hotline.attachment_not_uploaded")
    s3 = boto3.client("s3")
    s3.put_object(
        Bucket=ATTACHMENTS, Key=upload["fields"]["key"], Body=b"MZ not a pdf" + PDF[12:], ContentType="application/pdf"
    )
    assert call("POST", confirm, CITIZEN).code == "hotline.attachment_not_uploaded"  # renamed file: caught
    s3.put_object(Bucket=ATTACHMENTS, Key=upload["fields"]["key"], Body=PDF, ContentType="application/pdf")
    assert call("POST", confirm, XUANWU_MARKET).status == 403  # the requester's file, not the department's
    confirmed = call("POST", confirm, CITIZEN)
    assert confirmed.status == 200
    assert confirmed.body["attachments"][0]["confirmed"] is True
