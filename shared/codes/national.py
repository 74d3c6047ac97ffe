"""Validators for the two codes that identify people and organisations (一码):

- the resident ID number, 公民身份号码 (GB 11643-1999), and
- the unified social credit code, 统一社会信用代码 / USCC (GB 32100-2015),
  with the organisation code inside it (组织机构代码, GB 11714).

Pure: no I/O beyond reading the packaged division list, and the only clock
is `shared.platform.clock` (for "birth date not in the future"). Each check
returns a `CodeCheck` naming the first rule that failed (a stable code such as
`id_number.checksum`, registered with zh/en messages) or, when valid, the
parsed parts. Validators take the code exactly as given; call
`normalize_code` on user input first (spaces, full-width characters, lower
case).

What the check characters catch (proved in the tests, exhaustively):
both checks are a weighted sum modulo a prime p (11, 31) larger than any
difference of two character values, and every weight, and every difference of
two adjacent weights, is non-zero modulo p. So each catches every
single-character substitution and every transposition of two *adjacent
distinct* characters, the check character included.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from shared.platform.clock import today_in_shanghai
from shared.platform.errors import register_messages

# --- common ------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck[RuleT: StrEnum, PartsT]:
    """The verdict on one code: the first rule it breaks, or its parts."""

    failed_rule: RuleT | None = None
    parts: PartsT | None = None

    @property
    def valid(self) -> bool:
        return self.failed_rule is None


def normalize_code(value: str) -> str:
    """User input as the validators expect it: full-width characters made
    half-width (NFKC), whitespace and hyphens removed, letters upper-cased."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in folded if not ch.isspace() and ch != "-").upper()


# --- resident ID number (公民身份号码, GB 11643-1999) ---------------------------------

ID_NUMBER_LENGTH = 18
# ISO 7064 MOD 11-2: weight of position i (1-based) is 2^(18-i) mod 11.
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11
# Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证)
# carry these province-level codes; accepted only when asked for.
RESIDENCE_PERMIT_ADDRESS_CODES = frozenset({"810000", "820000", "830000"})


class IdNumberRule(StrEnum):
    FORMAT = "id_number.format"  # 18 characters: 17 digits and a digit or X
    CHECKSUM = "id_number.checksum"  # MOD 11-2 check character (校验码)
    BIRTH_DATE = "id_number.birth_date"  # 出生日期 is not a real date
    FUTURE_BIRTH_DATE = "id_number.future_birth_date"
    ADDRESS_CODE = "id_number.address_code"  # 地址码: not a county in use at the time


@dataclass(frozen=True)
class ResidentIdParts:
    address_code: str  # 地址码 (county, GB/T 2260)
    birth_date: dt.date  # 出生日期码
    sequence: str  # 顺序码
    sex: Literal["male", "female"]  # odd sequence = male
    check_character: str  # 校验码


