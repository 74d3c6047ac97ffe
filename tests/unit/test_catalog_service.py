"""The catalogue service and its repository against an in-process moto
DynamoDB whose CatalogTable is built from template.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shared.catalog import repository as repository_module
from shared.catalog import service as service_module
from shared.catalog.codes import ExerciseLevel, make_implementation_code
from shared.catalog.repository import CatalogRepository, WriteState
from shared.catalog.service import CatalogService
from shared.catalog.writes import DraftUpdate, NewItem, PublishRequest, RetireRequest
from shared.platform.aws import count_calls
from shared.platform.errors import AppError, BadRequest, Conflict, NotFound, ValidationFailed
from shared.platform.pagination import Page
from tests.unit.catalog_fixtures import (
    CATALOG_TABLE,
    catalog_cloud,
    demo_bodies,
    demo_body,
    load_demo,
    outbox_events,
    table_snapshot,
)

FOOD_XUANWU = "11320102010102043T4000117004000"  # 食品经营许可, 玄武区市场监督管理局
FOOD_NANJING = "11320100010100048Y3000117004000"  # 食品经营许可, 南京市市场监督管理局
FOOD_JIANGNING = "11320115010115047F4000117004000"  # 食品经营许可, 江宁区市场监督管理局
FOOD_BASIC = "000117004000"


@pytest.fixture
def service() -> Iterator[CatalogService]:
    """Given divisions and departments, and no service items yet."""
    with catalog_cloud():
        load_demo([])
        yield CatalogService()


def new_item(code: str, **changes: Any) -> NewItem:
    return NewItem.model_validate({**demo_body(code), **changes})


def draft_update(code: str, revision: int, **changes: Any) -> DraftUpdate:
    body = {k: v for k, v in demo_body(code).items() if k in DraftUpdate.model_fields}
    return DraftUpdate.model_validate({**body, "revision": revision, **changes})


def refused(error: pytest.ExceptionInfo[AppError]) -> tuple[str, dict[str, str]]:
    return error.value.code, {e.field: e.code for e in error.value.errors}


def search(service: CatalogService, **criteria: Any) -> Page[Any]:
    arguments: dict[str, Any] = {
        "query": None,
        "region_code": None,
        "department_id": None,
        "item_type": None,
        "channel": None,
        "applicant_kind": None,
        "limit": 20,
        "cursor": None,
    }
    return service.search(**(arguments | criteria))


def all_pages(service: CatalogService, limit: int, **criteria: Any) -> tuple[list[str], int]:
    codes: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = search(service, limit=limit, cursor=cursor, **criteria)
        pages += 1
        assert len(page.items) <= limit
        codes.extend(item.implementation_code for item in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return codes, pages


class TestDrafts:
    def test_a_new_implementation_starts_as_an_unpublished_draft(self, service: CatalogService) -> None:
        # When an operator adds the Xuanwu food licence
        draft = service.create_item(new_item(FOOD_XUANWU), actor="operator")
        # Then it is draft revision 1 with the department and division resolved
        assert (draft.revision, draft.based_on_version, draft.exercise_level) == (1, 0, 4)
        assert draft.department_name == "南京市玄武区市场监督管理局"
        assert draft.region_name == "玄武区"
        # And nobody sees it yet
        with pytest.raises(NotFound):
            service.get_item(FOOD_XUANWU)
        assert search(service, region_code="320102").items == []

    def test_adding_the_same_code_twice_is_a_conflict(self, service: CatalogService) -> None:
        service.create_item(new_item(FOOD_XUANWU), actor="operator")
        with pytest.raises(Conflict) as error:
            service.create_item(new_item(FOOD_XUANWU), actor="operator")
        assert error.value.code == "catalog.item_exists"

    def test_a_second_level_must_repeat_the_four_fields_and_nothing_is_written(self, service: CatalogService) -> None:
        # Given the province... here Nanjing, defined the food licence's basic item first
        service.create_item(new_item(FOOD_NANJING), actor="operator")
        before = table_snapshot()
        # When Xuanwu adds it under another name, type and legal basis
        wrong = new_item(FOOD_XUANWU, name="餐饮服务许可", legal_basis="《餐饮服务许可管理办法》第六条")
        with pytest.raises(ValidationFailed) as error:
            service.create_item(wrong, actor="operator")
        # Then 三级四同 refuses it, naming each differing field and its expected value
        code, fields = refused(error)
        assert code == "catalog.three_level_mismatch"
        assert fields == {"name": "catalog.field_differs_from_basic", "legal_basis": "catalog.field_differs_from_basic"}
        assert {e.field: e.params["expected"] for e in error.value.errors}["name"] == "食品经营许可"
        # And nothing was written
        assert table_snapshot() == before

    @pytest.mark.parametrize(
        ("changes", "code", "field"),
        [
            ({"region_code": "320199"}, "catalog.unknown_region", "region_code"),
            ({"department_id": "320115-market"}, "catalog.unknown_department", "department_id"),
        ],
    )
    def test_the_division_and_department_must_exist_together(
        self, service: CatalogService, changes: dict[str, str], code: str, field: str
    ) -> None:
        with pytest.raises(ValidationFailed) as error:
            service.create_item(new_item(FOOD_XUANWU, **changes), actor="operator")
        assert refused(error) == (code, {field: code})

    def test_the_code_must_carry_the_departments_uscc_and_the_divisions_level(self, service: CatalogService) -> None:
        # Jiangning's code filed under Xuanwu's department: wrong USCC
        with pytest.raises(ValidationFailed) as error:
            service.create_item(new_item(FOOD_XUANWU, implementation_code=FOOD_JIANGNING), actor="operator")
        assert refused(error) == ("catalog.code_mismatch", {"implementation_code": "catalog.uscc_mismatch"})

    def test_replacing_a_draft_needs_its_current_revision(self, service: CatalogService) -> None:
        service.create_item(new_item(FOOD_XUANWU), actor="operator")
        # Given two editors who both loaded revision 1; the first saves
        first = service.save_draft(FOOD_XUANWU, draft_update(FOOD_XUANWU, 1, promised_limit_days=2), actor="a")
        assert first.revision == 2
        # When the second saves over revision 1
        with pytest.raises(Conflict) as error:
            service.save_draft(FOOD_XUANWU, draft_update(FOOD_XUANWU, 1, promised_limit_days=1), actor="b")
        # Then it is refused and the first editor's change stands
        assert error.value.code == "catalog.draft_conflict"
        assert service.get_draft(FOOD_XUANWU).promised_limit_days == 2

    def test_a_draft_may_not_change_the_four_fields(self, service: CatalogService) -> None:
        service.create_item(new_item(FOOD_XUANWU), actor="operator")
        with pytest.raises(ValidationFailed) as error:
            service.save_draft(FOOD_XUANWU, draft_update(FOOD_XUANWU, 1, name="食品经营许可（告知承诺）"), actor="a")
        assert refused(error) == ("catalog.three_level_mismatch", {"name": "catalog.field_differs_from_basic"})

    def test_a_basic_item_changed_between_read_and_write_is_caught_by_the_transaction(self) -> None:
        class BasicChangesMeanwhile(CatalogRepository):
            def load_write_state(self, *args: Any, **kwargs: Any) -> WriteState:
                state = super().load_write_state(*args, **kwargs)
                boto3.client("dynamodb").update_item(
                    TableName=CATALOG_TABLE,
                    Key={"pk": {"S": f"BASIC#{FOOD_BASIC}"}, "sk": {"S": "BASIC"}},
                    UpdateExpression="SET fingerprint = :other",
                    ExpressionAttributeValues={":other": {"S": "changed-by-someone-else"}},
                )
                return state

        with catalog_cloud():
            load_demo([])
            CatalogService().create_item(new_item(FOOD_NANJING), actor="operator")
            racing = CatalogService(BasicChangesMeanwhile())
            with pytest.raises(ValidationFailed) as error:
                racing.create_item(new_item(FOOD_XUANWU), actor="operator")
            assert error.value.code == "catalog.three_level_mismatch"
            assert CatalogRepository().get_draft(FOOD_XUANWU) is None


class TestPublishing:
    def test_publishing_makes_the_draft_live_with_history_and_an_event(self, service: CatalogService) -> None:
        service.create_item(new_item(FOOD_XUANWU, note="新增"), actor="operator")
        # When the draft is published
        with count_calls() as calls:
            item = service.publish(FOOD_XUANWU, PublishRequest(revision=1), actor="operator", correlation_id="req-1")
        # Then two reads (the draft with its item and basic item, then the licence types it names, D-101)
        # and one transaction did it
        assert calls == {"dynamodb.BatchGetItem": 2, "dynamodb.TransactWriteItems": 1}
        # And the item is live, version 1, findable, and the draft is gone
        assert (item.status, item.version, item.fee_total_fen, item.item_type_name) == ("published", 1, 0, "行政许可")
        assert service.get_item(FOOD_XUANWU) == item
        assert [hit.implementation_code for hit in search(service, region_code="320102").items] == [FOOD_XUANWU]
        with pytest.raises(NotFound):
            service.get_draft(FOOD_XUANWU)
        # And the history has its first entry
        history = service.versions(FOOD_XUANWU, limit=10, cursor=None).items
        assert [(v.version, v.action, v.by, v.note) for v in history] == [(1, "published", "operator", "新增")]
        # And the outbox holds the event in the platform envelope
        [event] = outbox_events("catalog.item_published")
        assert (event["source"], event["subject"], event["correlation_id"]) == ("catalog", FOOD_XUANWU, "req-1")
        assert event["data"]["region_code"] == "320102"
        assert event["data"]["channel"] == "no_visit"
        assert event["data"]["version"] == 1

    def test_a_draft_with_an_unknown_identity_binding_is_refused_at_publish(
        self, service: CatalogService, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        form = {"type": "object", "properties": {"id": {"type": "string", "x-identity": "person.passport"}}}
        with pytest.raises(ValidationFailed) as saving:
            service.create_item(new_item(FOOD_XUANWU, form_schema=form), actor="operator")
        assert refused(saving)[1] == {"form_schema.properties.id": "catalog.invalid_identity_binding"}
        # Given such a draft saved before the rule existed
        monkeypatch.setattr(service_module, "identity_binding_problems", lambda schema: [])
        service.create_item(new_item(FOOD_XUANWU, form_schema=form), actor="operator")
        monkeypatch.undo()
        # Then publishing it is refused, and nothing goes live
        with pytest.raises(ValidationFailed) as publishing:
            service.publish(FOOD_XUANWU, PublishRequest(revision=1), actor="operator")
        assert refused(publishing) == (
            "catalog.invalid_item",
            {"form_schema.properties.id": "catalog.invalid_identity_binding"},
        )
        with pytest.raises(NotFound):
            service.get_item(FOOD_XUANWU)

    def test_a_second_version_records_what_changed(self, service: CatalogService) -> None:
        load_demo(demo_bodies(regions={"320102"}, basic_codes={FOOD_BASIC}))
        service.save_draft(FOOD_XUANWU, draft_update(FOOD_XUANWU, 0, promised_limit_days=2), actor="operator")
        item = service.publish(FOOD_XUANWU, PublishRequest(note="压缩时限"), actor="operator")
        assert (item.version, item.promised_limit_days) == (2, 2)
        latest = service.versions(FOOD_XUANWU, limit=1, cursor=None).items[0]
        assert (latest.version, latest.changed_fields, latest.note) == (2, ["promised_limit_days"], "压缩时限")

    def test_a_draft_that_leaves_out_a_field_the_published_version_sets_is_refused(
        self, service: CatalogService
    ) -> None:
        load_demo(demo_bodies(regions={"320102"}, basic_codes={FOOD_BASIC}))
        published = service.get_item(FOOD_XUANWU)
        assert published.result_licence_type_code is not None
        body = draft_update(FOOD_XUANWU, 0, tags=["一网通办"]).model_dump(mode="json", exclude={"clear_fields"})
        # Given an editor's key list that forgot the licence the item issues (and its materials)
        assert body["materials"]
        forgetful = {k: v for k, v in body.items() if k not in ("result_licence_type_code", "materials")}
        with pytest.raises(ValidationFailed) as error:
            service.save_draft(FOOD_XUANWU, DraftUpdate.model_validate(forgetful), actor="operator")
        code, fields = refused(error)
        assert code == "catalog.draft_drops_fields"
        assert fields == {"result_licence_type_code": "catalog.field_dropped", "materials": "catalog.field_dropped"}
        with pytest.raises(NotFound):
            service.get_draft(FOOD_XUANWU)  # nothing written
        # Naming a field in clear_fields resets it on purpose (sending the field sets it)
        cleared = service.save_draft(
            FOOD_XUANWU,
            DraftUpdate.model_validate(
                forgetful | {"materials": body["materials"], "clear_fields": ["result_licence_type_code"]}
            ),
            actor="operator",
        )
        assert cleared.result_licence_type_code is None
        assert len(cleared.materials) == len(body["materials"])
        # The whole item, as the README's example sends it, keeps the licence
        whole = service.save_draft(FOOD_XUANWU, DraftUpdate.model_validate(body | {"revision": 1}), actor="operator")
        assert whole.result_licence_type_code == published.result_licence_type_code
        assert whole.tags == ["一网通办"]

    def test_only_guide_fields_with_defaults_can_be_cleared(self, service: CatalogService) -> None:
        load_demo(demo_bodies(regions={"320102"}, basic_codes={FOOD_BASIC}))
        with pytest.raises(ValidationFailed) as error:
            service.save_draft(FOOD_XUANWU, draft_update(FOOD_XUANWU, 0, clear_fields=["name"]), actor="operator")
        assert refused(error) == ("catalog.draft_drops_fields", {"clear_fields.0": "catalog.field_not_clearable"})

    def test_publishing_without_a_draft_is_a_conflict_and_unknown_items_are_not_found(
        self, service: CatalogService
    ) -> None:
        load_demo(demo_bodies(regions={"320102"}, basic_codes={FOOD_BASIC}))
        with pytest.raises(Conflict) as error:
            service.publish(FOOD_XUANWU, PublishRequest(), actor="operator")
        assert error.value.code == "catalog.no_draft"
        with pytest.raises(NotFound):
            service.publish(FOOD_JIANGNING, PublishRequest(), actor="operator")

    def test_publishing_a_revision_other_than_the_reviewed_one_is_refused(self, service: CatalogService) -> None:
        service.create_item(new_item(FOOD_XUANWU), actor="operator")
        service.save_draft(FOOD_XUANWU, draft_update(FOOD_XUANWU, 1, promised_limit_days=2), actor="other")
        with pytest.raises(Conflict) as error:
            service.publish(FOOD_XUANWU, PublishRequest(revision=1), actor="operator")
        assert error.value.code == "catalog.draft_conflict"

    def test_a_draft_made_before_a_retirement_cannot_be_published(self, service: CatalogService) -> None:
        load_demo(demo_bodies(regions={"320102"}, basic_codes={FOOD_BASIC}))
        service.save_draft(FOOD_XUANWU, draft_update(FOOD_XUANWU, 0, promised_limit_days=2), actor="a")
        service.retire(FOOD_XUANWU, RetireRequest(reason="事项调整"), actor="b")
        with pytest.raises(Conflict) as error:
            service.publish(FOOD_XUANWU, PublishRequest(), actor="a")
        assert error.value.code == "catalog.draft_stale"


class TestRetiring:
    def test_a_retired_item_leaves_search_and_lists_but_keeps_its_guide_and_history(
        self, service: CatalogService
    ) -> None:
        load_demo(demo_bodies(regions={"320102"}, basic_codes={FOOD_BASIC}))
        # When the item is retired
        with count_calls() as calls:
            service.retire(FOOD_XUANWU, RetireRequest(reason="并入食品经营许可和备案"), actor="operator")
        assert calls == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}
        # Then search and the 不见面 list no longer show it
        assert search(service, region_code="320102").items == []
        assert service.region_list("320102", "no_visit", limit=20, cursor=None).items == []
        # But its guide says it is retired and why, and the history shows both versions
        detail = service.get_item(FOOD_XUANWU)
        assert (detail.status, detail.version, detail.retire_reason) == ("retired", 2, "并入食品经营许可和备案")
        history = service.versions(FOOD_XUANWU, limit=10, cursor=None).items
        assert [(v.version, v.action) for v in history] == [(2, "retired"), (1, "published")]
        # And consumers hear of it
        [event] = outbox_events("catalog.item_retired")
        assert event["data"]["reason"] == "并入食品经营许可和备案"
        # And retiring again is a conflict
        with pytest.raises(Conflict) as error:
            service.retire(FOOD_XUANWU, RetireRequest(reason="再次"), actor="operator")
        assert error.value.code == "catalog.item_not_published"

    def test_a_retired_item_can_be_published_again_from_a_new_draft(self, service: CatalogService) -> None:
        load_demo(demo_bodies(regions={"320102"}, basic_codes={FOOD_BASIC}))
        service.retire(FOOD_XUANWU, RetireRequest(reason="暂停"), actor="operator")
        service.save_draft(FOOD_XUANWU, draft_update(FOOD_XUANWU, 0), actor="operator")
        item = service.publish(FOOD_XUANWU, PublishRequest(note="恢复办理"), actor="operator")
        assert (item.status, item.version, item.retire_reason) == ("published", 3, None)
        assert [hit.implementation_code for hit in search(service, region_code="320102").items] == [FOOD_XUANWU]


HRSS_BASIC_CODES = {"002014001001", "000514002001", "320714003000"}  # 社保卡, 失业保险金, 就业困难人员认定


@pytest.fixture(scope="class")  # torn down before the next class starts its own moto
def searchable() -> Iterator[CatalogService]:
    """Given Xuanwu's demo items and Jiangning's social security items, published."""
    with catalog_cloud():
        load_demo(demo_bodies(regions={"320102"}) + demo_bodies(regions={"320115"}, basic_codes=HRSS_BASIC_CODES))
        yield CatalogService()


class TestSearch:
    def test_by_default_all_of_jiangsu_is_searched(self, searchable: CatalogService) -> None:
        # No provincial items are loaded in this set: the default (the province) still finds
        # every item of the districts below it
        everything = search(searchable, limit=100).items
        assert len(everything) == 20  # with the four birth items of 新生儿出生 and 开餐馆's two in 玄武区
        assert {item.region_code for item in everything} == {"320102", "320115"}
        assert search(searchable, region_code="320100", limit=100).items == everything

    @pytest.mark.parametrize(
        "criteria",
        [
            {"region_code": "320102"},
            {"region_code": "320102", "channel": "visit_once"},
            {"region_code": "320102", "query": "许可"},
            {"region_code": "320102", "applicant_kind": "legal_person"},
            {"region_code": "320102", "item_type": "07"},
            {"department_id": "320115-hrss"},
        ],
    )
    def test_paging_neither_skips_nor_repeats(self, searchable: CatalogService, criteria: dict[str, Any]) -> None:
        # Given everything that matches, on one page
        everything = [item.implementation_code for item in search(searchable, limit=100, **criteria).items]
        assert everything, "the criteria should match something"
        # When the same search is read two at a time
        with count_calls() as calls:
            paged, pages = all_pages(searchable, limit=2, **criteria)
        # Then the pages hold exactly the same items in the same order
        assert paged == everything
        assert pages >= len(everything) // 2
        assert set(calls) <= {"dynamodb.Query", "dynamodb.BatchGetItem"}  # the synonyms (D-172); never a Scan

    def test_sparse_matches_over_many_dynamodb_pages_are_neither_skipped_nor_repeated(
        self, searchable: CatalogService, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Given the visit-once items of Xuanwu, found in one go
        criteria = {"region_code": "320102", "channel": "visit_once"}
        everything = [item.implementation_code for item in search(searchable, limit=100, **criteria).items]
        # When DynamoDB evaluates only 2 of Xuanwu's 17 entries per call, one call per request
        monkeypatch.setattr(repository_module, "_FILTERED_QUERY_BATCH", 2)
        monkeypatch.setattr(repository_module, "_MAX_QUERY_CALLS_PER_PAGE", 1)
        paged, pages = all_pages(searchable, limit=2, **criteria)
        # Then short pages carry on from where DynamoDB stopped, and nothing is lost or doubled
        assert paged == everything
        assert pages == 9

    def test_filters_narrow_the_results(self, searchable: CatalogService) -> None:
        visit_once = search(searchable, region_code="320102", channel="visit_once").items
        expected = {"居民身份证换领", "户口迁移", "内地居民结婚登记", "最低生活保障金给付"}
        assert {item.name for item in visit_once} == expected
        confirmations = search(searchable, region_code="320102", item_type="07").items
        assert {item.item_type for item in confirmations} == {"07"}
        by_keyword = search(searchable, region_code="320102", query="  身份证  换领 ").items
        assert [item.name for item in by_keyword] == ["居民身份证换领"]
        by_tag = search(searchable, region_code="320102", query="开餐馆").items
        assert [item.name for item in by_tag] == ["食品经营许可"]
        by_full_width_code = search(searchable, region_code="320102", query="０００１１７００４０００").items
        assert [item.name for item in by_full_width_code] == ["食品经营许可"]
        for_enterprises = search(searchable, region_code="320102", applicant_kind="legal_person").items
        assert all("legal_person" in item.applicant_kinds for item in for_enterprises)

    def test_a_departments_items(self, searchable: CatalogService) -> None:
        items = search(searchable, department_id="320115-hrss").items
        assert {item.name for item in items} == {"社会保障卡申领", "失业保险金申领", "就业困难人员认定"}
        assert search(searchable, department_id="320115-hrss", region_code="320102").items == []

    def test_a_cursor_only_continues_its_own_query(self, searchable: CatalogService) -> None:
        cursor = search(searchable, region_code="320102", limit=1).next_cursor
        assert cursor is not None
        for criteria in ({"region_code": "320115"}, {"region_code": "320102", "item_type": "20"}):
            with pytest.raises(BadRequest) as error:
                search(searchable, cursor=cursor, **criteria)
            assert error.value.code == "invalid_cursor"
        with pytest.raises(BadRequest):
            search(searchable, region_code="320102", cursor="not-a-cursor")

    def test_lists_and_the_open_data_snapshot_agree(self, searchable: CatalogService) -> None:
        snapshot = searchable.region_snapshot("320102")
        listed = searchable.region_list("320102", "visit_once", limit=100, cursor=None)
        assert [item.implementation_code for item in snapshot.lists.visit_once] == [
            item.implementation_code for item in listed.items
        ]
        assert snapshot.item_count == len(snapshot.lists.no_visit) + len(snapshot.lists.visit_once) == 17
        with pytest.raises(NotFound):
            searchable.region_list("320199", "no_visit", limit=20, cursor=None)


class TestDivisionsAndDepartments:
    def test_children_of_a_division_and_divisions_of_a_level(self, service: CatalogService) -> None:
        nanjing = service.list_regions(parent_code="320100", level=None, limit=100, cursor=None).items
        assert len(nanjing) == 11
        assert {region.parent_code for region in nanjing} == {"320100"}
        cities = service.list_regions(parent_code="320000", level=None, limit=100, cursor=None).items
        assert len(cities) == 13
        counties = service.list_regions(parent_code=None, level="county", limit=100, cursor=None).items
        assert all(region.level == "county" for region in counties)

    def test_departments_by_division_prefix_page_through(self, service: CatalogService) -> None:
        everything = service.list_departments(region_prefix="3201", limit=100, cursor=None).items
        assert len(everything) == 30  # 6 lines x 3 divisions, 3 more in Jiangning, 4 in Xuanwu, 5 centres
        first = service.list_departments(region_prefix="3201", limit=12, cursor=None)
        second = service.list_departments(region_prefix="3201", limit=12, cursor=first.next_cursor)
        third = service.list_departments(region_prefix="3201", limit=12, cursor=second.next_cursor)
        assert third.next_cursor is None
        assert [d.id for d in first.items + second.items + third.items] == [d.id for d in everything]
        # a township's prefix lists its service centre and its villages'
        township = service.list_departments(region_prefix="320115001", limit=10, cursor=None).items
        assert [d.id for d in township] == ["320115001-service", "320115001001-service"]


# --- search across levels ---------------------------------------------------------------

LEVEL_BASIC_CODES = {"000117002002", "000117002001", "322000301000", "320500302000"}
# 企业设立登记 (province, Nanjing, Xuanwu, Suzhou), 个体工商户设立登记 (Xuanwu, Jiangning, Suzhou),
# both tagged 营业执照; 老年人优待证办理 (three townships, one village); 尊老金申领 (a township, a village)


def _variant(region_code: str, name: str, basic_code: str) -> dict[str, Any]:
    """Another licensing item of a division's market regulator, named `name` (its own basic item)."""
    body = next(b for b in demo_bodies(regions={region_code}, basic_codes={"000117002001", "000117002002"})) | {
        "name": name,
        "basic_code": basic_code,
        "tags": [],
    }
    uscc = body["implementation_code"][:18]
    body["implementation_code"] = make_implementation_code(
        uscc, ExerciseLevel(int(body["implementation_code"][18])), basic_code
    )
    return body


