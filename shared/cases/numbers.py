"""Case numbers (办件编号): human-readable and unique province-wide.

Layout, 22 digits: `RRRRRR YYYYMMDD SS NNNNNN` — the implementing division
(GB/T 2260), the Asia/Shanghai date of creation, a counter shard and the
shard's sequence, e.g. `3201022026112507000123`.

The number is reserved before the case is written, from a counter item per
(division, day, shard). A counter per division and day alone would take every
submission of a busy district on one item (DynamoDB: about 1,000 writes/s per
partition key); drawing one of `COUNTER_SHARDS` shards at random spreads the
increments, so a single division could take 16,000 new cases a second
before any counter throttles. Unique because (division, day, shard, sequence)
is unique; gaps appear when a reserved number is never used, which is
harmless (numbers are identifiers, not a count).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

COUNTER_SHARDS = 16
SEQUENCE_DIGITS = 6
CASE_NUMBER_PATTERN = re.compile(r"^(?P<region>[0-9]{6})(?P<day>[0-9]{8})(?P<shard>[0-9]{2})(?P<seq>[0-9]{6})$")


def pick_shard() -> int:
    return secrets.randbelow(COUNTER_SHARDS)


def _county(region_code: str) -> str:
    # A township's or village's case (9/12-digit code) is numbered in its county's
    # series: case numbers keep their 22 digits and one counter serves the county.
    return region_code[:6]


def counter_key(region_code: str, day: dt.date, shard: int) -> str:
    return f"CASENO#{_county(region_code)}#{day:%Y%m%d}#{shard:02d}"


def format_case_number(region_code: str, day: dt.date, shard: int, sequence: int) -> str:
    if not 0 <= shard < COUNTER_SHARDS:
        raise ValueError("shard out of range")
    if not 0 < sequence < 10**SEQUENCE_DIGITS:
        raise ValueError("a counter shard holds at most 999,999 numbers a day")
    return f"{_county(region_code)}{day:%Y%m%d}{shard:02d}{sequence:0{SEQUENCE_DIGITS}d}"
