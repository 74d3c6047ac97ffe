"""Routing is table-driven (派单规则): every seeded rule sends its tickets to its
department, the most specific rule wins, an unmatched ticket goes to the region's
dispatch desk, and a rule an operator adds takes effect for the next ticket, without
a deploy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from infra.seed.hotline import DESKS, seed_rules
from shared.platform.clock import frozen_at
from tests.support.api import call
from tests.unit.hotline_fixtures import CITIZEN, COMPLAINT, OPERATOR, hotline_cloud

MONDAY = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)
# a division below each rule's prefix, where no more specific rule exists
PLACE_UNDER = {"320102": "320102003", "320115": "320115001", "3201": "320104", "3205": "320505", "32": "320205"}
COUNTER = iter(range(10_000))


@pytest.fixture(scope="module", autouse=True)
def cloud() -> Iterator[None]:
    with hotline_cloud(), frozen_at(MONDAY):
        yield


def routed(category_code: str, region_code: str) -> str:
    # a new address each time: the same matter and place again would be linked as a duplicate
    location = {"region_code": region_code, "address": f"测试地址 {next(COUNTER)} 号"}
    reply = call(
        "POST", "/v1/hotline/tickets", CITIZEN, body=COMPLAINT | {"category_code": category_code, "location": location}
    )
    assert reply.status == 201, reply.body
    return str(reply.body["department_id"])


@pytest.mark.parametrize("rule", seed_rules(), ids=lambda r: f"{r.category_code}@{r.region_prefix}")
def test_every_seeded_rule_routes_its_tickets(rule: Any) -> None:
    assert routed(rule.category_code, PLACE_UNDER[rule.region_prefix]) == rule.department_id


@pytest.mark.parametrize(
    ("region_code", "desk"),
    [
        ("320102003", "320102-hotline"),
        ("320115", "320115-hotline"),
        ("320104", "320100-hotline"),
        ("320205", "320000-hotline"),
    ],
)
def test_a_matter_no_rule_names_goes_to_the_regions_desk(region_code: str, desk: str) -> None:
    assert desk in {d for d, _ in DESKS.values()}
    assert routed("0702", region_code) == desk  # 服务态度: no line of work, no rule


def test_the_most_specific_rule_wins() -> None:
    put = {"category_code": "01", "region_prefix": "320102", "department_id": "320102-tax", "note": "首级分类，区级"}
    assert call("PUT", "/v1/hotline/routing-rules", OPERATOR, body=put).status == 200
    assert routed("0101", "320102") == "320102-market"  # same prefix: the second level beats the first
    assert call("DELETE", "/v1/hotline/routing-rules/0103/320102", OPERATOR).status == 204
    assert routed("0103", "320102") == "320102-tax"  # the district's first level beats the city's second level
    assert call("DELETE", "/v1/hotline/routing-rules/01/320102", OPERATOR).status == 204
    assert routed("0103", "320102") == "320100-market"  # the city rule is next


def test_a_rule_the_operator_adds_takes_effect_for_the_next_ticket() -> None:
    assert routed("0702", "320115") == "320115-hotline"
    body = {"category_code": "0702", "region_prefix": "320115", "department_id": "320115-hrss"}
    reply = call("PUT", "/v1/hotline/routing-rules", OPERATOR, body=body)
    assert reply.status == 200, reply.body
    assert routed("0702", "320115") == "320115-hrss"
    assert routed("0702", "320102") == "320102-hotline"  # only where the rule says
    listed = call("GET", "/v1/hotline/routing-rules", OPERATOR).body["items"]
    assert {"category_code": "0702", "region_prefix": "320115", "department_id": "320115-hrss"}.items() <= next(
        r for r in listed if (r["category_code"], r["region_prefix"]) == ("0702", "320115")
    ).items()


def test_a_rule_must_name_a_known_category_and_department() -> None:
    bad_department = {"category_code": "0101", "region_prefix": "320102", "department_id": "320102-nowhere"}
    reply = call("PUT", "/v1/hotline/routing-rules", OPERATOR, body=bad_department)
    assert (reply.status, reply.code) == (422, "hotline.unknown_department")
    bad_category = bad_department | {"category_code": "0999", "department_id": "320102-market"}
    reply = call("PUT", "/v1/hotline/routing-rules", OPERATOR, body=bad_category)
    assert (reply.status, reply.code) == (422, "hotline.unknown_category")
    assert call("PUT", "/v1/hotline/routing-rules", CITIZEN, body=bad_category).status == 403


def test_an_operator_adds_a_category_that_tickets_and_open311_then_use() -> None:
    before = call("POST", "/v1/hotline/tickets", CITIZEN, body=COMPLAINT | {"category_code": "0703"})
    assert (before.status, before.code) == (422, "hotline.unknown_category")
    orphan = call("PUT", "/v1/hotline/categories/9901", OPERATOR, body={"name": "无上级"})
    assert (orphan.status, orphan.code) == (422, "hotline.unknown_category")
    added = call("PUT", "/v1/hotline/categories/0703", OPERATOR, body={"name": "证明材料"})
    assert added.status == 200, added.body
    assert routed("0703", "320102") == "320102-hotline"  # no rule names it yet: the desk
    tree = call("GET", "/v1/hotline/categories").body["items"]
    assert "证明材料" in [c["name"] for top in tree if top["code"] == "07" for c in top["children"]]
    assert "0703" in [s["service_code"] for s in call("GET", "/open311/v2/services.json").body]
    assert call("PUT", "/v1/hotline/categories/0703", CITIZEN, body={"name": "x"}).status == 403
