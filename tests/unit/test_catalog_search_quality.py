"""Search quality (issue 18, D-170/D-171): Chinese, full pinyin, initials and
one-character typos each put the expected item first, and a search stays a few
Queries on the term partitions — never a Scan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.catalog.service import CatalogService
from shared.platform.aws import count_calls
from tests.unit.catalog_fixtures import catalog_cloud, demo_bodies, load_demo

# Jiangsu's province-level items and Nanjing's (city and Xuanwu): one of each demo name
REGIONS = {"320000", "320100", "320102", "320102003"}

# (query, name of the expected first result)
EXPECTED_FIRST = [
    # Chinese
    ("食品经营许可", "食品经营许可"),
    ("护照", "普通护照签发"),
    ("结婚", "内地居民结婚登记"),
    ("身份证", "居民身份证换领"),
    ("低保", "最低生活保障金给付"),
    ("营业执照", "企业设立登记"),
    ("社保卡", "社会保障卡申领"),
    # full pinyin of a name, of its first two or four characters, of a tag
    ("shipinjingyingxuke", "食品经营许可"),
    ("hukouqianyi", "户口迁移"),
    ("huzhao", "普通护照签发"),
    ("putonghuzhaoqianfa", "普通护照签发"),
    ("shuiwudengji", "税务登记"),
    ("shiye", "失业保险金申领"),
    ("yingyezhizhao", "企业设立登记"),
    ("shebaoka", "社会保障卡申领"),
    ("dibao", "最低生活保障金给付"),
    ("jiehun", "内地居民结婚登记"),
    ("wufanzui", "无犯罪记录证明开具"),
    # initials
    ("spjyxk", "食品经营许可"),
    ("yyzz", "企业设立登记"),
    ("hkqy", "户口迁移"),
    ("sbk", "社会保障卡申领"),
    ("swdj", "税务登记"),
    ("ptfz", None),  # no such initials: nothing, not a guess
    ("jzgc", "建筑工程施工许可"),
    ("db", "最低生活保障金给付"),
    # one wrong character
    ("食品经营许你", "食品经营许可"),
    ("户口迁徒", "户口迁移"),
    ("普通护招签发", "普通护照签发"),
    ("商品房预售许苛", "商品房预售许可"),
    ("居民身分证", "居民身份证换领"),
    ("无犯最记录", "无犯罪记录证明开具"),
    ("失叶保险", "失业保险金申领"),
    # curated synonyms (seeded rows, infra.seed.SEARCH_SYNONYMS)
    ("良民证", "无犯罪记录证明开具"),
    ("开饭店", "食品经营许可"),
    ("老年证", "老年人优待证办理"),
    ("低保金", "最低生活保障金给付"),
    # mixed with a second keyword
    ("护照 出入境", "普通护照签发"),
]


@pytest.fixture(scope="module")
def catalogue() -> Iterator[CatalogService]:
    with catalog_cloud():
        load_demo(demo_bodies(regions=REGIONS))
        yield CatalogService()


@pytest.mark.parametrize(("query", "expected"), EXPECTED_FIRST, ids=[query for query, _ in EXPECTED_FIRST])
def test_the_expected_item_comes_first(catalogue: CatalogService, query: str, expected: str | None) -> None:
    with count_calls() as calls:
        page = catalogue.search(
            query=query,
            region_code=None,
            department_id=None,
            item_type=None,
            channel=None,
            applicant_kind=None,
            limit=10,
            cursor=None,
        )
    names = [item.name for item in page.items]
    assert (names[0] if names else None) == expected, names
    assert set(calls) <= {"dynamodb.Query", "dynamodb.BatchGetItem"}
    assert calls["dynamodb.Query"] <= 8
