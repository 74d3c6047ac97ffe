"""Pure rules for the codes the catalogue stores: USCC, GB/T 2260 division
codes, and the service item codes (basic code, implementation code).

No I/O here, so every rule can be checked exhaustively with property tests.

- USCC 统一社会信用代码 and division codes 行政区划代码 are checked by
  `shared.codes` (one validator per national code for every context); the
  names here are the catalogue's aliases for them. Divisions have five
  levels: province `32`, city `32xx`, county `32xxxx` (GB/T 2260), township
  (9 digits) and village (12 digits).
- Basic code 基本编码 (12): 2 source + 2 item type + 5 main item + 3 sub-item.
- Implementation code 实施编码 (31): implementing body's USCC (18) + exercise
  level (1) + basic code (12), optionally followed by a 2-digit business
  suffix (业务办理项). The layout is not confirmed by a published standard
  (see standards.md), so the widths are configuration (`CATALOG_CODE_LAYOUT`,
  `CATALOG_BUSINESS_SUFFIX_DIGITS`, shared.catalog.config; D-113), read once
  when this module is imported; the figures above are the defaults.
"""

from __future__ import annotations

import re
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, NamedTuple

from shared.catalog.config import catalog_coding_settings
from shared.codes import divisions
from shared.platform.public import lazy_module

if TYPE_CHECKING:
    from shared.codes import national
else:
    # the national code rules load with the first USCC checked or made (an operator's write), not
    # with every reader of the catalogue's codes (D-315)
    national = lazy_module("shared.codes.national")


# --- national codes (one validator each, shared with every context) -----------

DIVISION_CODE_PATTERN = divisions.DIVISION_CODE_PATTERN
RegionLevel = divisions.DivisionLevel
region_level = divisions.level_of
parent_region = divisions.parent_of
region_scope = divisions.scope_of
is_division_code = divisions.is_division_code


def is_valid_uscc(code: str) -> bool:
    """True when `code` passes every GB 32100 rule (`shared.codes.national.check_uscc`):
    charset, check character, authority/type pair, province of the division
    code and the organisation code's own check character."""
    return isinstance(code, str) and national.check_uscc(code).valid


def make_government_uscc(division_code: str, organization_body: str) -> str:
    """A USCC for a government organ (登记管理部门 1 机构编制, 类别 1 机关)."""
    organization_code = organization_body + national.org_code_check_character(organization_body)
    first_17 = "11" + division_code + organization_code
    return first_17 + national.uscc_check_character(first_17)


# --- service items ------------------------------------------------------------


class ItemType(StrEnum):
    """事项类型 (the two digits after the source in a basic code)."""

    LICENSING = "01"  # 行政许可
    PENALTY = "02"  # 行政处罚
    COERCION = "03"  # 行政强制
    LEVY = "04"  # 行政征收
    BENEFIT = "05"  # 行政给付
    INSPECTION = "06"  # 行政检查
    CONFIRMATION = "07"  # 行政确认
    REWARD = "08"  # 行政奖励
    ADJUDICATION = "09"  # 行政裁决
    OTHER_POWER = "10"  # 其他行政权力
    PUBLIC_SERVICE = "20"  # 公共服务


ITEM_TYPE_NAMES: dict[ItemType, tuple[str, str]] = {
    ItemType.LICENSING: ("行政许可", "Administrative licensing"),
    ItemType.PENALTY: ("行政处罚", "Administrative penalty"),
    ItemType.COERCION: ("行政强制", "Administrative coercion"),
    ItemType.LEVY: ("行政征收", "Administrative levy"),
    ItemType.BENEFIT: ("行政给付", "Administrative benefit"),
    ItemType.INSPECTION: ("行政检查", "Administrative inspection"),
    ItemType.CONFIRMATION: ("行政确认", "Administrative confirmation"),
    ItemType.REWARD: ("行政奖励", "Administrative reward"),
    ItemType.ADJUDICATION: ("行政裁决", "Administrative adjudication"),
    ItemType.OTHER_POWER: ("其他行政权力", "Other administrative power"),
    ItemType.PUBLIC_SERVICE: ("公共服务", "Public service"),
}


class ExerciseLevel(IntEnum):
    """行使层级: the digit after the USCC in an implementation code."""

    NATIONAL = 1  # 国家级
    PROVINCE = 2  # 省级
    CITY = 3  # 市级
    COUNTY = 4  # 县级
    TOWNSHIP = 5  # 乡镇(街道)
    VILLAGE = 6  # 村(社区)


EXERCISE_LEVEL_OF_REGION: dict[RegionLevel, ExerciseLevel] = {
    RegionLevel.PROVINCE: ExerciseLevel.PROVINCE,
    RegionLevel.CITY: ExerciseLevel.CITY,
    RegionLevel.COUNTY: ExerciseLevel.COUNTY,
    RegionLevel.TOWNSHIP: ExerciseLevel.TOWNSHIP,
    RegionLevel.VILLAGE: ExerciseLevel.VILLAGE,
}

