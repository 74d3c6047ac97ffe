"""Issuance from `case.licence_due` (C11): identifier, metadata, signed QR, PDF
in S3, `licence.issued` for the case to move on; one licence per case."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from shared.licences.identifiers import parse_identifier
from shared.licences.payload import decode
from tests.support.api import call
from tests.unit.licences_fixtures import (
    AGENT,
    BUSINESS_LICENCE,
    CITIZEN,
    ENTERPRISE,
    ENTERPRISE_NAME,
    FOOD_LICENCE,
    HOLDER_ID,
    HOLDER_NAME,
    LICENCES_BUCKET,
    LicenceCloud,
    dlq_messages,
    issue,
    issuer_uscc,
    licence_due,
    licence_ids_of_case,
    licences_cloud,
    outbox,
)


@pytest.fixture(scope="module")
def cloud() -> Iterator[LicenceCloud]:
    with licences_cloud() as made:
        yield made


def test_an_approved_case_gets_one_signed_licence_with_a_pdf(cloud: LicenceCloud) -> None:
    # Given the cases context asks for the licence of an approved case
    due = licence_due()
    case_id = due["data"]["case_id"]

    # When the issuer consumes the event
    assert issue(due) == {"batchItemFailures": []}

    # Then one licence.issued names the case and the licence
    [licence_id] = licence_ids_of_case(case_id)
    issued = next(e for e in outbox("licence.issued") if e["data"]["licence_id"] == licence_id)
    assert issued["source"] == "licences"
    assert issued["data"]["notify_subject_id"] == due["data"]["holder_subject_id"]
    assert HOLDER_ID not in str(issued)
    assert HOLDER_NAME not in str(issued)

    # and the identifier follows GB/T 36904 with a valid MOD 37,36 check
    parsed = parse_identifier(issued["data"]["identifier"])
    assert (parsed.type_code, parsed.issuer_uscc, parsed.version) == (BUSINESS_LICENCE, issuer_uscc(), 1)

    # and the holder sees it in the wallet with masked code and a signed QR
    detail = call("GET", f"/v1/me/licences/{licence_id}", CITIZEN)
    assert detail.status == 200, detail.body
    metadata = detail.body["metadata"]
    assert metadata["holder"] == HOLDER_NAME
    assert metadata["holder_code"] == "320102********0213"
    assert metadata["holder_code_type"] == "111"
    assert metadata["valid_to"] is None  # 营业执照: long-term
    signed = decode(detail.body["qr"])
    assert signed.algorithm == "ES256"
    assert signed.payload.holder_code == "320102********0213"
    assert HOLDER_ID not in detail.body["qr"]

    # and the PDF certificate is in S3, downloadable through a short-lived link
    link = call("GET", f"/v1/me/licences/{licence_id}/download", CITIZEN)
    assert link.status == 200
    assert "X-Amz-Expires=300" in link.body["url"] or "Expires=" in link.body["url"]
    body = boto3.client("s3").get_object(Bucket=LICENCES_BUCKET, Key=f"certificates/{licence_id}.pdf")["Body"].read()
    assert body.startswith(b"%PDF-1.7")
    assert body.rstrip().endswith(b"%%EOF")


def test_a_redelivered_approval_event_still_makes_one_licence(cloud: LicenceCloud) -> None:
    due = licence_due()
    assert issue(due) == {"batchItemFailures": []}
    assert issue(due) == {"batchItemFailures": []}
    assert issue(due, due) == {"batchItemFailures": []}
    assert len(licence_ids_of_case(due["data"]["case_id"])) == 1


def test_an_enterprise_holder_is_named_from_the_registry_and_its_agents_see_it(cloud: LicenceCloud) -> None:
    due = licence_due(type_code=FOOD_LICENCE, holder_uscc=ENTERPRISE)
    assert issue(due) == {"batchItemFailures": []}
    [licence_id] = licence_ids_of_case(due["data"]["case_id"])
    detail = call("GET", f"/v1/me/licences/{licence_id}", AGENT)
    assert detail.status == 200, detail.body
    assert detail.body["metadata"]["holder"] == ENTERPRISE_NAME
    assert detail.body["metadata"]["holder_code"] == ENTERPRISE
    assert detail.body["metadata"]["holder_code_type"] == "001"
    assert detail.body["valid_to"] is not None  # 食品经营许可证: 5 years
    # the natural person who filed for the enterprise does not hold it personally
    assert call("GET", f"/v1/me/licences/{licence_id}", CITIZEN).status == 404


def test_an_unknown_licence_type_is_parked_with_its_reason(cloud: LicenceCloud) -> None:
    due = licence_due(type_code="11100000000010014P999")
    assert issue(due) == {"batchItemFailures": []}
    assert licence_ids_of_case(due["data"]["case_id"]) == []
    parked = dlq_messages(cloud.dlq_url)
    assert any(
        "licence.type_unknown: unknown licence type" in m["MessageAttributes"]["failure_reason"]["StringValue"]
        for m in parked
    )
