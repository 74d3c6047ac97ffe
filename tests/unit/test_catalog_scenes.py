"""Scenes (一件事, D-260): an operator's questionnaire selects a division's items; the
applicant's answers give the items with fees, limits and materials, ONE combined
form and each shared material once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.platform.aws import count_calls
from tests.support.api import call, invoke
from tests.unit.catalog_fixtures import catalog_cloud, demo_bodies, load_demo, outbox_events, request

FOOD = "11320102010102043T4000117004000"
SOLE_TRADER = "11320102010102043T4000117002001"
COMPANY = "11320102010102043T4000117002002"
INVOICES = "11320102010102051M4002015003001"
FIRE_SAFETY = "11320102010102107Q4000122001000"  # 公众聚集场所投入使用、营业前消防安全检查, 消防救援大队
SIGNBOARD = "11320102010102115K4320118002000"  # 店招标牌设置, 城市管理局
NO_FIRE_NO_SIGN = {"public_assembly": "否", "signboard": "否"}
JIANGNING_FOOD = "11320115010115047F4000117004000"
BIRTH_ITEMS = (
    "11320102010102078D4002012001000",  # 出生医学证明首次签发, 卫生健康委
    "11320102010102019A4000707020000",  # 出生登记, 公安分局
    "1132010201010208684002013001000",  # 城乡居民基本医疗保险参保登记, 医疗保障局
    "1132010201010203504002003010000",  # 社会保障卡申领, 人社局
)


@pytest.fixture(scope="module", autouse=True)
def xuanwu() -> Iterator[None]:
    """Given the Xuanwu items of the seeded 开餐馆 and 新生儿出生 scenes, and the scenes."""
    codes = (FOOD, SOLE_TRADER, COMPANY, INVOICES, FIRE_SAFETY, SIGNBOARD, *BIRTH_ITEMS)
    with catalog_cloud():
        load_demo(demo_bodies(regions={"320102"}, basic_codes={code[-12:] for code in codes}))
        yield


def guide(answers: dict[str, str]) -> Any:
    return invoke(request("scene-guide.json", body={"answers": answers}))


def test_the_seeded_restaurant_scene_is_listed_with_its_questionnaire() -> None:
    listed = invoke(request("scenes-list.json")).body["items"]
    assert [(s["scene_id"], s["name"]) for s in listed] == [
        ("320102-newborn", "新生儿出生"),
        ("320102-restaurant", "开餐馆"),
    ]
    scene = invoke(request("scene-get.json")).body
    questions = [q["question_id"] for q in scene["questions"]]
    assert questions == ["business_form", "invoices", "public_assembly", "signboard"]
    assert invoke(request("scenes-list.json", query={"region": "3205"})).body["items"] == []
    missing = invoke(request("scene-get.json", path_params={"scene_id": "320102-bakery"}))
    assert (missing.status, missing.body["code"]) == (404, "catalog.scene_not_found")


def test_a_sole_trader_gets_two_items_one_form_and_each_shared_field_asked_once() -> None:
    # When a person opening a restaurant as a sole trader answers (the sample)
    with count_calls() as calls:
        response = invoke(request("scene-guide.json"))
    assert response.status == 200, response.body
    body = response.body
    # Then they see the registration and the food licence, with department, limits and materials
    assert [i["implementation_code"] for i in body["items"]] == [SOLE_TRADER, FOOD]
    food = body["items"][1]
    assert (food["department_name"], food["promised_limit_days"], food["legal_limit_days"]) == (
        "南京市玄武区市场监督管理局",
        3,
        20,
    )
    assert len(food["materials"]) == 5
    # And one form: the premises address both items ask is one required field used by both
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["premises_address"]["used_by"] == [SOLE_TRADER, FOOD]
    assert fields["premises_address"]["required"] is True
    assert [f["name"] for f in body["fields"]].count("phone") == 1
    # the two forms' phone rules differ: the one answer must satisfy both
    assert len(fields["phone"]["json_schema"]["allOf"]) == 2
    assert fields["business_scope"]["used_by"] == [FOOD]
    # And the two application forms stay two uploads (different documents under one slot name)
    forms = [m for m in body["materials"] if m["slot_id"] == "application_form"]
    assert [m["used_by"] for m in forms] == [[SOLE_TRADER], [FOOD]]
    # reads: the scene, the items, their departments' names — no Scan, no Query
    assert calls == {"dynamodb.GetItem": 1, "dynamodb.BatchGetItem": 2}


def test_a_company_issuing_invoices_gets_three_items_and_uploads_its_business_licence_once() -> None:
    body = guide({"business_form": "公司", "invoices": "是"} | NO_FIRE_NO_SIGN).body
    assert [i["implementation_code"] for i in body["items"]] == [COMPANY, FOOD, INVOICES]
    [licence] = [m for m in body["materials"] if m["slot_id"] == "business_licence"]
    assert licence["used_by"] == [FOOD, INVOICES]
    assert body["fee_total_fen"] == sum(i["fee_total_fen"] for i in body["items"])
    no_invoices = guide({"business_form": "公司", "invoices": "否"} | NO_FIRE_NO_SIGN).body
    assert no_invoices["items"][-1]["implementation_code"] == FOOD


def test_a_large_restaurant_with_a_signboard_adds_the_fire_safety_check_and_the_signboard() -> None:
    # When a company opening a restaurant of more than 150 m² with a shop sign answers
    body = guide({"business_form": "公司", "invoices": "是", "public_assembly": "是", "signboard": "是"}).body
    # Then five items of four departments, the fire check with the ten working days of 消防法 第十五条
    assert [(i["implementation_code"], i["department_name"]) for i in body["items"]] == [
        (COMPANY, "南京市玄武区市场监督管理局"),
        (FOOD, "南京市玄武区市场监督管理局"),
        (INVOICES, "国家税务总局南京市玄武区税务局"),
        (FIRE_SAFETY, "南京市玄武区消防救援大队"),
        (SIGNBOARD, "南京市玄武区城市管理局"),
    ]
    fire = body["items"][3]
    assert (fire["name"], fire["legal_limit_days"]) == ("公众聚集场所投入使用、营业前消防安全检查", 10)
    # And the business licence is still uploaded once, for the four items that ask it
    [licence] = [m for m in body["materials"] if m["slot_id"] == "business_licence"]
    assert licence["used_by"] == [FOOD, INVOICES, FIRE_SAFETY, SIGNBOARD]
    # And the premises address is asked once for the three items that need it
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["premises_address"]["used_by"] == [FOOD, FIRE_SAFETY, SIGNBOARD]
    assert fields["floor_area_m2"]["used_by"] == [FIRE_SAFETY]
    # A sole trader's small restaurant with a sign: registration, food licence and the signboard
    small = guide({"business_form": "个体工商户", "invoices": "否", "public_assembly": "否", "signboard": "是"}).body
    assert [i["implementation_code"] for i in small["items"]] == [SOLE_TRADER, FOOD, SIGNBOARD]


def test_answers_must_cover_every_question_with_one_of_its_options() -> None:
    response = invoke(
        request("scene-guide.json", body={"answers": {"business_form": "合伙企业"}}, headers={"Accept-Language": "en"})
    )
    assert (response.status, response.body["code"]) == (422, "catalog.invalid_answers")
    assert sorted((e["field"], e["code"]) for e in response.body["errors"]) == [
        ("answers.business_form", "catalog.unknown_answer"),
        ("answers.invoices", "catalog.unanswered"),
        ("answers.public_assembly", "catalog.unanswered"),
        ("answers.signboard", "catalog.unanswered"),
    ]


def test_an_operator_defines_a_scene_of_published_items_and_each_write_is_a_new_version() -> None:
    definition = {
        "name": "开小吃店",
        "questions": [{"question_id": "form", "text": "经营主体？", "options": ["个体", "公司"]}],
        "items": [{"implementation_code": SOLE_TRADER, "when": {"form": ["个体"]}}, {"implementation_code": FOOD}],
    }
    path = {"scene_id": "320102-snack-bar"}
    first = invoke(request("scene-put.json", path_params=path, body=definition))
    assert (first.status, first.body["version"], first.body["region_code"]) == (200, 1, "320102")
    second = invoke(request("scene-put.json", path_params=path, body=definition | {"name": "开小吃店（个体）"}))
    assert second.body["version"] == 2
    events = [e for e in outbox_events("catalog.scene_set") if e["subject"] == "320102-snack-bar"]
    assert [(e["data"]["version"], e["data"]["implementation_codes"]) for e in events] == [
        (1, [SOLE_TRADER, FOOD]),
        (2, [SOLE_TRADER, FOOD]),
    ]
    assert (
        invoke(request("scenes-list.json", query={"region": "320102"})).body["items"][-1]["name"] == "开小吃店（个体）"
    )


def test_a_scene_naming_another_divisions_item_or_an_unknown_option_is_refused() -> None:
    definition = {
        "name": "开小吃店",
        "questions": [{"question_id": "form", "text": "经营主体？", "options": ["个体", "公司"]}],
        "items": [{"implementation_code": JIANGNING_FOOD}, {"implementation_code": FOOD, "when": {"form": ["合伙"]}}],
    }
    response = invoke(request("scene-put.json", path_params={"scene_id": "320102-snack"}, body=definition))
    assert (response.status, response.body["code"]) == (422, "catalog.invalid_scene")
    assert [(e["field"], e["code"]) for e in response.body["errors"]] == [
        ("items.0.implementation_code", "catalog.item_not_found"),
        ("items.1.when.form", "catalog.unknown_answer"),
    ]
    assert invoke(request("scene-get.json", path_params={"scene_id": "320102-snack"})).status == 404
    unknown_division = invoke(request("scene-put.json", path_params={"scene_id": "320199-snack"}, body=definition))
    assert (unknown_division.status, unknown_division.body["code"]) == (404, "catalog.region_not_found")


def test_two_operators_racing_on_one_scene_get_one_write_and_one_409(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.catalog.models import SceneDefinition
    from shared.catalog.repository import CatalogRepository
    from shared.catalog.service import CatalogService

    definition = {"name": "开面馆", "items": [{"implementation_code": FOOD}]}
    path = {"scene_id": "320102-noodles"}
    read = CatalogRepository.get_scene

    def read_then_other_writes(repository: CatalogRepository, scene_id: str, **kwargs: Any) -> Any:
        seen = read(repository, scene_id, **kwargs)  # the version this operator builds on
        monkeypatch.setattr(CatalogRepository, "get_scene", read)
        CatalogService().put_scene(scene_id, SceneDefinition.model_validate(definition), actor="another-operator")
        return seen

    monkeypatch.setattr(CatalogRepository, "get_scene", read_then_other_writes)
    refused = invoke(request("scene-put.json", path_params=path, body=definition | {"name": "开拉面馆"}))
    assert (refused.status, refused.body["code"]) == (409, "version_conflict")
    stored = invoke(request("scene-get.json", path_params=path)).body
    assert (stored["name"], stored["version"], stored["updated_by"]) == ("开面馆", 1, "another-operator")


def test_a_newborns_family_gets_four_departments_items_with_the_child_asked_once() -> None:
    # When parents of a newborn in Xuanwu want the insurance and the card too
    body = invoke(
        request(
            "scene-guide.json",
            path_params={"scene_id": "320102-newborn"},
            body={"answers": {"medical_insurance": "是", "social_security_card": "是"}},
        )
    ).body
    # Then they see the four items, each of its own department
    assert [(i["implementation_code"], i["department_name"]) for i in body["items"]] == [
        (BIRTH_ITEMS[0], "南京市玄武区卫生健康委员会"),
        (BIRTH_ITEMS[1], "南京市公安局玄武分局"),
        (BIRTH_ITEMS[2], "南京市玄武区医疗保障局"),
        (BIRTH_ITEMS[3], "南京市玄武区人力资源和社会保障局"),
    ]
    # And the child's name and birth date are asked once for all four
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["child_name"]["used_by"] == list(BIRTH_ITEMS)
    assert fields["child_birth_date"]["required"] is True
    # And the birth certificate is uploaded once for the three items that ask it
    [certificate] = [m for m in body["materials"] if m["slot_id"] == "birth_certificate"]
    assert certificate["used_by"] == list(BIRTH_ITEMS[1:])
    # Without the optional ones, two items remain
    fewer = invoke(
        request(
            "scene-guide.json",
            path_params={"scene_id": "320102-newborn"},
            body={"answers": {"medical_insurance": "否", "social_security_card": "否"}},
        )
    ).body
    assert [i["implementation_code"] for i in fewer["items"]] == list(BIRTH_ITEMS[:2])


# --- one search, hot searches, sub-halls (D-280) -----------------------------------------------


def search(q: str, **query: str) -> Any:
    reply = call("GET", "/v1/search", query={"q": q, **query})
    assert reply.status == 200, reply.body
    return reply.body


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("开餐馆", "320102-restaurant"),
        ("kcg", "320102-restaurant"),
        ("新生儿", "320102-newborn"),
        ("生孩子", "320102-newborn"),
    ],
)
def test_scenes_come_first_in_the_one_result_list_with_the_items(query: str, first: str) -> None:
    body = search(query, region="320100")
    assert body["results"][0]["kind"] == "scene"
    assert body["results"][0]["scene"]["scene_id"] == first


def test_a_search_adds_one_query_for_the_scenes_and_one_counter_write() -> None:
    with count_calls() as items_only:
        assert call("GET", "/v1/items", query={"q": "营业执照"}).status == 200
    with count_calls() as together:
        body = search("营业执照")
    assert [hit["kind"] for hit in body["results"]][:1] == ["item"]  # no scene says 营业执照
    assert together["dynamodb.Query"] == items_only["dynamodb.Query"] + 1
    assert together.get("dynamodb.UpdateItem", 0) == 1  # the hot-search counter
    assert "dynamodb.Scan" not in together
    # the next page has items only and counts nothing
    if body["next_cursor"]:
        with count_calls() as next_page:
            search("营业执照", cursor=body["next_cursor"])
        assert "dynamodb.UpdateItem" not in next_page


def test_hot_searches_rank_what_people_searched_and_found() -> None:
    for _ in range(3):
        search("新生儿")
    search("开餐馆")
    search("没有这个事项啊")  # finds nothing: not counted
    search("营业执照 食品经营许可 开餐馆 玄武区 很长的一句话")  # longer than 20 characters: not counted
    hot = call("GET", "/v1/search/hot", query={"limit": "5"}).body["items"]
    counts = {entry["query"]: entry["count"] for entry in hot}
    assert counts["新生儿"] >= 3
    assert hot[0]["query"] == "新生儿" or counts[hot[0]["query"]] >= counts["新生儿"]
    assert "没有这个事项啊" not in counts
    assert all(len(entry["query"]) <= 20 for entry in hot)


def test_xuanwus_sub_hall_shows_its_departments_scenes_and_items() -> None:
    hall = call("GET", "/v1/regions/320102/hall").body
    assert hall["region"]["name"] == "玄武区"
    names = {d["name"] for d in hall["departments"]}
    assert {"南京市玄武区卫生健康委员会", "南京市玄武区医疗保障局", "南京市玄武区市场监督管理局"} <= names
    scenes = [s["scene_id"] for s in hall["scenes"]]
    assert {"320102-newborn", "320102-restaurant"} <= set(scenes)
    assert all(scene.startswith("320102-") for scene in scenes)
    assert hall["items"]
    assert all(i["region_code"].startswith("320102") for i in hall["items"])
    missing = call("GET", "/v1/regions/329999/hall")
    assert (missing.status, missing.body["code"]) == (404, "catalog.region_not_found")


def test_a_departments_store_shows_its_items_and_the_scenes_that_bundle_them() -> None:
    market = call("GET", "/v1/departments/320102-market/store").body
    assert market["department"]["name"] == "南京市玄武区市场监督管理局"
    market_scenes = {s["scene_id"] for s in market["scenes"]}
    assert "320102-restaurant" in market_scenes
    assert "320102-newborn" not in market_scenes
    assert {i["department_id"] for i in market["items"]} == {"320102-market"}
    health = call("GET", "/v1/departments/320102-health/store").body
    assert [s["scene_id"] for s in health["scenes"]] == ["320102-newborn"]
    assert [i["name"] for i in health["items"]] == ["出生医学证明首次签发"]
    missing = call("GET", "/v1/departments/320102-bakery/store")
    assert (missing.status, missing.body["code"]) == (404, "catalog.department_not_found")
