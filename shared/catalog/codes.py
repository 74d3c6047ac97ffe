"""Pure rules for the codes the catalogue stores: USCC, GB/T 2260 division
codes, and the service item codes (basic code, implementation code).

No I/O here, so every rule can be checked exhaustively with property tests.

- USCC 统一社会信用代码 (GB 32100-2015): 18 characters, check character 18.
- Organisation code 组织机构代码 (GB 11714): 8 characters + check character.
- Division code 行政区划代码 (GB/T 2260): 6 digits; `32` province, `32xx` city,
  `32xxxx` county.
- Basic code 基本编码 (12): 2 source + 2 item type + 5 main item + 3 sub-item.
- Implementation code 实施编码 (31): implementing body's USCC (18) + exercise
  level (1) + basic code (12), optionally followed by a 2-digit business
  suffix (业务办理项). The layout is not confirmed by a published standard
  (see standards.md), which is why every position lives in this one module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum

# --- unified social credit code (GB 32100-2015) ------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_USCC_VALUE = {char: value for value, char in enumerate(USCC_CHARSET)}
# W_i = 3^(i-1) mod 31 for positions 1..17
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Position 1 is the registration authority: digits 1-9 and the letter
# authorities added by later amendments (A, G, J, N, Q, Y).
_USCC_AUTHORITIES = frozenset("123456789AGJNQY")
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def uscc_check_char(first_17: str) -> str:
    """The 18th character that makes `first_17` a valid USCC."""
    if len(first_17) != 17 or any(char not in _USCC_VALUE for char in first_17):
        raise ValueError("a USCC body is 17 characters from the GB 32100 charset")
    total = sum(_USCC_VALUE[char] * weight for char, weight in zip(first_17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when `code` is an 18-character USCC whose check character is right.

    `91110000600037341L` is valid. Positions 3-8 must be digits (a GB/T 2260
    code of the registering authority's area); whether that area exists is
    not checked, since authorities' codes predate many division changes.
    """
    if not isinstance(code, str) or not _USCC_SHAPE.match(code):
        return False
    if code[0] not in _USCC_AUTHORITIES:
        return False
    return uscc_check_char(code[:17]) == code[17]


# --- organisation code (GB 11714) --------------------------------------------

ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organization_code_check_char(first_8: str) -> str:
    """C9 of a GB 11714 organisation code: 11 - (Σ mod 11); 10 → X, 11 → 0."""
    if len(first_8) != 8 or not all(char.isdigit() or "A" <= char <= "Z" for char in first_8):
        raise ValueError("an organisation code body is 8 digits or capital letters")
    total = sum(int(char, 36) * weight for char, weight in zip(first_8, ORGANIZATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_government_uscc(division_code: str, organization_body: str) -> str:
    """A USCC for a government organ (登记管理部门 1 机构编制, 类别 1 机关)."""
    organization_code = organization_body + organization_code_check_char(organization_body)
    first_17 = "11" + division_code + organization_code
    return first_17 + uscc_check_char(first_17)


# --- administrative divisions (GB/T 2260) -------------------------------------

DIVISION_CODE_PATTERN = r"^[1-8][0-9]{5}$"
_DIVISION_CODE = re.compile(DIVISION_CODE_PATTERN)


class RegionLevel(StrEnum):
    """区划层级: 省 / 市 / 县(区)."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


def is_division_code(code: str) -> bool:
    """True for a six-digit GB/T 2260 code shape (existence is the repository's business)."""
    return isinstance(code, str) and bool(_DIVISION_CODE.match(code))


def region_level(code: str) -> RegionLevel:
    """The level a GB/T 2260 code denotes: `320000` province, `320100` city, `320102` county."""
    if not _DIVISION_CODE.match(code):
        raise ValueError(f"not a GB/T 2260 division code: {code!r}")
    if code[2:] == "0000":
        return RegionLevel.PROVINCE
    if code[4:] == "00":
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def parent_region(code: str) -> str | None:
    """The division directly above: county → city, city → province, province → None."""
    level = region_level(code)
    if level is RegionLevel.PROVINCE:
        return None
    if level is RegionLevel.CITY:
        return code[:2] + "0000"
    return code[:4] + "00"


def region_scope(code: str) -> str:
    """The code prefix that covers a division and everything under it (`32`, `3201`, `320102`)."""
    level = region_level(code)
    return {RegionLevel.PROVINCE: code[:2], RegionLevel.CITY: code[:4], RegionLevel.COUNTY: code}[level]


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
}

# Source `00` is the national catalogue; otherwise a province's two-digit code.
_PROVINCE_PREFIXES = frozenset(
    {
        *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42"),
        *("43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"),
    }
)
BASIC_CODE_PATTERN = r"^[0-9]{12}$"
IMPLEMENTATION_CODE_PATTERN = r"^[0-9A-HJ-NP-RTUWXY]{18}[1-6][0-9]{12}([0-9]{2})?$"
_BASIC_CODE = re.compile(BASIC_CODE_PATTERN)
_IMPLEMENTATION_CODE = re.compile(IMPLEMENTATION_CODE_PATTERN)


@dataclass(frozen=True)
class BasicCode:
    """基本编码: who catalogued it, its type, the main item and the sub-item."""

    source: str
    item_type: ItemType
    main_item: str
    sub_item: str

    def __str__(self) -> str:
        return f"{self.source}{self.item_type.value}{self.main_item}{self.sub_item}"


@dataclass(frozen=True)
class ImplementationCode:
    """实施编码: who implements it (USCC), at which level, which basic item."""

    uscc: str
    exercise_level: ExerciseLevel
    basic_code: BasicCode
    business_suffix: str | None = None

    def __str__(self) -> str:
        return f"{self.uscc}{self.exercise_level.value}{self.basic_code}{self.business_suffix or ''}"


def parse_basic_code(code: str) -> BasicCode:
    """Split a 12-digit basic code; ValueError names what is wrong."""
    if not isinstance(code, str) or not _BASIC_CODE.match(code):
        raise ValueError("a basic code is 12 digits")
    source, type_digits = code[:2], code[2:4]
    if source != "00" and source not in _PROVINCE_PREFIXES:
        raise ValueError("a basic code's source is 00 (national) or a province code")
    try:
        item_type = ItemType(type_digits)
    except ValueError:
        raise ValueError(f"unknown item type {type_digits} in basic code") from None
    return BasicCode(source=source, item_type=item_type, main_item=code[4:9], sub_item=code[9:12])


def is_valid_basic_code(code: str) -> bool:
    try:
        parse_basic_code(code)
    except ValueError:
        return False
    return True


def parse_implementation_code(code: str) -> ImplementationCode:
    """Split a 31-character (or 33 with business suffix) implementation code.

    The embedded USCC's check character and the basic code are validated too.
    """
    if not isinstance(code, str) or not _IMPLEMENTATION_CODE.match(code):
        raise ValueError("an implementation code is a USCC, a level digit 1-6 and a basic code")
    uscc = code[:18]
    if not is_valid_uscc(uscc):
        raise ValueError("the implementation code's USCC has a wrong check character")
    return ImplementationCode(
        uscc=uscc,
        exercise_level=ExerciseLevel(int(code[18])),
        basic_code=parse_basic_code(code[19:31]),
        business_suffix=code[31:] or None,
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