NAME_VARIANTS = [
    _variant("320102", "营业执照", "000117002091"),  # exact name
    _variant("320115", "营业执照", "000117002091"),
    _variant("320115", "营业执照遗失补领", "000117002092"),  # name prefix
    _variant("320500", "营业执照遗失补领", "000117002092"),
    _variant("320102", "个体户营业执照变更", "000117002093"),  # name substring
]


@pytest.fixture(scope="class")
def across_levels() -> Iterator[CatalogService]:
    """Given items at the province, Nanjing, three districts, Suzhou, townships and a village."""
    with catalog_cloud():
        load_demo(demo_bodies(basic_codes=LEVEL_BASIC_CODES) + NAME_VARIANTS)
        yield CatalogService()


def hits(page: Page[Any]) -> list[tuple[str, str]]:
    return [(item.name, item.region_code) for item in page.items]


TAGGED = [  # 营业执照 only in their tags, in division-code order
    ("企业设立登记", "320000"),
    ("企业设立登记", "320100"),
    ("个体工商户设立登记", "320102"),
    ("企业设立登记", "320102"),
    ("个体工商户设立登记", "320115"),
    ("个体工商户设立登记", "320500"),
    ("企业设立登记", "320500"),
]


class TestSearchAcrossLevels:
    def test_the_province_finds_every_level_ranked_exact_prefix_substring_elsewhere(
        self, across_levels: CatalogService
    ) -> None:
        # When the province portal searches 营业执照
        with count_calls() as calls:
            found = search(across_levels, query="营业执照", region_code="320000")
        # Then it finds the items of every division below the province, ranked by how the name matches
        assert hits(found) == [
            ("营业执照", "320102"),
            ("营业执照", "320115"),
            ("营业执照遗失补领", "320115"),
            ("营业执照遗失补领", "320500"),
            ("个体户营业执照变更", "320102"),
            *TAGGED,
        ]
        # And the cost is exactly one Query per ranking range of the lead term 营业, never a Scan
        assert calls == {"dynamodb.Query": 6, "dynamodb.BatchGetItem": 1}  # + the synonyms of the keywords

    def test_the_persons_division_and_those_above_it_come_first_within_each_class(
        self, across_levels: CatalogService
    ) -> None:
        # When a resident of Jiangning searches the whole province
        with count_calls() as calls:
            found = search(across_levels, query="营业执照", region_code="320000", near="320115")
        # Then within each class Jiangning comes first, then Nanjing, then the province, then the rest
        assert hits(found) == [
            ("营业执照", "320115"),
            ("营业执照", "320102"),
            ("营业执照遗失补领", "320115"),
            ("营业执照遗失补领", "320500"),
            ("个体户营业执照变更", "320102"),
            ("个体工商户设立登记", "320115"),
            ("企业设立登记", "320100"),
            ("企业设立登记", "320000"),
            ("个体工商户设立登记", "320102"),
            ("企业设立登记", "320102"),
            ("个体工商户设立登记", "320500"),
            ("企业设立登记", "320500"),
        ]
        # And the three divisions of the chain cost one gsi1 Query each, on top of the six ranges
        assert calls == {"dynamodb.Query": 9, "dynamodb.BatchGetItem": 1}

    @pytest.mark.parametrize(
        ("region", "expected"),
        [
            ("320000", ["320102003", "320115001", "320115001001", "320115011"]),
            ("320100", ["320102003", "320115001", "320115001001", "320115011"]),
            ("320115", ["320115001", "320115001001", "320115011"]),
            ("320115001", ["320115001", "320115001001"]),
            ("320115001001", ["320115001001"]),
            ("320102", ["320102003"]),
        ],
    )
    def test_townships_and_villages_are_found_from_every_level_above_them(
        self, across_levels: CatalogService, region: str, expected: list[str]
    ) -> None:
        found = search(across_levels, query="老年人优待证", region_code=region)
        assert [item.region_code for item in found.items] == expected
        assert {item.exercise_level for item in found.items} <= {5, 6}

    def test_without_keywords_a_division_lists_itself_and_everything_below(self, across_levels: CatalogService) -> None:
        township = search(across_levels, region_code="320115001", limit=100).items
        assert [(item.name, item.region_code) for item in township] == [  # division, then implementation code
            ("尊老金申领", "320115001"),
            ("老年人优待证办理", "320115001"),
            ("老年人优待证办理", "320115001001"),
        ]
        # a single-character keyword finds names containing it
        assert {item.name for item in search(across_levels, query="尊", region_code="320115").items} == {"尊老金申领"}

    @pytest.mark.parametrize("near", [None, "320115", "320115011201"])
    @pytest.mark.parametrize("query", ["营业执照", None, "便民服务"])
    def test_paging_a_ranked_search_neither_skips_nor_repeats(
        self, across_levels: CatalogService, query: str | None, near: str | None
    ) -> None:
        everything = hits(search(across_levels, query=query, near=near, limit=100))
        assert everything
        paged: list[tuple[str, str]] = []
        cursor = None
        while True:
            page = search(across_levels, query=query, near=near, limit=3, cursor=cursor)
            assert len(page.items) <= 3
            paged.extend(hits(page))
            cursor = page.next_cursor
            if cursor is None:
                break
        assert paged == everything

    def test_a_ranked_cursor_only_continues_its_own_search(self, across_levels: CatalogService) -> None:
        cursor = search(across_levels, query="营业执照", limit=2).next_cursor
        assert cursor is not None
        for criteria in (
            {"query": "营业"},
            {"query": "营业执照", "near": "320115"},
            {"query": "营业执照", "region_code": "320100"},
        ):
            with pytest.raises(BadRequest) as error:
                search(across_levels, cursor=cursor, **criteria)
            assert error.value.code == "invalid_cursor"

    def test_a_retired_item_leaves_the_search_and_a_republished_one_returns(
        self, across_levels: CatalogService
    ) -> None:
        code = NAME_VARIANTS[4]["implementation_code"]  # 个体户营业执照变更, Xuanwu
        across_levels.retire(code, RetireRequest(reason="事项调整"), actor="operator")
        assert ("个体户营业执照变更", "320102") not in hits(search(across_levels, query="营业执照"))
        # When it is published again with a tag
        tagged = draft_update_of(NAME_VARIANTS[4], 0, tags=["变更登记"])
        across_levels.save_draft(code, tagged, actor="operator")
        across_levels.publish(code, PublishRequest(), actor="operator")
        # Then the tag finds it
        found = [(item.name, item.version) for item in search(across_levels, query="更登记").items]
        assert found == [("个体户营业执照变更", 3)]
        # When the tag is dropped again, the terms it brought go with it
        across_levels.save_draft(code, draft_update_of(NAME_VARIANTS[4], 0, tags=[]), actor="operator")
        across_levels.publish(code, PublishRequest(), actor="operator")
        assert search(across_levels, query="更登记").items == []
        again = [
            item.version for item in search(across_levels, query="营业执照").items if item.implementation_code == code
        ]
        assert again == [4]


def draft_update_of(body: dict[str, Any], revision: int, **changes: Any) -> DraftUpdate:
    fields = {k: v for k, v in body.items() if k in DraftUpdate.model_fields}
    return DraftUpdate.model_validate({**fields, "revision": revision, **changes})
