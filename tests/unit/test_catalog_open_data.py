"""open_data_publisher: catalogue events on the queue rewrite a division's
public 不见面 / 见一次面 snapshot in S3 (C29)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shared.catalog.service import CatalogService
from shared.catalog.writes import RetireRequest
from shared.platform.aws import count_calls
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.catalog_fixtures import (
    OPEN_DATA_BUCKET,
    catalog_cloud,
    demo_bodies,
    load_demo,
    sample_event,
)

FOOD_XUANWU = "11320102010102043T4000117004000"
SNAPSHOT_KEY = "open-data/lists/320102.json"


XUANWU_BASIC_CODES = {
    "000117004000",  # 食品经营许可 (不见面)
    "002015003001",  # 增值税发票领用 (不见面, 即办)
    "000707001002",  # 居民身份证换领 (见一次面, 20 元工本费)
    "000707010001",  # 内地居民结婚登记 (见一次面)
}


@pytest.fixture
def xuanwu() -> Iterator[None]:
    """Given four of Xuanwu district's demo items, published."""
    with catalog_cloud():
        load_demo(demo_bodies(regions={"320102"}, basic_codes=XUANWU_BASIC_CODES))
        yield


def queue_event(*bodies: str) -> dict[str, Any]:
    """The sample SQS event with one record per body (ids made unique)."""
    event = sample_event("open_data_publisher/sqs-item-published.json")
    template = event["Records"][0]
    event["Records"] = [
        copy.deepcopy(template) | {"messageId": f"message-{index}", "body": body} for index, body in enumerate(bodies)
    ]
    return event


def sample_body(**data_changes: Any) -> str:
    bus_event = json.loads(sample_event("open_data_publisher/sqs-item-published.json")["Records"][0]["body"])
    bus_event["detail"]["data"] |= data_changes
    return json.dumps(bus_event, ensure_ascii=False)


def snapshot() -> dict[str, Any]:
    stored = boto3.client("s3").get_object(Bucket=OPEN_DATA_BUCKET, Key=SNAPSHOT_KEY)
    assert stored["ContentType"] == "application/json; charset=utf-8"
    return json.loads(stored["Body"].read())


@pytest.mark.usefixtures("xuanwu")
class TestOpenDataSnapshots:
    def test_a_publication_rewrites_the_divisions_snapshot_from_the_catalogue(self) -> None:
        # When the sample event (Xuanwu's food licence published) arrives
        event = sample_event("open_data_publisher/sqs-item-published.json")
        response = load_function("open_data_publisher").handler(event, FakeContext())
        # Then the record succeeded and Xuanwu's snapshot lists both kinds with their items
        assert response == {"batchItemFailures": []}
        document = snapshot()
        assert document["region"] == {"code": "320102", "name": "玄武区", "level": "county", "parent_code": "320100"}
        assert document["item_count"] == 4
        assert (len(document["lists"]["no_visit"]), len(document["lists"]["visit_once"])) == (2, 2)
        food = next(item for item in document["lists"]["no_visit"] if item["implementation_code"] == FOOD_XUANWU)
        assert food["department_name"] == "南京市玄武区市场监督管理局"
        assert (food["legal_limit_days"], food["promised_limit_days"], food["fees"]) == (20, 3, [])
        id_card = next(item for item in document["lists"]["visit_once"] if item["name"] == "居民身份证换领")
        assert id_card["fees"][0]["amount_fen"] == 2000
        assert document["generated_at"].endswith("Z")

    def test_a_retirement_removes_the_item_and_duplicates_in_a_batch_rebuild_once(self) -> None:
        # Given the item was retired after the snapshot was first written
        handler = load_function("open_data_publisher").handler
        handler(queue_event(sample_body()), FakeContext())
        CatalogService().retire(FOOD_XUANWU, RetireRequest(reason="事项调整"), actor="operator")
        # When the (late) publication and the retirement arrive together, twice
        with count_calls() as calls:
            response = handler(queue_event(sample_body(), sample_body(), sample_body()), FakeContext())
        # Then the snapshot is rebuilt once, from current state, without the retired item
        assert response == {"batchItemFailures": []}
        assert calls["s3.PutObject"] == 1
        codes = [item["implementation_code"] for items in snapshot()["lists"].values() for item in items]
        assert FOOD_XUANWU not in codes
        assert len(codes) == 3

    def test_a_bad_message_fails_alone_so_it_can_reach_the_dead_letter_queue(self) -> None:
        bad_json = "{not json"
        unknown_division = sample_body(region_code="320199")
        missing_data = json.dumps(json.loads(sample_body()) | {"detail": {"type": "catalog.item_published"}})
        response = load_function("open_data_publisher").handler(
            queue_event(bad_json, sample_body(), unknown_division, missing_data), FakeContext()
        )
        assert response == {
            "batchItemFailures": [
                {"itemIdentifier": "message-0"},
                {"itemIdentifier": "message-2"},
                {"itemIdentifier": "message-3"},
            ]
        }
        assert snapshot()["item_count"] == 4  # the good record still did its work

    def test_an_event_type_it_does_not_handle_is_refused(self) -> None:
        other = json.loads(sample_body())
        other["detail"]["type"] = "catalog.item_renamed"
        response = load_function("open_data_publisher").handler(
            queue_event(sample_body(), json.dumps(other)), FakeContext()
        )
        assert response == {"batchItemFailures": [{"itemIdentifier": "message-1"}]}

    def test_a_batch_where_every_record_fails_answers_with_its_failures(self) -> None:
        # the shared consumer (D-072): SQS retries exactly the failed records and counts their receives
        response = load_function("open_data_publisher").handler(queue_event("{not json"), FakeContext())
        assert response == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
