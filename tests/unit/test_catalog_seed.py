"""The demo data the local cloud loads on start (infra/seed): enough of it,
realistic, obeying the catalogue's rules, and safe to load twice."""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import pytest

import infra.seed as seed
from infra.seed import load_catalog
from infra.seed.departments import DEPARTMENTS, SECTORS, SERVICE_SECTOR
from infra.seed.items import new_item_bodies
from infra.seed.regions import ALL as ALL_REGIONS
from shared.catalog.codes import is_valid_uscc, parse_implementation_code, region_level
from shared.catalog.models import Department, Region
from shared.catalog.service import CatalogService, code_errors, content_errors
from shared.catalog.writes import NewItem
from shared.codes.divisions import division, is_current_division
from tests.unit.catalog_fixtures import CATALOG_TABLE, catalog_cloud, load_demo_data, outbox_events

ITEMS = [NewItem.model_validate(body) for body in new_item_bodies()]


class TestDemoDataContents:
    def test_divisions_cover_jiangsu_its_cities_and_nanjings_districts(self) -> None:
        codes = {code for code, _ in ALL_REGIONS}
        assert {"320000", "320100", "320500", "321300"} <= codes
        assert sum(region_level(code).value == "city" for code in codes) == 13
        assert {c for c in codes if c.startswith("3201") and len(c) == 6 and c != "320100"} == {
            "320102",
            "320104",
            "320105",
            "320106",
            "320111",
            "320113",
            "320114",
            "320115",
            "320116",
            "320117",
            "320118",
        }

    def test_six_lines_of_work_at_five_divisions_three_more_in_jiangning_four_in_xuanwu_with_valid_usccs(self) -> None:
        everywhere = {
            "public_security",
            "civil_affairs",
            "human_resources_social_security",
            "market_regulation",
            "taxation",
            "housing_construction",
        }
        # the investment project approval's lead and co-departments (issue 21): Jiangning only
        jiangning_only = {"development_reform", "natural_resources", "ecology_environment"}
        # 新生儿出生's health commission and medical insurance bureau, 开餐馆's fire and rescue brigade and
        # urban management bureau (issue 18): Xuanwu only
        xuanwu_only = {"health", "medical_insurance", "fire_rescue", "urban_management"}
        assert {sector.key for sector in SECTORS} == everywhere | jiangning_only | xuanwu_only
        assert len([d for d in DEPARTMENTS if d.sector in everywhere]) == 30
        assert {d.region_code for d in DEPARTMENTS if d.sector in jiangning_only} == {"320115"}
        assert {d.region_code for d in DEPARTMENTS if d.sector in xuanwu_only} == {"320102"}
        assert all(is_valid_uscc(department.uscc) for department in DEPARTMENTS)
        assert len({department.uscc for department in DEPARTMENTS}) == len(DEPARTMENTS) == 42

    def test_every_division_code_is_checked_against_gb_t_2260(self) -> None:
        # Every seeded code is a division in use (townships and villages under a current county)
        assert [code for code, _ in ALL_REGIONS if not is_current_division(code, 2026)] == []
        # And every county name agrees with the table's current name
        for code, name in ALL_REGIONS:
            if len(code) == 6:
                known = division(code)
                assert known is not None
                assert known.name == name, code

    def test_townships_and_villages_have_service_centres_and_items(self) -> None:
        levels = {region_level(code).value for code, _ in ALL_REGIONS}
        assert {"township", "village"} <= levels
        centres = {d.region_code: d for d in DEPARTMENTS if d.sector == SERVICE_SECTOR}
        assert {region_level(code).value for code in centres} == {"township", "village"}
        assert all(d.name.endswith(("便民服务中心", "便民服务站")) for d in centres.values())
        # the registering authority inside a service centre's USCC is its county
        assert all(d.uscc[2:8] == d.region_code[:6] for d in centres.values())
        exercised = {int(parse_implementation_code(item.implementation_code).exercise_level) for item in ITEMS}
        assert {5, 6} <= exercised
        assert {item.region_code for item in ITEMS if len(item.region_code) > 6} == set(centres)

    def test_at_least_thirty_items_with_both_channels_fees_and_licence_slots(self) -> None:
        assert len(ITEMS) >= 30
        assert {item.channel for item in ITEMS} == {"no_visit", "visit_once"}
        assert any(item.fees for item in ITEMS)
        assert any(material.licence_type_code for item in ITEMS for material in item.materials)
        assert any(item.immediate for item in ITEMS)
        assert all(content_errors(item, item.region_code) == [] for item in ITEMS)

    def test_every_items_codes_agree_with_its_department_and_division(self) -> None:
        names = dict(ALL_REGIONS)
        for item in ITEMS:
            seeded = next(d for d in DEPARTMENTS if d.id == item.department_id)
            level = region_level(item.region_code)
            department = Department(
                id=seeded.id, name=seeded.name, uscc=seeded.uscc, region_code=seeded.region_code, level=level
            )
            region = Region(code=item.region_code, name=names[item.region_code], level=level)
            assert code_errors(item.implementation_code, item.basic_code, item, department, region) == []

    def test_several_basic_items_are_implemented_at_province_city_and_county_alike(self) -> None:
        levels: dict[str, set[int]] = defaultdict(set)
        four_fields: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        for item in ITEMS:
            code = parse_implementation_code(item.implementation_code)
            levels[item.basic_code].add(int(code.exercise_level))
            four_fields[item.basic_code].add((item.name, item.item_type.value, item.legal_basis))
        assert sum(found == {2, 3, 4} for found in levels.values()) >= 3
        assert all(len(variants) == 1 for variants in four_fields.values())  # 三级四同