# Source `00` is the national catalogue; otherwise a province's two-digit code.
_PROVINCE_PREFIXES = frozenset(
    {
        *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42"),
        *("43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"),
    }
)


class CodingLayout(NamedTuple):
    """Widths of the basic code's parts and of the implementation code's business suffix."""

    source: int = 2
    item_type: int = 2
    main_item: int = 5
    sub_item: int = 3
    business_suffix: int = 2

    @property
    def basic_length(self) -> int:
        return self.source + self.item_type + self.main_item + self.sub_item

    @property
    def basic_pattern(self) -> str:
        return rf"^[0-9]{{{self.basic_length}}}$"

    @property
    def implementation_pattern(self) -> str:
        suffix = rf"([0-9]{{{self.business_suffix}}})?" if self.business_suffix else ""
        return rf"^[0-9A-HJ-NP-RTUWXY]{{18}}[1-6][0-9]{{{self.basic_length}}}{suffix}$"


def configured_layout() -> CodingLayout:
    settings = catalog_coding_settings()
    source, item_type, main_item, sub_item = settings.widths
    return CodingLayout(source, item_type, main_item, sub_item, settings.catalog_business_suffix_digits)


LAYOUT = configured_layout()
BASIC_CODE_PATTERN = LAYOUT.basic_pattern
IMPLEMENTATION_CODE_PATTERN = LAYOUT.implementation_pattern


class BasicCode(NamedTuple):
    """基本编码: who catalogued it, its type, the main item and the sub-item."""

    source: str
    item_type: ItemType
    main_item: str
    sub_item: str

    def __str__(self) -> str:
        return f"{self.source}{self.item_type.value}{self.main_item}{self.sub_item}"


class ImplementationCode(NamedTuple):
    """实施编码: who implements it (USCC), at which level, which basic item."""

    uscc: str
    exercise_level: ExerciseLevel
    basic_code: BasicCode
    business_suffix: str | None = None

    def __str__(self) -> str:
        return f"{self.uscc}{self.exercise_level.value}{self.basic_code}{self.business_suffix or ''}"


def parse_basic_code(code: str, layout: CodingLayout = LAYOUT) -> BasicCode:
    """Split a basic code (12 digits by default); ValueError names what is wrong."""
    if not isinstance(code, str) or not re.match(layout.basic_pattern, code):
        raise ValueError(f"a basic code is {layout.basic_length} digits")
    main_at = layout.source + layout.item_type
    sub_at = main_at + layout.main_item
    source, type_digits = code[: layout.source], code[layout.source : main_at]
    if source != "00" and source not in _PROVINCE_PREFIXES:
        raise ValueError("a basic code's source is 00 (national) or a province code")
    try:
        item_type = ItemType(type_digits)
    except ValueError:
        raise ValueError(f"unknown item type {type_digits} in basic code") from None
    return BasicCode(source=source, item_type=item_type, main_item=code[main_at:sub_at], sub_item=code[sub_at:])


def is_valid_basic_code(code: str) -> bool:
    try:
        parse_basic_code(code)
    except ValueError:
        return False
    return True


def parse_implementation_code(code: str, layout: CodingLayout = LAYOUT) -> ImplementationCode:
    """Split an implementation code (31 characters by default, 33 with a business suffix).

    The embedded USCC's check character and the basic code are validated too.
    """
    if not isinstance(code, str) or not re.match(layout.implementation_pattern, code):
        raise ValueError("an implementation code is a USCC, a level digit 1-6 and a basic code")
    end = 19 + layout.basic_length
    uscc = code[:18]
    if not is_valid_uscc(uscc):
        raise ValueError("the implementation code's USCC is not a valid GB 32100 code")
    return ImplementationCode(
        uscc=uscc,
        exercise_level=ExerciseLevel(int(code[18])),
        basic_code=parse_basic_code(code[19:end], layout),
        business_suffix=code[end:] or None,
    )


def is_valid_implementation_code(code: str) -> bool:
    try:
        parse_implementation_code(code)
    except ValueError:
        return False
    return True


def make_implementation_code(uscc: str, level: ExerciseLevel, basic_code: str, business_suffix: str = "") -> str:
    """Compose an implementation code (validating every part)."""
    code = f"{uscc}{int(level)}{basic_code}{business_suffix}"
    parse_implementation_code(code)
    return code


def implementation_code_for(uscc: str, region_code: str, basic_code: str) -> str:
    """The code a department (its USCC, at its division) gives its implementation of a basic item."""
    return make_implementation_code(uscc, EXERCISE_LEVEL_OF_REGION[region_level(region_code)], basic_code)
