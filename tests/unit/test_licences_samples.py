"""The sample trigger events in events/licence_* run through their functions
(the same files work with `sam local invoke -e`)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.platform.clock import frozen_at
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.licences_fixtures import (
    FOOD_LICENCE,
    LicenceCloud,
    issuer_uscc,
    licence_ids_of_case,
    licences_cloud,
    new_case_id,
)

EVENTS = ROOT / "events"


def _sample(folder: str, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / folder / name).read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def cloud() -> Iterator[LicenceCloud]:
    with licences_cloud() as made:
        yield made


def test_the_issuer_sample_issues_one_licence(cloud: LicenceCloud) -> None:
    sample = _sample("licence_issuer", "sqs-case-licence-due.json")
    assert load_function("licence_issuer").handler(sample, FakeContext()) == {"batchItemFailures": []}
    assert len(licence_ids_of_case("01JDQ90F3W7C8M2T6R4K9N5CA5")) == 1


def test_the_publisher_sample_publishes_the_lists_with_every_licence(cloud: LicenceCloud) -> None:
    import boto3

    from tests.unit.licences_fixtures import LICENCES_BUCKET, issue, licence_due

    issue(licence_due(type_code=FOOD_LICENCE))
    s3 = boto3.client("s3")
    for key in ("public/trust-list.json", "public/status-lists/1.json"):
        with contextlib.suppress(s3.exceptions.NoSuchKey):
            s3.delete_object(Bucket=LICENCES_BUCKET, Key=key)
    sample = _sample("licence_publisher", "sqs-licence-revoked.json")
    assert load_function("licence_publisher").handler(sample, FakeContext()) == {"batchItemFailures": []}
    # Then both public documents are (re)written from the current state
    trust = json.loads(s3.get_object(Bucket=LICENCES_BUCKET, Key="public/trust-list.json")["Body"].read())
    status = json.loads(s3.get_object(Bucket=LICENCES_BUCKET, Key="public/status-lists/1.json")["Body"].read())
    assert trust
    assert status
    assert "320115-market" in json.dumps(trust) or issuer_uscc() in json.dumps(trust)


def test_the_sweep_sample_reminds_a_holder_30_days_before_expiry_and_expires_after(cloud: LicenceCloud) -> None:
    import datetime as dt

    from shared.licences.repository import LicencesRepository
    from tests.unit.licences_fixtures import issue, licence_due

    case_id = new_case_id()
    issue(licence_due(case_id, type_code=FOOD_LICENCE))
    [licence_id] = licence_ids_of_case(case_id)
    licence = LicencesRepository().get(licence_id)
    assert licence is not None
    assert licence.valid_to is not None  # 食品经营许可证: five years
    sweep = load_function("licence_expiry_sweep").handler
    sample = _sample("licence_expiry_sweep", "scheduled-daily.json")
    before = licence.valid_to - dt.timedelta(days=10)
    with frozen_at(dt.datetime(before.year, before.month, before.day, 17, tzinfo=dt.UTC)):
        result = sweep(sample, FakeContext())
    assert licence_id in result["reminded"]
    assert licence_id not in result["expired"]
    after = licence.valid_to + dt.timedelta(days=1)
    with frozen_at(dt.datetime(after.year, after.month, after.day, 17, tzinfo=dt.UTC)):
        result = sweep(sample, FakeContext())
    assert licence_id in result["expired"]
    expired = LicencesRepository().get(licence_id)
    assert expired is not None
    assert expired.status == "expired"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("verify-identifier.json", 200),
        ("trust-list.json", 200),
        ("status-list.json", 200),
        ("my-licences.json", 200),
    ],
)
def test_the_api_samples_answer(cloud: LicenceCloud, name: str, status: int) -> None:
    response = load_function("licence_api").handler(_sample("licence_api", name), FakeContext())
    assert response["statusCode"] == status, response["body"]


def test_the_issuer_acts_on_what_the_cases_context_emits_and_parks_anything_else(cloud: LicenceCloud) -> None:
    """Two modules name `case.licence_due`; this runs the issuer on the envelope the cases context
    itself builds (shared.cases.events), so a rename on either side fails here."""
    from shared.cases.events import LICENCE_DUE
    from tests.unit.licences_fixtures import issue, licence_due

    case_id = new_case_id()
    envelope = licence_due(case_id) | {"type": LICENCE_DUE}
    assert issue(envelope) == {"batchItemFailures": []}
    assert len(licence_ids_of_case(case_id)) == 1
    other = new_case_id()
    renamed = licence_due(other) | {"type": LICENCE_DUE + "_v2"}
    issue(renamed)
    assert licence_ids_of_case(other) == []


def test_the_revoke_sample_revokes_a_real_licence_of_the_issuing_department(cloud: LicenceCloud) -> None:
    from tests.unit.licences_fixtures import issue, licence_due

    text = (EVENTS / "licence_api" / "licence-revoke.json").read_text(encoding="utf-8")
    placeholder = "01JDQ90F3W7C8M2T6R4K9N5K1C"
    unknown = load_function("licence_api").handler(json.loads(text), FakeContext())
    assert unknown["statusCode"] == 404
    case_id = new_case_id()
    issue(licence_due(case_id))  # issued by 320115-market, the sample's department
    [licence_id] = licence_ids_of_case(case_id)
    answer = load_function("licence_api").handler(json.loads(text.replace(placeholder, licence_id)), FakeContext())
    assert answer["statusCode"] == 200, answer["body"]
    body = json.loads(answer["body"])
    assert body["status"] == "revoked"
