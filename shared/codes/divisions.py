"""Administrative divisions: GB/T 2260 codes (province, city, county) with the
years each was in use, and the statistical division codes below them
(统计用区划代码): township 乡镇/街道 (9 digits, the county's 6 + 3) and village
村/社区 (12 digits, the township's 9 + 3). Five levels, one code prefix each:

| level    | example          | scope prefix     |
|----------|------------------|------------------|
| province | `320000`         | `32`             |
| city     | `320100`         | `3201`           |
| county   | `320102`         | `320102`         |
| township | `320102002`      | `320102002`      |
| village  | `320102002001`   | `320102002001`   |

A division's scope prefix is the start of every code inside it, so "this
region and everything below it" is one `begins_with` on a code.

The GB/T 2260 table is `data/divisions.tsv` (provenance in `data/README.md`),
read once per process on first use. It lists codes at county level and above
only: a township or village code is checked by its shape and by its county
being in the table (the national statistical list of townships and villages
is not shipped).

A few cities have no counties at all (东莞 441900, 中山 442000, 嘉峪关 620200,
儋州 460400): their own code is what people there carry in their ID numbers,
so they count as county-level for that check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import NamedTuple

DATA_FILE = Path(__file__).resolve().parent / "data" / "divisions.tsv"

# National bodies register with the division code 100000 (国家), which GB/T 2260 does not list.
NATIONAL_DIVISION_CODE = "100000"

# 6 digits (GB/T 2260), 9 (township) or 12 (village); the 3-digit parts below a
# county are never 000 (000 would name the division above in the 12-digit form).
DIVISION_CODE_PATTERN = (
    r"^[1-8][0-9]{5}(?:(?:00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})(?:00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})?)?$"
)
_DIVISION_CODE = re.compile(DIVISION_CODE_PATTERN)
# A scope prefix: 2, 4, 6, 9 or 12 digits.
SCOPE_PREFIX_PATTERN = r"^[1-8][0-9](?:[0-9]{2}(?:[0-9]{2}(?:[0-9]{3}(?:[0-9]{3})?)?)?)?$"


class DivisionLevel(StrEnum):
    """区划层级: 省 / 市 / 县(区) / 乡镇(街道) / 村(社区)."""

    PROVINCE = "province"  # 省级
    CITY = "city"  # 地级
    COUNTY = "county"  # 县级
    TOWNSHIP = "township"  # 乡级
    VILLAGE = "village"  # 村级


def is_division_code(code: object) -> bool:
    """True for the shape of a division code at any of the five levels
    (existence is `is_current_division`'s business)."""
    return isinstance(code, str) and bool(_DIVISION_CODE.match(code))


def level_of(code: str) -> DivisionLevel:
    """The level a code's shape gives it: `320000` province, `320100` city,
    `320102` county, `320102002` township, `320102002001` village."""
    if not is_division_code(code):
        raise ValueError(f"not a division code: {code!r}")
    if len(code) == 12:
        return DivisionLevel.VILLAGE
    if len(code) == 9:
        return DivisionLevel.TOWNSHIP
    if code[2:] == "0000":
        return DivisionLevel.PROVINCE
    if code[4:] == "00":
        return DivisionLevel.CITY
    return DivisionLevel.COUNTY


def parent_of(code: str) -> str | None:
    """The division directly above: village → township → county → city → province → None."""
    level = level_of(code)
    if level is DivisionLevel.PROVINCE:
        return None
    if level is DivisionLevel.CITY:
        return code[:2] + "0000"
    if level is DivisionLevel.COUNTY:
        return code[:4] + "00"
    return code[: len(code) - 3]


def ancestors_of(code: str) -> list[str]:
    """The division and every division above it, nearest first
    (`320102002` → `320102002`, `320102`, `320100`, `320000`)."""
    chain = [code]
    while (parent := parent_of(chain[-1])) is not None:
        chain.append(parent)
    return chain


def scope_of(code: str) -> str:
    """The prefix that covers a division and everything under it (`32`, `3201`, `320102`, `320102002`)."""
    level = level_of(code)
    if level is DivisionLevel.PROVINCE:
        return code[:2]
    if level is DivisionLevel.CITY:
        return code[:4]
    return code


# --- the GB/T 2260 table -------------------------------------------------------------


# the table's two value types are NamedTuples: immutable like frozen dataclasses, at a fraction of
# their creation cost at the import of every function that reads a division code (D-316, D-338)
class NamingPeriod(NamedTuple):
    """Years (inclusive) during which a code carried a name; None = open-ended."""

    first_year: int | None
    last_year: int | None
    name: str

    def overlaps(self, first_year: int, last_year: int) -> bool:
        starts_in_time = self.first_year is None or self.first_year <= last_year
        ends_in_time = self.last_year is None or self.last_year >= first_year
        return starts_in_time and ends_in_time


class Division(NamedTuple):
    code: str
    periods: tuple[NamingPeriod, ...]

    @property
    def level(self) -> DivisionLevel:
        return level_of(self.code)

    @property
    def name(self) -> str:
        """The latest name."""
        return self.periods[-1].name

    def in_use_between(self, first_year: int, last_year: int) -> bool:
        """Whether the code was in use in any year of [first_year, last_year]."""
        return any(period.overlaps(first_year, last_year) for period in self.periods)


def _year(text: str) -> int | None:
    return int(text) if text else None


@cache
def divisions() -> Mapping[str, Division]:
    """Every code in the GB/T 2260 table (county level and above)."""
    periods: dict[str, list[NamingPeriod]] = {}
    for line in DATA_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, first, last, name = line.split("\t")
        periods.setdefault(code, []).append(NamingPeriod(_year(first), _year(last), name))
    return {code: Division(code, tuple(found)) for code, found in periods.items()}


def division(code: str) -> Division | None:
    return divisions().get(code)


@cache
def coverage_first_year() -> int:
    """The earliest year the table records a change in. A code retired before
    it is missing from the table, so the table cannot judge numbers issued
    before then (the resident-ID check accepts them under a valid province)."""
    return min(
        year
        for found in divisions().values()
        for period in found.periods
        for year in (period.first_year, period.last_year)
        if year is not None
    )


@cache
def province_prefixes() -> frozenset[str]:
    """Two-digit prefixes of the provinces (省级) in the data, e.g. `32`."""
    return frozenset(code[:2] for code in divisions() if level_of(code) is DivisionLevel.PROVINCE)


@cache
def _cities_with_counties() -> frozenset[str]:
    return frozenset(code[:4] for code in divisions() if level_of(code) is DivisionLevel.COUNTY)


def is_county_level(code: str) -> bool:
    """County-level (县级) by shape, or a city that never had counties."""
    level = level_of(code)
    if level is DivisionLevel.COUNTY:
        return True
    return level is DivisionLevel.CITY and code[:4] not in _cities_with_counties()


def is_current_division(code: str, year: int) -> bool:
    """Whether `code` names a division in use in `year`: a GB/T 2260 code the
    table has in use then, or a township/village code (right shape) under a
    county-level code in use then."""
    if not is_division_code(code):
        return False
    if len(code) > 6:
        county = code[:6]
        return is_county_level(county) and is_current_division(county, year)
    found = division(code)
    return found is not None and found.in_use_between(year, year)


def is_in_use_today(code: str) -> bool:
    """A GB/T 2260 code whose latest naming period is open-ended (not retired)."""
    found = division(code)
    return found is not None and found.periods[-1].last_year is None


@cache
def city_prefixes(province_code: str) -> tuple[str, ...]:
    """The 4-digit prefixes that split a province by city: `<pp>00` (the province's own
    divisions) and every city-level code in use under it, in code order — Jiangsu
    (`320000`): `3200`, `3201` … `3213`. Supervision partitions its lists by these, so a
    new or merged city follows the table instead of a hand-kept list. Groups of
    county-level units under the province directly (`429000` 省直辖县级行政单位) count as
    a city: their counties carry that prefix."""
    if not is_division_code(province_code) or level_of(province_code) is not DivisionLevel.PROVINCE:
        raise ValueError(f"not a province code: {province_code!r}")
    province = province_code[:2]
    cities = sorted(
        code[:4]
        for code in divisions()
        if code.startswith(province) and level_of(code) is DivisionLevel.CITY and is_in_use_today(code)
    )
    return (f"{province}00", *cities)