def resident_id_check_character(first_17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits
    (`34052419800101001` → `X`)."""
    if len(first_17) != ID_NUMBER_LENGTH - 1 or not first_17.isascii() or not first_17.isdigit():
        raise ValueError("expected 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first_17, ID_NUMBER_WEIGHTS, strict=True))
    return ID_NUMBER_CHECK_CHARACTERS[total % 11]


def check_resident_id(
    value: str,
    *,
    today: dt.date | None = None,
    accept_residence_permit_codes: bool = False,
) -> CodeCheck[IdNumberRule, ResidentIdParts]:
    """Check a resident ID number (公民身份号码), rule by rule in this order:
    format, check character, real birth date, birth date not after `today`
    (default: today in Asia/Shanghai), address code county-level and in use
    at some time between the birth year and `today` — a person keeps the code
    of the place that first issued the number, even after the code is retired.
    A code the division table does not know is accepted only for a birth year
    before the table's coverage (`divisions.coverage_first_year()`, 1980) and
    then only county-shaped under a known province.
    """
    fail = CodeCheck[IdNumberRule, ResidentIdParts]
    body = value[:-1]
    if (
        len(value) != ID_NUMBER_LENGTH
        or not value.isascii()
        or not body.isdigit()
        or not (value[-1].isdigit() or value[-1] == "X")
    ):
        return fail(IdNumberRule.FORMAT)
    if resident_id_check_character(body) != value[-1]:
        return fail(IdNumberRule.CHECKSUM)
    try:
        birth_date = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return fail(IdNumberRule.BIRTH_DATE)
    today = today or today_in_shanghai()
    if birth_date > today:
        return fail(IdNumberRule.FUTURE_BIRTH_DATE)
    address_code = value[:6]
    if not _address_code_plausible(address_code, birth_date.year, today.year, accept_residence_permit_codes):
        return fail(IdNumberRule.ADDRESS_CODE)
    sequence = value[14:17]
    return fail(
        parts=ResidentIdParts(
            address_code=address_code,
            birth_date=birth_date,
            sequence=sequence,
            sex="male" if int(sequence) % 2 else "female",
            check_character=value[-1],
        )
    )


def _address_code_plausible(code: str, birth_year: int, this_year: int, accept_residence_permits: bool) -> bool:
    if accept_residence_permits and code in RESIDENCE_PERMIT_ADDRESS_CODES:
        return True
    from shared.codes import divisions  # the division table, read on first check only

    if not divisions.is_division_code(code) or len(code) != 6:
        return False
    found = divisions.division(code)
    if found is not None:
        return divisions.is_county_level(code) and found.in_use_between(birth_year, this_year)
    # The table begins in the early 1980s: a county code retired before then is
    # missing, yet numbers issued under it are genuine. For a birth year the
    # table cannot cover, accept a county-shaped code of a known province —
    # the offline check must never refuse what the real-name registry accepts.
    return (
        birth_year < divisions.coverage_first_year()
        and code[:2] in divisions.province_prefixes()
        and divisions.level_of(code) is divisions.DivisionLevel.COUNTY
    )


# --- unified social credit code (统一社会信用代码, GB 32100-2015) ---------------------

USCC_LENGTH = 18
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V; A=10 … Y=30
_USCC_VALUE = {ch: index for index, ch in enumerate(USCC_CHARSET)}
# ISO 7064 MOD 31-3 as GB 32100 writes it: W_i = 3^(i-1) mod 31.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(USCC_LENGTH - 1))
# GB 11714 organisation code: 8 characters and a check character.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authority (登记管理部门) → organisation types (机构类别) it assigns.
# 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管(工商),
# A 中央军委改革和编制办公室, N 农业农村, Y 其他 (always type 1). G, J and Q are
# later additions whose type lists we could not confirm, so any type is accepted
# for them; pass `authority_types` to narrow (the standards brief asks for
# unconfirmed rules to be configuration).
ANY_TYPE = frozenset("123456789")
DEFAULT_AUTHORITY_TYPES: Mapping[str, frozenset[str]] = {
    "1": frozenset("1239"),
    "2": frozenset("19"),
    "3": frozenset("123459"),
    "4": frozenset("19"),
    "5": frozenset("1239"),
    "6": frozenset("129"),
    "7": frozenset("129"),
    "8": frozenset("19"),
    "9": frozenset("123"),
    "A": frozenset("19"),
    "G": ANY_TYPE,
    "J": ANY_TYPE,
    "N": frozenset("1239"),
    "Q": ANY_TYPE,
    "Y": frozenset("1"),
}


class UsccRule(StrEnum):
    FORMAT = "uscc.format"  # 18 characters of the USCC charset
    CHECKSUM = "uscc.checksum"  # MOD 31 check character (校验码)
    AUTHORITY_TYPE = "uscc.authority_type"  # 登记管理部门 + 机构类别 pair unknown
    DIVISION_CODE = "uscc.division_code"  # 登记管理机关行政区划码: 6 digits of a known province
    ORG_CODE_CHECKSUM = "uscc.org_code_checksum"  # 组织机构代码 check character (GB 11714)


@dataclass(frozen=True)
class UsccParts:
    registration_authority: str  # 登记管理部门代码
    organisation_type: str  # 机构类别代码
    division_code: str  # 登记管理机关行政区划码
    organisation_code: str  # 主体标识码 / 组织机构代码 (9 characters, check included)
    check_character: str  # 校验码


def uscc_check_character(first_17: str) -> str:
    """The MOD 31 check character of the first 17 characters
    (`91110000600037341` → `L`)."""
    if len(first_17) != USCC_LENGTH - 1 or any(ch not in _USCC_VALUE for ch in first_17):
        raise ValueError("expected 17 characters of the USCC charset")
    total = sum(_USCC_VALUE[ch] * weight for ch, weight in zip(first_17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def _org_code_value(ch: str) -> int:
    # GB 11714: digits as themselves, letters A=10 … Z=35
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_code_check_character(first_8: str) -> str:
    """The GB 11714 check character of an organisation code's first 8
    characters (`60003734` → `1`): C9 = 11 − (Σ mod 11), 10 → X, 11 → 0."""
    if len(first_8) != len(ORG_CODE_WEIGHTS) or not first_8.isascii() or not first_8.isalnum():
        raise ValueError("expected 8 digits or capital letters")
    total = sum(_org_code_value(ch) * weight for ch, weight in zip(first_8.upper(), ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_uscc(
    value: str,
    *,
    authority_types: Mapping[str, frozenset[str]] = DEFAULT_AUTHORITY_TYPES,
) -> CodeCheck[UsccRule, UsccParts]:
    """Check a unified social credit code (统一社会信用代码), rule by rule in this
    order: format, check character, authority/type pair, division code
    (6 digits with a known province prefix, or 100000 for national bodies),
    organisation code check character."""
    fail = CodeCheck[UsccRule, UsccParts]
    if len(value) != USCC_LENGTH or any(ch not in _USCC_VALUE for ch in value):
        return fail(UsccRule.FORMAT)
    if uscc_check_character(value[:-1]) != value[-1]:
        return fail(UsccRule.CHECKSUM)
    authority, kind = value[0], value[1]
    if kind not in authority_types.get(authority, frozenset()):
        return fail(UsccRule.AUTHORITY_TYPE)
    division_code = value[2:8]
    from shared.codes import divisions  # the division table, read on first check only

    if not division_code.isdigit() or not (
        division_code == divisions.NATIONAL_DIVISION_CODE or division_code[:2] in divisions.province_prefixes()
    ):
        return fail(UsccRule.DIVISION_CODE)
    organisation_code = value[8:17]
    if org_code_check_character(organisation_code[:8]) != organisation_code[8]:
        return fail(UsccRule.ORG_CODE_CHECKSUM)
    return fail(
        parts=UsccParts(
            registration_authority=authority,
            organisation_type=kind,
            division_code=division_code,
            organisation_code=organisation_code,
            check_character=value[-1],
        )
    )


# zh/en texts for the rule codes, so an API can return them as field errors (docs/errors.md)
_RULE_MESSAGES: dict[StrEnum, tuple[str, str]] = {
    IdNumberRule.FORMAT: (
        "身份证号码应为18位，前17位为数字，末位为数字或X",
        "An ID number has 18 characters: 17 digits, then a digit or X",
    ),
    IdNumberRule.CHECKSUM: ("身份证号码校验位不正确，请核对", "The ID number's check character is wrong; check it"),
    IdNumberRule.BIRTH_DATE: ("身份证号码中的出生日期无效", "The birth date in the ID number is not a real date"),
    IdNumberRule.FUTURE_BIRTH_DATE: (
        "身份证号码中的出生日期晚于今天",
        "The birth date in the ID number is in the future",
    ),
    IdNumberRule.ADDRESS_CODE: (
        "身份证号码中的地址码不是有效的县级行政区划代码",
        "The address code in the ID number is not a county-level division code in use",
    ),
    UsccRule.FORMAT: (
        "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）",
        "A USCC has 18 digits or capital letters (no I, O, Z, S, V)",
    ),
    UsccRule.CHECKSUM: ("统一社会信用代码校验位不正确，请核对", "The USCC's check character is wrong; check it"),
    UsccRule.AUTHORITY_TYPE: (
        "统一社会信用代码的登记管理部门与机构类别组合无效",
        "The USCC's registration authority and organisation type do not match",
    ),
    UsccRule.DIVISION_CODE: (
        "统一社会信用代码中的行政区划码无效",
        "The division code inside the USCC is invalid",
    ),
    UsccRule.ORG_CODE_CHECKSUM: (
        "统一社会信用代码中的组织机构代码校验位不正确",
        "The organisation code inside the USCC has a wrong check character",
    ),
}
register_messages({str(rule): texts for rule, texts in _RULE_MESSAGES.items()})


# --- form formats ------------------------------------------------------------------

RESIDENT_ID_FORMAT = "cn-resident-id"
USCC_FORMAT = "cn-uscc"


def _is_resident_id(value: str) -> bool:
    return check_resident_id(value).valid


def _is_uscc(value: str) -> bool:
    return check_uscc(value).valid


FORM_FORMATS: Mapping[str, Callable[[str], bool]] = {
    RESIDENT_ID_FORMAT: _is_resident_id,
    USCC_FORMAT: _is_uscc,
}
"""JSON Schema `format`s an item's form may give a field, checked with the national validators
(a regex would pass another check character or a birth date of 31 February)."""
