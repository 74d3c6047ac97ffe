"""The catalogue over HTTP: functions/catalog_api/app.py's handler fed with the
API Gateway events in events/catalog_api/, against moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from shared.platform.aws import count_calls
from shared.platform.config import reset_settings
from tests.support.api import invoke
from tests.support.apigw import FakeContext
from tests.unit.catalog_fixtures import (
    catalog_cloud,
    demo_bodies,
    load_demo,
    outbox_events,
    request,
    sample_event,
    table_snapshot,
)

FOOD_XUANWU = "11320102010102043T4000117004000"  # the item in the sample events
UNPUBLISHED_CODE = "11320115010115047F4000117004000"  # Jiangning's food licence, not loaded here


def sample_body(sample: str) -> dict[str, Any]:
    return json.loads(sample_event(f"catalog_api/{sample}")["body"])


@pytest.fixture(scope="class")
def xuanwu() -> Iterator[None]:
    """Given Xuanwu district's demo items, published (read-only tests share them)."""
    with catalog_cloud():
        load_demo(demo_bodies(regions={"320102"}))
        yield


@pytest.fixture
def fresh() -> Iterator[None]:
    """Given Xuanwu's food licence and individual business registration (each writing test starts clean)."""
    with catalog_cloud():
        load_demo(demo_bodies(regions={"320102"}, basic_codes={"000117004000", "000117002001"}))
        yield