THREE_LEVEL_BASIC_CODES = {"000117002002", "002014001001"}  # 企业设立登记, 社会保障卡申领


@pytest.fixture
def smaller_demo_set(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Given a demo set cut down to two basic items implemented at all three levels.

    (Loading all of it is what the local cloud does on start; here moto's
    transaction copies would make that take many seconds.)
    """
    bodies = [body for body in new_item_bodies() if body["basic_code"] in THREE_LEVEL_BASIC_CODES]
    monkeypatch.setattr(seed, "new_item_bodies", lambda: bodies)
    return bodies


class TestLoading:
    def test_loading_publishes_through_the_catalogue_and_a_restart_changes_nothing(
        self, smaller_demo_set: list[dict[str, Any]]
    ) -> None:
        with catalog_cloud():
            # When the local cloud starts
            first = load_demo_data()
            # Then every item is published through the catalogue, with its event
            assert first == {
                "regions": len(ALL_REGIONS),
                "departments": 42,
                "items_published": len(smaller_demo_set),
                "items_already_published": 0,
            }
            assert len(outbox_events("catalog.item_published")) == len(smaller_demo_set)
            found = CatalogService().search(
                query="企业设立",
                region_code="320100",
                department_id=None,
                item_type=None,
                channel=None,
                applicant_kind=None,
                limit=20,
                cursor=None,
            )
            # (Nanjing and the district below it: the search covers the subtree)
            assert [(item.name, item.region_code) for item in found.items] == [
                ("企业设立登记", "320100"),
                ("企业设立登记", "320102"),
            ]
            # When it starts again
            second = load_demo_data()
            # Then nothing is published twice
            assert (second["items_published"], second["items_already_published"]) == (0, len(smaller_demo_set))
            assert len(outbox_events("catalog.item_published")) == len(smaller_demo_set)

    def test_a_draft_left_by_an_interrupted_load_is_finished(self, smaller_demo_set: list[dict[str, Any]]) -> None:
        with catalog_cloud():
            # Given a previous start stopped right after drafting the first item
            load_catalog(CatalogService(), [])
            first = NewItem.model_validate(smaller_demo_set[0])
            CatalogService().create_item(first, actor="seed")
            # When the demo data is loaded
            counts = load_demo_data()
            # Then the draft was replaced and published with the others
            assert counts["items_published"] == len(smaller_demo_set)
            assert CatalogService().get_item(first.implementation_code).version == 1

    def test_the_environment_of_the_process_is_restored(self, smaller_demo_set: list[dict[str, Any]]) -> None:
        with catalog_cloud():
            before = dict(os.environ)
            seed.load_catalog_demo({"CATALOG_TABLE": CATALOG_TABLE, "SEED_PROBE": "set"})
            assert dict(os.environ) == before
