"""AWS calls per operation, counted exactly through botocore's event hooks
(`shared.platform.aws.count_calls`) against moto with the demo catalogue.
Counts are exact where timings are noisy. Run with `make bench`; the table
printed goes into docs/performance.md."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from shared.platform import aws
from tests.support.api import invoke
from tests.unit.catalog_fixtures import catalog_cloud, load_demo_data, request

ROWS: list[tuple[str, Counter[str]]] = []


@pytest.fixture(scope="module")
def demo_catalogue() -> Iterator[None]:
    with catalog_cloud():
        load_demo_data()
        yield
    print("\n\n| operation | AWS calls | detail |\n|---|---:|---|")
    for name, calls in ROWS:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
        print(f"| {name} | {sum(calls.values())} | {detail} |")


def _measure(name: str, event: dict[str, Any]) -> tuple[Any, Counter[str]]:
    with aws.count_calls() as calls:
        result = invoke(event)
    assert result.status < 400, result.body
    ROWS.append((name, Counter(calls)))
    return result.body, calls


@pytest.mark.perf
def test_catalogue_operations(demo_catalogue: None) -> None:
    page, search_calls = _measure(
        "item search (region 320000 and everything below it, keyword 登记)",
        request("items-search.json", query={"region": "320000", "q": "登记"}),
    )
    # one Query per ranking range of the lead term (exact, prefix, substring, elsewhere × P/N/O), no Scan
    assert search_calls == {"dynamodb.Query": 6, "dynamodb.BatchGetItem": 1}  # + the synonyms (D-172)
    assert {item["region_code"][:4] for item in page["items"]} > {"3200"}  # the levels below the province too
    code = page["items"][0]["implementation_code"]
    item, detail_calls = _measure("item detail", request("item-get.json", path_params={"item_code": code}))
    assert sum(detail_calls.values()) == 1
    # the draft body is the whole guide: the published detail, edited, with revision 0
    editable = set(json.loads(request("item-draft-put.json")["body"]))
    body = {k: v for k, v in item.items() if k in editable} | {"revision": 0, "note": "bench"}
    _measure("write draft", request("item-draft-put.json", path_params={"item_code": code}, body=body))
    _, publish_calls = _measure("publish", request("item-publish.json", path_params={"item_code": code}, body={}))
    assert publish_calls["dynamodb.TransactWriteItems"] == 1
    _measure(
        "不见面 list of a region",
        request("region-list.json", path_params={"region_code": "320100", "list_kind": "no_visit"}),
    )
