"""Project codes (投资项目代码) in the national online approval platform's layout.

    YYYY-RRRRRR-II-TT-NNNNNN-C      e.g. 2026-320115-44-03-000017-2

- YYYY: year the code was given (赋码年份, Asia/Shanghai) — as the national rule.
- RRRRRR: six-digit division of the project's location (GB/T 2260) — as the national rule.
- II: industry, a GB/T 4754-2017 division (国民经济行业分类 大类, 01–97) — as the national rule.
- TT: procedure, 01 审批, 02 核准, 03 备案 — UNCONFIRMED: the numbering of these codes.
- NNNNNN: serial within year and division, from 000001 — UNCONFIRMED: the serial's scope.
- C: check character, ISO 7064 MOD 11-2 over the 20 digits (0–9, X) — OUR ADDITION: we could
  not confirm that the national code carries one.

MOD 11-2 (the resident ID number's check, GB 11643) catches every
single-digit substitution and every transposition of adjacent distinct digits.
Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shared.codes.divisions import is_division_code

PROJECT_CODE_PATTERN = r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}-[0-9X]$"
_LAYOUT = re.compile(PROJECT_CODE_PATTERN)
SERIAL_MAX = 999_999


class Procedure(StrEnum):
    """The procedure code (TT): which way the project is handled (numbering unconfirmed)."""

    EXAMINATION = "01"  # 审批 (government-funded projects)
    APPROVAL = "02"  # 核准
    FILING = "03"  # 备案


class CodeRule(StrEnum):
    """The first rule a code breaks (stable, for error details)."""

    LAYOUT = "layout"
    REGION = "region"
    INDUSTRY = "industry"
    PROCEDURE = "procedure"
    SERIAL = "serial"
    CHECK = "check"


@dataclass(frozen=True)
class ProjectCode:
    year: int
    region_code: str
    industry: str
    procedure: Procedure
    serial: int

    def __str__(self) -> str:
        body = f"{self.year:04d}{self.region_code}{self.industry}{self.procedure.value}{self.serial:06d}"
        return (
            f"{self.year:04d}-{self.region_code}-{self.industry}-{self.procedure.value}-"
            f"{self.serial:06d}-{check_character(body)}"
        )


def check_character(digits: str) -> str:
    """ISO 7064 MOD 11-2 over `digits` (the check character's weight is 1)."""
    if not digits.isdigit():
        raise ValueError("the check covers digits only")
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2 % 11
    value = (12 - total) % 11
    return "X" if value == 10 else str(value)


def is_industry(code: str) -> bool:
    """A GB/T 4754-2017 division (大类): two digits, 01 to 97 (the sections A–T leave no gap)."""
    return len(code) == 2 and code.isdigit() and 1 <= int(code) <= 97


def make_code(*, year: int, region_code: str, industry: str, procedure: Procedure, serial: int) -> str:
    """The code for these parts; refuses parts that would not validate."""
    if not 1 <= serial <= SERIAL_MAX:
        raise ValueError("serial out of range")
    if not is_industry(industry) or not is_division_code(region_code):
        raise ValueError("not a division or industry code")
    return str(ProjectCode(year, region_code, industry, procedure, serial))


def check_code(code: str) -> tuple[CodeRule | None, ProjectCode | None]:
    """(None, parts) for a valid code, else (the first rule broken, None)."""
    if not _LAYOUT.match(code):
        return CodeRule.LAYOUT, None
    year, region, industry, procedure, serial, check = code.split("-")
    if not is_division_code(region):
        return CodeRule.REGION, None
    if not is_industry(industry):
        return CodeRule.INDUSTRY, None
    if procedure not in {p.value for p in Procedure}:
        return CodeRule.PROCEDURE, None
    if int(serial) == 0:
        return CodeRule.SERIAL, None
    if check_character(year + region + industry + procedure + serial) != check:
        return CodeRule.CHECK, None
    return None, ProjectCode(int(year), region, industry, Procedure(procedure), int(serial))
