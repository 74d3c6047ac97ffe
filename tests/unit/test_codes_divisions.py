"""The packaged GB/T 2260 division list: well-formed, Jiangsu complete, and
the level rules the ID-number check relies on."""

from __future__ import annotations

from shared.codes import divisions as regions
from shared.codes.divisions import DivisionLevel, level_of

JIANGSU_CITIES = {
    "320100": "南京市",
    "320200": "无锡市",
    "320300": "徐州市",
    "320400": "常州市",
    "320500": "苏州市",
    "320600": "南通市",
    "320700": "连云港市",
    "320800": "淮安市",
    "320900": "盐城市",
    "321000": "扬州市",
    "321100": "镇江市",
    "321200": "泰州市",
    "321300": "宿迁市",
}


def test_every_row_is_well_formed() -> None:
    for code, division in regions.divisions().items():
        assert len(code) == 6
        assert code.isdigit()
        for period in division.periods:
            assert period.name
            if period.first_year is not None and period.last_year is not None:
                assert period.first_year <= period.last_year, code


def test_jiangsu_and_its_cities_are_present_with_current_names() -> None:
    assert regions.division("320000") is not None
    for code, name in JIANGSU_CITIES.items():
        division = regions.division(code)
        assert division is not None, code
        assert division.name == name
        assert division.in_use_between(2026, 2026)


def test_levels_by_shape() -> None:
    assert level_of("320000") is DivisionLevel.PROVINCE
    assert level_of("320100") is DivisionLevel.CITY
    assert level_of("320102") is DivisionLevel.COUNTY


def test_county_level_includes_cities_without_counties_only() -> None:
    assert regions.is_county_level("320102")
    assert not regions.is_county_level("320100")
    assert not regions.is_county_level("320000")
    assert regions.is_county_level("441900")  # 东莞
    assert regions.is_county_level("442000")  # 中山
    assert regions.is_county_level("620200")  # 嘉峪关


def test_validity_years() -> None:
    qishuyan = regions.division("320405")
    assert qishuyan is not None
    assert qishuyan.in_use_between(1983, 1983)
    assert qishuyan.in_use_between(2015, 2015)
    assert not qishuyan.in_use_between(2016, 2026)
    assert not qishuyan.in_use_between(1950, 1982)


def test_province_prefixes() -> None:
    prefixes = regions.province_prefixes()
    assert {"11", "32", "65", "71", "81", "82"} <= prefixes
    assert "10" not in prefixes  # 100000 (national bodies) is handled separately
    assert len(prefixes) == 34


def test_five_levels_by_shape_with_their_parents_and_scopes() -> None:
    chain = ["320115001201", "320115001", "320115", "320100", "320000"]
    assert [level_of(code) for code in chain] == [
        DivisionLevel.VILLAGE,
        DivisionLevel.TOWNSHIP,
        DivisionLevel.COUNTY,
        DivisionLevel.CITY,
        DivisionLevel.PROVINCE,
    ]
    assert regions.ancestors_of("320115001201") == chain
    assert [regions.scope_of(code) for code in chain] == ["320115001201", "320115001", "320115", "3201", "32"]


def test_townships_and_villages_are_current_only_under_a_current_county() -> None:
    assert regions.is_current_division("320115001", 2026)  # a township of 江宁区
    assert regions.is_current_division("320115001201", 2026)  # a village of it
    assert not regions.is_current_division("320103001", 2026)  # 白下区 was merged into 秦淮区 in 2013
    assert regions.is_current_division("320103001", 2010)
    assert not regions.is_current_division("320199001", 2026)  # no county 320199
    assert not regions.is_current_division("320115000", 2026)  # 000 names no township
    assert not regions.is_current_division("320100001", 2026)  # Nanjing has counties: townships sit under them
