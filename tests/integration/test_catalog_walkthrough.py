"""The README's catalogue walk-through through the local cloud (C7, C16, C22, C29):
search, open an item, publish a change as a signed-in operator, and find the
new open-data snapshot in the local S3 bucket; bad input changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.local import LocalCloud
from infra.seed.identity.people import OPERATOR
from shared.catalog.models import CONTENT_FIELDS
from tests.support.sign_in import sign_in_staff

pytestmark = pytest.mark.integration

# the whole guide, as the README's example sends it (a draft that leaves a set field out is refused)
EDITABLE = CONTENT_FIELDS


@pytest.fixture(scope="module")
def operator(api: Any, local_cloud: LocalCloud) -> dict[str, str]:
    return sign_in_staff(api, local_cloud, OPERATOR.login, OPERATOR.password, OPERATOR.phone)


def _snapshot(local_cloud: LocalCloud, region: str) -> dict[str, Any]:
    body = local_cloud.client("s3").get_object(
        Bucket=local_cloud.ref("OpenDataBucket"), Key=f"open-data/lists/{region}.json"
    )["Body"]
    return json.loads(body.read())


def test_search_open_publish_and_see_the_open_data_snapshot(
    api: Any, local_cloud: LocalCloud, operator: dict[str, str]
) -> None:
    # Given a 不见面 item found by searching the province's catalogue
    found = api.get("/v1/items", params={"region": "320000", "channel": "no_visit", "q": "登记"})
    assert found.status_code == 200
    summary = found.json()["items"][0]
    code = summary["implementation_code"]
    item = api.get(f"/v1/items/{code}").json()
    assert item["materials"]
    assert item["form_schema"]["type"] == "object"
    before = _snapshot(local_cloud, "320000")

    # When the operator drafts a change and publishes it
    draft = {k: item[k] for k in EDITABLE if k in item} | {"revision": 0, "tags": [*item["tags"], "走读测试"]}
    saved = api.put(f"/v1/items/{code}/draft", json=draft, headers=operator)
    assert saved.status_code == 200, saved.text
    published = api.post(f"/v1/items/{code}/publish", json={"note": "walk-through"}, headers=operator)
    assert published.status_code == 200, published.text
    assert published.json()["version"] == item["version"] + 1

    # Then the outbox → relay → bus → queue → publisher chain refreshes the region's snapshot
    local_cloud.wait_idle(30)
    after = _snapshot(local_cloud, "320000")
    assert after["generated_at"] >= before["generated_at"]
    listed = next(i for i in after["lists"]["no_visit"] if i["implementation_code"] == code)
    assert listed["name"] == item["name"]
    history = api.get(f"/v1/items/{code}/versions").json()["items"]
    assert history[0]["version"] == item["version"] + 1
    assert history[0]["note"] == "walk-through"


def test_bad_input_gets_a_clear_4xx_and_changes_nothing(
    api: Any, local_cloud: LocalCloud, operator: dict[str, str]
) -> None:
    code = api.get("/v1/items", params={"region": "320100", "limit": 1}).json()["items"][0]["implementation_code"]
    item = api.get(f"/v1/items/{code}").json()
    draft = {k: item[k] for k in EDITABLE if k in item} | {"revision": 0}

    broken = api.put(f"/v1/items/{code}/draft", json=draft | {"name": item["name"] + "（改）"}, headers=operator)
    unknown_region = api.get("/v1/regions/320199/lists/no_visit")
    malformed = api.put(
        f"/v1/items/{code}/draft", data='{"name": ', headers={**operator, "Content-Type": "application/json"}
    )
    oversized = api.put(
        f"/v1/items/{code}/draft", data="x" * 300_000, headers={**operator, "Content-Type": "application/json"}
    )

    assert (broken.status_code, broken.json()["code"]) == (422, "catalog.three_level_mismatch")
    assert broken.json()["errors"][0]["field"] == "name"
    assert unknown_region.status_code == 404
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_json")
    assert (oversized.status_code, oversized.json()["code"]) == (413, "payload_too_large")
    assert api.get(f"/v1/items/{code}/draft", headers=operator).status_code == 404
    assert api.get(f"/v1/items/{code}").json()["version"] == item["version"]
