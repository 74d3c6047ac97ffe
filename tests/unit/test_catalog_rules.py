"""The catalogue's pure rules: 三级四同, code agreement, the guide's own rules
and the application form check — no storage involved."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from infra.seed.items import new_item_bodies
from shared.catalog.codes import RegionLevel
from shared.catalog.models import Department, Region
from shared.catalog.service import (
    changed_fields,
    code_errors,
    content_errors,
    fingerprint,
    form_schema_problem,
    three_level_differences,
)
from shared.catalog.writes import BasicItem, NewItem

FOOD_XUANWU = "11320102010102043T4000117004000"
XUANWU = Region(code="320102", name="玄武区", level=RegionLevel.COUNTY, parent_code="320100")
XUANWU_MARKET = Department(
    id="320102-market",
    name="南京市玄武区市场监督管理局",
    uscc="11320102010102043T",
    region_code="320102",
    level=RegionLevel.COUNTY,
)


def food_licence(**changes: Any) -> NewItem:
    """Given: the Xuanwu food business licence from the demo data, with `changes`."""
    body = next(b for b in new_item_bodies() if b["implementation_code"] == FOOD_XUANWU)
    return NewItem.model_validate({**body, **changes})


def basic_item(**changes: Any) -> BasicItem:
    item = food_licence()
    fields: dict[str, Any] = {
        "basic_code": item.basic_code,
        "name": item.name,
        "item_type": item.item_type,
        "legal_basis": item.legal_basis,
        "created_at": datetime(2026, 1, 5, tzinfo=UTC),
        "created_by_implementation": "11320100010100048Y3000117004000",
    }
    fields |= changes
    fields["fingerprint"] = fingerprint(
        fields["basic_code"], fields["name"], fields["item_type"].value, fields["legal_basis"]
    )
    return BasicItem.model_validate(fields)


def error_fields(errors: list[Any]) -> dict[str, str]:
    return {error.field: error.code for error in errors}


class TestThreeLevelFourSame:
    """三级四同: name, code, type and legal basis equal the basic item."""

    def test_an_implementation_repeating_the_four_fields_passes(self) -> None:
        assert three_level_differences(FOOD_XUANWU[19:], food_licence(), basic_item()) == []

    def test_each_differing_field_is_named_with_the_expected_value(self) -> None:
        # Given a district that renamed the item and cites another article
        item = food_licence(name="餐饮服务许可", legal_basis="《中华人民共和国食品安全法》第三十六条")
        # When it is compared with the basic item
        errors = three_level_differences(item.basic_code, item, basic_item())
        # Then both fields are named, with what they must be
        assert error_fields(errors) == {
            "name": "catalog.field_differs_from_basic",
            "legal_basis": "catalog.field_differs_from_basic",
        }
        expected = {error.field: error.params["expected"] for error in errors}
        assert expected["name"] == "食品经营许可"
        assert expected["legal_basis"].startswith("《中华人民共和国食品安全法》第三十五条")

    def test_local_details_may_differ(self) -> None:
        item = food_licence(promised_limit_days=1, tags=["夜市"], channel="no_visit")
        assert three_level_differences(item.basic_code, item, basic_item()) == []

    def test_the_fingerprint_changes_with_any_of_the_four_fields(self) -> None:
        base = ("000117004000", "食品经营许可", "01", "依据")
        variants = {
            fingerprint(*base),
            fingerprint("000117004001", *base[1:]),
            fingerprint(base[0], "食品经营许可证", *base[2:]),
            fingerprint(*base[:2], "07", base[3]),
            fingerprint(*base[:3], "依据 "),
        }
        assert len(variants) == 5


class TestCodesAgree:
    def test_the_demo_item_agrees_with_its_department_and_division(self) -> None:
        item = food_licence()
        assert code_errors(item.implementation_code, item.basic_code, item, XUANWU_MARKET, XUANWU) == []

    def test_another_departments_uscc_is_refused(self) -> None:
        item = food_licence()
        other = XUANWU_MARKET.model_copy(update={"uscc": "91110000600037341L"})
        errors = code_errors(item.implementation_code, item.basic_code, item, other, XUANWU)
        assert error_fields(errors) == {"implementation_code": "catalog.uscc_mismatch"}
        assert errors[0].params == {"expected": "91110000600037341L"}

    def test_a_city_level_digit_in_a_county_is_refused(self) -> None:
        code = FOOD_XUANWU[:18] + "3" + FOOD_XUANWU[19:]
        item = food_licence(implementation_code=code)
        errors = code_errors(code, item.basic_code, item, XUANWU_MARKET, XUANWU)
        assert error_fields(errors) == {"implementation_code": "catalog.level_mismatch"}
        assert errors[0].params == {"expected": 4}

    def test_the_embedded_basic_code_must_be_the_items(self) -> None:
        item = food_licence(basic_code="000117004001")
        errors = code_errors(item.implementation_code, "000117004001", item, XUANWU_MARKET, XUANWU)
        assert error_fields(errors) == {"implementation_code": "catalog.basic_code_mismatch"}

    def test_the_item_type_must_be_the_basic_codes(self) -> None:
        item = food_licence(item_type="07")
        errors = code_errors(item.implementation_code, item.basic_code, item, XUANWU_MARKET, XUANWU)
        assert error_fields(errors) == {"item_type": "catalog.item_type_mismatch"}


class TestGuideRules:
    def test_the_demo_item_is_sound(self) -> None:
        assert content_errors(food_licence(), "320102") == []

    def test_a_promise_longer_than_the_law_is_refused(self) -> None:
        errors = content_errors(food_licence(promised_limit_days=21), "320102")
        assert error_fields(errors) == {"promised_limit_days": "catalog.promised_exceeds_legal"}
        assert errors[0].params == {"legal": 20}

    @pytest.mark.parametrize(("immediate", "promised"), [(True, 3), (False, 0)])
    def test_immediate_items_promise_zero_days_and_only_they(self, immediate: bool, promised: int) -> None:
        errors = content_errors(food_licence(immediate=immediate, promised_limit_days=promised), "320102")
        assert error_fields(errors) == {"promised_limit_days": "catalog.immediate_limit"}

    def test_a_conditional_material_must_say_when(self) -> None:
        item = food_licence()
        materials = [m.model_dump() for m in item.materials]
        materials[4]["condition"] = None
        errors = content_errors(food_licence(materials=materials), "320102")
        assert error_fields(errors) == {"materials.4.condition": "catalog.condition_required"}

    def test_material_slots_are_unique(self) -> None:
        item = food_licence()
        materials = [m.model_dump() for m in item.materials]
        materials[1]["slot_id"] = materials[0]["slot_id"]
        errors = content_errors(food_licence(materials=materials), "320102")
        assert error_fields(errors) == {"materials.1.slot_id": "catalog.duplicate_slot"}

    def test_a_visit_once_item_needs_a_hall_in_its_division(self) -> None:
        assert error_fields(content_errors(food_licence(channel="visit_once"), "320102")) == {
            "halls": "catalog.hall_required"
        }
        suzhou_hall = {"name": "苏州市政务服务中心", "address": "苏州", "region_code": "320508"}
        hall = suzhou_hall | {"phone": "12345", "hours": "9:00"}
        errors = content_errors(food_licence(channel="visit_once", halls=[hall]), "320102")
        assert error_fields(errors) == {"halls.0.region_code": "catalog.hall_outside_region"}

    def test_the_form_must_be_a_valid_json_schema(self) -> None:
        form = {"type": "object", "properties": {"name": {"type": "strnig"}}}
        errors = content_errors(food_licence(form_schema=form), "320102")
        assert error_fields(errors) == {"form_schema": "catalog.invalid_form_schema"}


class TestFormSchema:
    @pytest.mark.parametrize(
        "dialect", [None, "https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#"]
    )
    def test_draft_2020_12_and_07_object_schemas_are_accepted(self, dialect: str | None) -> None:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {"a": {"$ref": "#/$defs/name"}},
            "$defs": {"name": {"type": "string", "maxLength": 10}},
        }
        if dialect:
            schema["$schema"] = dialect
        assert form_schema_problem(schema) is None

    @pytest.mark.parametrize(
        ("schema", "reason"),
        [
            ({"type": "array"}, "top-level type"),
            ({"type": "object", "$schema": "http://json-schema.org/draft-03/schema#"}, "$schema"),
            ({"type": "object", "required": "name"}, "required must be an array"),
            ({"type": "object", "properties": {"a": {"pattern": "("}}}, ""),
        ],
    )
    def test_unusable_schemas_are_explained(self, schema: dict[str, Any], reason: str) -> None:
        problem = form_schema_problem(schema)
        assert problem is not None
        assert reason in problem

    @pytest.mark.parametrize(
        "schema",
        [
            {"type": "object", "properties": {"a": {"$ref": "http://169.254.169.254/latest/meta-data"}}},
            {"type": "object", "properties": {"a": {"$ref": "file:///etc/passwd"}}},
            {"type": "object", "$id": "https://evil.example/", "properties": {"a": {"$ref": "#/x"}}},
        ],
    )
    def test_references_outside_the_document_are_refused_without_fetching(self, schema: dict[str, Any]) -> None:
        problem = form_schema_problem(schema)
        assert problem is not None

    @pytest.mark.parametrize(
        ("field", "reason"),
        [
            ({"type": "integer", "minimum": 0}, "minimum and a maximum"),
            ({"type": "integer", "maximum": 10}, "minimum and a maximum"),
            ({"type": ["integer", "null"], "minimum": 0}, "minimum and a maximum"),
            ({"type": "number", "exclusiveMinimum": 0}, "minimum and a maximum"),
            ({"type": "integer", "minimum": 0, "maximum": 10**19}, "64-bit"),
            ({"type": "integer", "minimum": -(10**19), "maximum": 0}, "64-bit"),
        ],
    )
    def test_number_fields_without_a_range_within_int64_are_refused(self, field: dict[str, Any], reason: str) -> None:
        # an unbounded monthly_income_fen took 10^18 fen and 39 digits gave a 500 (issue 22)
        schema = {"type": "object", "properties": {"group": {"type": "object", "properties": {"income_fen": field}}}}
        problem = form_schema_problem(schema)
        assert problem is not None
        assert "group.properties.income_fen" in problem
        assert reason in problem

    def test_bounded_number_fields_and_a_field_named_type_are_accepted(self) -> None:
        schema = {
            "type": "object",
            "properties": {
                "income_fen": {"type": "integer", "minimum": 0, "maximum": 10**9},
                "area": {"type": "number", "exclusiveMinimum": 0, "maximum": 1e7},
                "type": {"type": "string", "enum": ["a", "b"]},
            },
        }
        assert form_schema_problem(schema) is None

    def test_deeply_nested_schemas_are_refused(self) -> None:
        schema: dict[str, Any] = {"type": "object"}
        node = schema
        for _ in range(25):
            node["properties"] = {"x": {"type": "object"}}
            node = node["properties"]["x"]
        assert "nested deeper" in (form_schema_problem(schema) or "")


class TestIdentityBindings:
    """`x-identity` marks a form field as the verified identity's (C15); the catalogue
    refuses a binding the cases context would not know how to fill."""

    @staticmethod
    def schema(**fields: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "properties": {"phone": {"type": "string"}, **fields}}

    def test_known_bindings_on_top_level_string_fields_are_accepted(self) -> None:
        form = self.schema(
            name={"type": "string", "x-identity": "person.name"},
            id_number={"type": "string", "x-identity": "person.id_number"},
            uscc={"type": "string", "x-identity": "enterprise.uscc"},
        )
        assert content_errors(food_licence(form_schema=form), "320102") == []

    @pytest.mark.parametrize(
        ("fields", "where", "reason"),
        [
            ({"id": {"type": "string", "x-identity": "person.passport"}}, "form_schema.properties.id", "unknown"),
            (
                {"age": {"type": "integer", "minimum": 0, "maximum": 150, "x-identity": "person.name"}},
                "properties.age",
                "string",
            ),
            (
                {
                    "a": {"type": "string", "x-identity": "person.name"},
                    "b": {"type": "string", "x-identity": "person.name"},
                },
                "form_schema.properties.b",
                "already bound",
            ),
            (
                {"spouse": {"type": "object", "properties": {"n": {"type": "string", "x-identity": "person.name"}}}},
                "form_schema.properties.spouse.properties",
                "top-level",
            ),
        ],
    )
    def test_misused_bindings_are_refused_naming_the_field(
        self, fields: dict[str, Any], where: str, reason: str
    ) -> None:
        errors = content_errors(food_licence(form_schema=self.schema(**fields)), "320102")
        assert [e.code for e in errors] == ["catalog.invalid_identity_binding"]
        assert where in errors[0].field
        assert reason in errors[0].params["reason"]

    def test_every_seeded_form_binds_the_applicants_identity(self) -> None:
        for body in new_item_bodies():
            properties = body["form_schema"]["properties"]
            assert content_errors(NewItem.model_validate(body), body["region_code"]) == []
            if "id_number" in properties:
                assert properties["id_number"]["x-identity"] == "person.id_number"
            if "uscc" in properties:
                assert properties["uscc"]["x-identity"] == "enterprise.uscc"


class TestChangeHistory:
    def test_a_first_version_changes_every_field(self) -> None:
        assert "form_schema" in changed_fields(None, food_licence())

    def test_only_the_edited_fields_are_listed(self) -> None:
        before = food_licence()
        after = food_licence(promised_limit_days=2, tags=["餐饮"])
        assert changed_fields(before, after) == ["promised_limit_days", "tags"]
