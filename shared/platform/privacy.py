"""Masking of personal data for display and logs (PIPL).

Raw resident ID numbers, phone numbers and tokens never go into a log line,
a key or a URL. These helpers give the masked forms people are used to.
"""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """`320102199003071234` -> `320102********1234`."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """`13812345678` -> `138****5678`."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """`张伟` → `张*`, `欧阳娜娜` → `欧***`: the first character only."""
    return value[:1] + "*" * max(len(value) - 1, 1)