@pytest.mark.usefixtures("xuanwu")
class TestReading:
    def test_searching_finds_published_items_with_a_query_per_ranking_range_and_no_scan(self) -> None:
        # When a citizen searches Xuanwu for 食品经营 (the sample event)
        with count_calls() as calls:
            response = invoke(request("items-search.json"))
        # Then the food business licence is found, with one Query per ranking range of 食品, one read of
        # the keyword's synonyms, and no Scan
        assert response.status == 200
        assert [item["implementation_code"] for item in response.body["items"]] == [FOOD_XUANWU]
        assert response.body["next_cursor"] is None
        assert calls == {"dynamodb.Query": 6, "dynamodb.BatchGetItem": 1}
        assert response.headers["X-Request-Id"] == "c0a80101-0000-4000-8000-000000001001"

    def test_without_a_region_the_configured_province_is_searched(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # the served province (PROVINCE_CODE, Jiangsu by default) reaches Xuanwu's items
        assert [
            i["implementation_code"]
            for i in invoke(request("items-search.json", query={"q": "食品经营"})).body["items"]
        ] == [FOOD_XUANWU]
        # a deployment for another province searches that province, not Jiangsu
        monkeypatch.setenv("PROVINCE_CODE", "330000")
        reset_settings()
        assert invoke(request("items-search.json", query={"q": "食品经营"})).body["items"] == []
        monkeypatch.delenv("PROVINCE_CODE")
        reset_settings()

    def test_following_next_cursor_lists_every_item_once(self) -> None:
        everything = invoke(request("items-search.json", query={"region": "320102", "limit": "100"})).body["items"]
        seen: list[str] = []
        query = {"region": "320102", "limit": "3"}
        while True:
            page = invoke(request("items-search.json", query=query)).body
            seen.extend(item["implementation_code"] for item in page["items"])
            if page["next_cursor"] is None:
                break
            query = {**query, "cursor": page["next_cursor"]}
        assert seen == [item["implementation_code"] for item in everything]
        assert len(seen) == len(set(seen)) == 17  # 11, 新生儿出生's four birth items, 开餐馆's fire check and sign

    def test_a_keyword_filtered_search_pages_without_gaps(self) -> None:
        everything = invoke(request("items-search.json", query={"region": "320102", "q": "证", "limit": "100"}))
        expected = [item["implementation_code"] for item in everything.body["items"]]
        seen: list[str] = []
        query = {"region": "320102", "q": "证", "limit": "1"}
        while True:
            page = invoke(request("items-search.json", query=query)).body
            seen.extend(item["implementation_code"] for item in page["items"])
            if page["next_cursor"] is None:
                break
            query = {**query, "cursor": page["next_cursor"]}
        assert len(expected) >= 3
        assert seen == expected

    @pytest.mark.parametrize(
        ("query", "status", "code"),
        [
            ({"cursor": "bm90LWEta2V5"}, 400, "invalid_cursor"),
            ({"type": "99"}, 422, "validation_failed"),
            ({"limit": "101"}, 422, "validation_failed"),
            ({"channel": "by_fax"}, 422, "validation_failed"),
        ],
    )
    def test_bad_search_parameters_are_refused(self, query: dict[str, str], status: int, code: str) -> None:
        response = invoke(request("items-search.json", query=query))
        assert (response.status, response.body["code"]) == (status, code)

    def test_the_guide_of_an_item_is_one_read(self) -> None:
        with count_calls() as calls:
            response = invoke(request("item-get.json"))
        assert calls == {"dynamodb.GetItem": 1}
        assert response.status == 200
        guide = response.body
        assert (guide["name"], guide["status"], guide["version"]) == ("食品经营许可", "published", 1)
        assert guide["promised_limit_days"] < guide["legal_limit_days"]
        assert guide["form_schema"]["type"] == "object"
        slots = {material["slot_id"]: material for material in guide["materials"]}
        assert slots["business_licence"]["licence_type_code"] is not None
        assert slots["agent_authorisation"]["requirement"] == "conditional"

    def test_an_unknown_item_is_not_found_in_the_callers_language(self) -> None:
        unknown = {"item_code": UNPUBLISHED_CODE}
        chinese = invoke(request("item-get.json", path_params=unknown))
        english = invoke(request("item-get.json", path_params=unknown, headers={"Accept-Language": "en-GB,en;q=0.9"}))
        assert (chinese.status, chinese.body["code"]) == (404, "catalog.item_not_found")
        assert chinese.body["message"] == "政务服务事项不存在或尚未发布"
        assert english.body["message"] == "The service item does not exist or is not published"

    def test_a_malformed_item_code_is_a_validation_error(self) -> None:
        response = invoke(request("item-get.json", path_params={"item_code": "not-a-code"}))
        assert (response.status, response.body["code"]) == (422, "validation_failed")

    def test_the_change_history_is_public(self) -> None:
        response = invoke(request("item-versions.json"))
        assert response.status == 200
        assert [(v["version"], v["action"]) for v in response.body["items"]] == [(1, "published")]

    def test_divisions_departments_and_lists(self) -> None:
        districts = invoke(request("regions-list.json")).body["items"]
        assert [region["name"] for region in districts][:2] == ["玄武区", "秦淮区"]
        assert len(districts) == 11
        departments = invoke(request("departments-list.json", query={"region": "3201", "limit": "100"})).body
        assert len(departments["items"]) == 30  # 6 lines x 3 divisions, 3 more in 江宁, 4 in 玄武, 5 centres
        visit_once = invoke(request("region-list.json")).body
        assert visit_once["region"]["name"] == "玄武区"
        assert {item["channel"] for item in visit_once["items"]} == {"visit_once"}
        assert "最低生活保障金给付" in {item["name"] for item in visit_once["items"]}

    def test_the_lists_of_an_unknown_division_are_not_found(self) -> None:
        response = invoke(request("region-list.json", path_params={"region_code": "320199"}))
        assert (response.status, response.body["code"]) == (404, "catalog.region_not_found")

    @pytest.mark.parametrize(
        "sample",
        [
            "item-draft-get.json",
            "item-draft-put.json",
            "item-publish.json",
            "synonym-put.json",
            "synonym-delete.json",
            "basic-item-caps-put.json",
            "scene-put.json",
        ],
    )
    def test_operator_endpoints_need_a_signed_in_operator(self, sample: str) -> None:
        anonymous = invoke(request(sample, anonymous=True))
        assert (anonymous.status, anonymous.body["code"]) == (401, "unauthorized")
        citizen = {"sub": "01JDQ9CITIZEN0000000000000", "role": "citizen", "region_code": "320102"}
        as_citizen = invoke(request(sample, authorizer=citizen))
        assert (as_citizen.status, as_citizen.body["code"]) == (403, "forbidden")


@pytest.mark.usefixtures("fresh")
class TestWriting:
    def test_adding_an_item_creates_a_draft_once_per_idempotency_key(self) -> None:
        # When an operator posts the sample (a Nanjing city implementation) twice with one key
        first = invoke(request("item-create.json"))
        records_after_first = table_snapshot()
        again = invoke(request("item-create.json"))
        # Then the draft was made once and the retry got the first answer
        assert first.status == again.status == 201
        assert first.body == again.body
        assert (first.body["revision"], first.body["exercise_level"]) == (1, 3)
        assert table_snapshot() == records_after_first
        # And the same key with another body is refused
        other = sample_body("item-create.json") | {"promised_limit_days": 2}
        reused = invoke(request("item-create.json", body=other))
        assert (reused.status, reused.body["code"]) == (409, "idempotency_key_reused")

    def test_breaking_three_level_four_same_is_refused_field_by_field_and_writes_nothing(self) -> None:
        before = table_snapshot()
        body = sample_body("item-create.json") | {"name": "个体户开业登记", "item_type": "07"}
        response = invoke(request("item-create.json", body=body, headers={"Idempotency-Key": "other-key"}))
        assert response.status == 422
        # the type no longer matches the basic code, which is caught first
        assert response.body["code"] == "catalog.code_mismatch"
        body = sample_body("item-create.json") | {"name": "个体户开业登记"}
        response = invoke(request("item-create.json", body=body, headers={"Idempotency-Key": "third-key"}))
        assert response.status == 422
        assert response.body["code"] == "catalog.three_level_mismatch"
        assert response.body["errors"] == [
            {
                "field": "name",
                "code": "catalog.field_differs_from_basic",
                "message": "与基本目录不一致，应为：个体工商户设立登记",
            }
        ]
        assert table_snapshot() == before

    def test_an_unknown_division_is_refused_in_english_on_request(self) -> None:
        body = sample_body("item-create.json") | {"region_code": "320199"}
        response = invoke(request("item-create.json", body=body, headers={"Accept-Language": "en"}))
        assert (response.status, response.body["code"]) == (422, "catalog.unknown_region")
        assert response.body["message"] == "Administrative division 320199 does not exist"

    def test_malformed_and_oversized_bodies(self) -> None:
        malformed = invoke(request("item-create.json", raw_body='{"name": '))
        assert (malformed.status, malformed.body["code"]) == (400, "malformed_json")
        huge = sample_body("item-create.json")
        huge["form_schema"]["description"] = "说明" * 50_000
        oversized = invoke(request("item-create.json", body=huge))
        assert (oversized.status, oversized.body["code"]) == (413, "payload_too_large")
        unknown_field = invoke(request("item-create.json", body=sample_body("item-create.json") | {"colour": "red"}))
        assert (unknown_field.status, unknown_field.body["errors"][0]["field"]) == (422, "colour")

    def test_edit_publish_and_retire_through_the_api(self) -> None:
        # Given a draft started from the published version (revision 0 in the sample)
        drafted = invoke(request("item-draft-put.json"))
        assert (drafted.status, drafted.body["revision"], drafted.body["changed_fields"]) == (
            200,
            1,
            ["promised_limit_days"],
        )
        stale = invoke(request("item-draft-put.json"))
        assert (stale.status, stale.body["code"]) == (409, "catalog.draft_conflict")
        assert invoke(request("item-draft-get.json")).body["promised_limit_days"] == 2
        # When it is published
        with count_calls() as calls:
            published = invoke(request("item-publish.json"))
        # Then one read, one of the licence types it names (the catalogue's copy, D-101) and one
        # transaction made version 2 live, with its event in the outbox
        assert calls == {"dynamodb.BatchGetItem": 2, "dynamodb.TransactWriteItems": 1}
        assert (published.status, published.body["version"], published.body["promised_limit_days"]) == (200, 2, 2)
        assert invoke(request("item-get.json")).body["promised_limit_days"] == 2
        event = outbox_events("catalog.item_published")[-1]
        assert (event["subject"], event["data"]["version"]) == (FOOD_XUANWU, 2)
        assert event["correlation_id"] == "c0a80101-0000-4000-8000-000000001007"
        # And publishing again without a draft is a conflict
        again = invoke(request("item-publish.json"))
        assert (again.status, again.body["code"]) == (409, "catalog.no_draft")
        # When it is retired without a reason, then with one
        no_reason = invoke(request("item-retire.json", body={}))
        assert (no_reason.status, no_reason.body["errors"][0]) == (
            422,
            {"field": "reason", "code": "field.required", "message": "必填项"},
        )
        retired = invoke(request("item-retire.json"))
        assert (retired.status, retired.body["status"], retired.body["version"]) == (200, "retired", 3)
        assert invoke(request("items-search.json")).body["items"] == []
        history = invoke(request("item-versions.json")).body["items"]
        assert [v["action"] for v in history] == ["retired", "published", "published"]

    def test_an_item_whose_licence_types_the_directory_does_not_know_is_not_published(self) -> None:
        # otherwise an approved case would wait in awaiting_licence for a licence nobody can issue
        body = sample_body("item-draft-put.json")
        body["result_licence_type_code"] = "11100000000010014P099"
        body["materials"][1]["licence_type_code"] = "11100000000010014P098"
        assert invoke(request("item-draft-put.json", body=body)).status == 200
        refused = invoke(request("item-publish.json", headers={"Accept-Language": "en"}))
        assert (refused.status, refused.body["code"]) == (422, "catalog.invalid_item")
        assert [(e["field"], e["code"]) for e in refused.body["errors"]] == [
            ("result_licence_type_code", "catalog.unknown_licence_type"),
            ("materials.1.licence_type_code", "catalog.unknown_licence_type"),
        ]
        assert refused.body["errors"][0]["message"] == "The licence-type directory has no type 11100000000010014P099"
        assert invoke(request("item-get.json")).body["version"] == 1  # the live version is unchanged

    def test_the_catalogue_follows_the_licence_type_directory_through_its_events(self) -> None:
        # licence_type_projector keeps the catalogue's copy (D-101): a type retired in the directory
        # can no longer be named by a new publication, a type added there can
        from infra.seed.licence_types import FOOD_BUSINESS_LICENCE
        from tests.support.handlers import load_function, sqs_event

        def directory_says(code: str, status: str, version: int) -> None:
            envelope = {
                "id": f"01JDQ8Z6M4W5X9T2R7K3N8P{version:03d}",
                "type": "licence_type.changed",
                "version": 1,
                "time": "2026-11-25T01:00:00Z",
                "source": "licences",
                "subject": code,
                "data": {"code": code, "name": "食品经营许可证", "category": "许可证", "validity_years": 5}
                | {"status": status, "version": version, "changed_by": "01JDQ90F3W7C8M2T6R4K9N5OP1"},
            }
            result = load_function("licence_type_projector").handler(sqs_event([envelope]), FakeContext())
            assert result == {"batchItemFailures": []}

        directory_says(FOOD_BUSINESS_LICENCE, "retired", 2)
        directory_says(FOOD_BUSINESS_LICENCE, "active", 1)  # older, late: ignored
        assert invoke(request("item-draft-put.json")).status == 200
        refused = invoke(request("item-publish.json"))
        assert [(e["field"], e["code"]) for e in refused.body["errors"]] == [
            ("result_licence_type_code", "catalog.retired_licence_type")
        ]
        directory_says(FOOD_BUSINESS_LICENCE, "active", 3)
        assert invoke(request("item-publish.json")).status == 200

    def test_the_projector_sample_adds_a_type_the_catalogue_then_accepts(self) -> None:
        from tests.support.handlers import load_function

        sample = sample_event("licence_type_projector/sqs-licence-type-changed.json")
        assert load_function("licence_type_projector").handler(sample, FakeContext()) == {"batchItemFailures": []}
        body = sample_body("item-draft-put.json") | {"result_licence_type_code": "11100000000010014P003"}
        assert invoke(request("item-draft-put.json", body=body)).status == 200
        assert invoke(request("item-publish.json")).status == 200

    def test_publishing_needs_no_body(self) -> None:
        invoke(request("item-draft-put.json"))
        event = request("item-publish.json")
        event["body"] = None
        response = invoke(event)
        assert (response.status, response.body["version"]) == (200, 2)


@pytest.mark.usefixtures("fresh")
class TestSynonyms:
    def test_an_operator_curated_synonym_changes_the_search_at_once_and_can_be_removed(self) -> None:
        def names(query: str) -> list[str]:
            return [i["name"] for i in invoke(request("items-search.json", query={"q": query})).body["items"]]

        # Given nobody searching for 个体执照 finds anything
        assert names("个体执照") == []
        # When an operator says 个体执照 means 个体工商户 (no deploy)
        saved = invoke(request("synonym-put.json", path_params={"word": "个体执照"}, body={"means": " 个体工商户 "}))
        assert saved.status == 200
        assert (saved.body["word"], saved.body["means"]) == ("个体执照", "个体工商户")
        # Then the search finds the individual business registration, and the list shows the synonym
        assert names("个体执照") == ["个体工商户设立登记"]
        assert "个体执照" in {s["word"] for s in invoke(request("synonyms-list.json")).body["items"]}
        # And the change is on record with who made it (its event, written with the row)
        [set_event] = [e for e in outbox_events("catalog.synonym_set") if e["subject"] == "个体执照"]
        assert (set_event["subject"], set_event["data"]["means"]) == ("个体执照", "个体工商户")
        assert set_event["data"]["updated_by"]
        # And once removed, the word means itself again; removing it twice is a 404
        removed = invoke(request("synonym-delete.json", path_params={"word": "个体执照"}))
        assert removed.status == 204
        assert names("个体执照") == []
        again = invoke(request("synonym-delete.json", path_params={"word": "个体执照"}))
        assert (again.status, again.body["code"]) == (404, "catalog.synonym_not_found")
        assert [e["subject"] for e in outbox_events("catalog.synonym_removed")] == ["个体执照"]  # once, not twice

    def test_a_synonym_is_one_word(self) -> None:
        response = invoke(request("synonym-put.json", body={"means": "   "}))
        assert response.status == 422


@pytest.mark.usefixtures("fresh")
class TestCaps:
    def test_an_implementation_exceeding_a_cap_is_refused_with_the_cap_named(self) -> None:
        # Given the food licence's basic item capped at 4 materials (Xuanwu's guide has 5)
        capped = invoke(request("basic-item-caps-put.json", body={"max_materials": 4, "max_fee_fen": 0}))
        assert (capped.status, capped.body["caps"]["max_materials"], capped.body["caps_revision"]) == (200, 4, 1)
        [event] = outbox_events("catalog.caps_set")
        assert (event["subject"], event["data"]["caps"]["max_materials"], event["data"]["caps_revision"]) == (
            "000117004000",
            4,
            1,
        )
        # When an operator saves Xuanwu's draft (its 5 materials, in English)
        refused = invoke(request("item-draft-put.json", headers={"Accept-Language": "en"}))
        # Then it is refused naming the cap, its limit and the guide's count, and no draft is written
        assert (refused.status, refused.body["code"]) == (422, "catalog.caps_exceeded")
        [error] = refused.body["errors"]
        assert (error["field"], error["code"]) == ("materials", "catalog.exceeds_cap")
        assert error["message"] == "Exceeds the basic item's cap max_materials: at most 4, this item has 5"
        assert invoke(request("item-draft-get.json")).status == 404
        # And with the caps loosened to what the guide asks, the same write passes
        assert (
            invoke(request("basic-item-caps-put.json", body={"max_materials": 5, "max_legal_limit_days": 20})).status
            == 200
        )
        assert invoke(request("item-draft-put.json")).status == 200

    def test_a_legal_limit_above_its_cap_is_refused(self) -> None:
        assert invoke(request("basic-item-caps-put.json", body={"max_legal_limit_days": 15})).status == 200
        refused = invoke(request("item-draft-put.json"))
        assert refused.body["code"] == "catalog.caps_exceeded"
        assert [(e["field"], e["code"]) for e in refused.body["errors"]] == [
            ("legal_limit_days", "catalog.exceeds_cap")
        ]
        assert "上限 15" in refused.body["errors"][0]["message"]

    def test_caps_of_an_unknown_basic_item_are_not_found(self) -> None:
        response = invoke(request("basic-item-caps-put.json", path_params={"basic_code": "000199999000"}))
        assert (response.status, response.body["code"]) == (404, "catalog.basic_item_not_found")
        assert outbox_events("catalog.caps_set") == []

    def test_a_cap_tightened_between_the_check_and_the_write_refuses_the_write(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from shared.catalog.events import caps_set
        from shared.catalog.repository import CatalogRepository
        from shared.catalog.writes import ItemCaps

        read = CatalogRepository.load_write_state

        def read_then_tighten(repository: CatalogRepository, *args: Any, **kwargs: Any) -> Any:
            state = read(repository, *args, **kwargs)  # the caps as checked: none
            repository.set_caps(
                "000117004000", ItemCaps(max_materials=1), lambda b: caps_set(b, actor=None)
            )  # another operator, meanwhile
            return state

        monkeypatch.setattr(CatalogRepository, "load_write_state", read_then_tighten)
        refused = invoke(request("item-draft-put.json"))
        assert (refused.status, refused.body["code"]) == (422, "catalog.three_level_mismatch")
        monkeypatch.undo()
        assert invoke(request("item-draft-get.json")).status == 404
