"""The sample trigger events in events/licence_* run through their functions
(the same files work with `sam local invoke -e`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.platform.clock import frozen_at
from tests.support.apigw import FakeContext
from tests.unit.licences_fixtures import (
    LicenceCloud,
    licence_api,
    licence_expiry_sweep,
    licence_ids_of_case,
    licence_issuer,
    licence_publisher,
    licences_cloud,
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
    assert licence_issuer().handler(sample, FakeContext()) == {"batchItemFailures": []}
    assert len(licence_ids_of_case("01JDQ90F3W7C8M2T6R4K9N5CA5")) == 1


def test_the_publisher_sample_publishes(cloud: LicenceCloud) -> None:
    sample = _sample("licence_publisher", "sqs-licence-revoked.json")
    assert licence_publisher().handler(sample, FakeContext()) == {"batchItemFailures": []}


def test_the_sweep_sample_runs(cloud: LicenceCloud) -> None:
    import datetime as dt

    with frozen_at(dt.datetime(2026, 9, 21, 17, tzinfo=dt.UTC)):
        result = licence_expiry_sweep().handler(_sample("licence_expiry_sweep", "scheduled-daily.json"), FakeContext())
    assert result["expired"] == []
    assert result["reminded"] == []


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("verify-identifier.json", 200),
        ("trust-list.json", 200),
        ("status-list.json", 200),
        ("my-licences.json", 200),
        ("licence-revoke.json", 404),
    ],
)
def test_the_api_samples_answer(cloud: LicenceCloud, name: str, status: int) -> None:
    response = licence_api().handler(_sample("licence_api", name), FakeContext())
    assert response["statusCode"] == status, response["body"]


def test_the_issuer_listens_for_the_cases_event_type() -> None:
    from shared.cases.events import LICENCE_DUE

    assert licence_issuer().LICENCE_DUE == LICENCE_DUE
