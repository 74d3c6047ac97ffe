"""GB/T 2260 administrative division codes (行政区划代码) with the years each
was in use, for checking the address code of a resident ID number and the
division code inside a USCC. The data is `data/divisions.tsv` (provenance in
`data/README.md`), read once per process on first use.

Levels by shape: `320000` province (省级), `320100` city (地级), `320102`
county (县级). A few cities have no counties at all (东莞 441900, 中山 442000,
嘉峪关 620200, 儋州 460400): their own code is what people there carry in
their ID numbers, so they count as county-level here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "divisions.tsv"

# National bodies register with the division code 100000 (国家), which GB/T 2260 does not list.
NATIONAL_DIVISION_CODE = "100000"


class DivisionLevel(StrEnum):
    PROVINCE = "province"  # 省级
    CITY = "city"  # 地级
    COUNTY = "county"  # 县级


def level_of(code: str) -> DivisionLevel:
    """The level a six-digit code's shape gives it."""
    if code[2:] == "0000":
        return DivisionLevel.PROVINCE
    if code[4:] == "00":
        return DivisionLevel.CITY
    return DivisionLevel.COUNTY


@dataclass(frozen=True)
class NamingPeriod:
    """Years (inclusive) during which a code carried a name; None = open-ended."""

    first_year: int | None
    last_year: int | None
    name: str

    def overlaps(self, first_year: int, last_year: int) -> bool:
        starts_in_time = self.first_year is None or self.first_year <= last_year
        ends_in_time = self.last_year is None or self.last_year >= first_year
        return starts_in_time and ends_in_time


@dataclass(frozen=True)
class Division:
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
    """Every code in the data file."""
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
