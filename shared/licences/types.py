"""The licence-type directory (证照目录) as issuance and the catalogue read it.

The directory is data in the Licences table (`LTYPE#<code>`), one entry per
GB/T 36903 证照类型代码 (the defining body's USCC + a 3-digit sequence):
name, category, validity and whether it is active or retired. Operators add
and change entries through `PUT /v1/licence-types/{code}`
(`LicencesService.put_licence_type`, one transaction with
`licence_type.changed`); the seed loads the demo directory
(infra/seed/licence_types.py) the same way.

Reads go through a short per-process cache (`licence_type_cache_s`, 60 s by
default): a warm licence issuer does not read the table for every licence,
and a change reaches every warm function within that time. Misses are never
cached, so a type an operator has just added is found at once.
"""

from __future__ import annotations

import time

from shared.licences.config import licences_settings
from shared.licences.models import LicenceType, LicenceTypeStatus

_cached: dict[str, tuple[float, LicenceType]] = {}


def licence_type(code: str) -> LicenceType | None:
    """The directory's entry for `code` (active or retired), or None when it has none."""
    hit = _cached.get(code)
    if hit is not None and time.monotonic() - hit[0] < licences_settings().licence_type_cache_s:
        return hit[1]
    from shared.licences.repository import LicencesRepository  # boto3 on first use only

    found = LicencesRepository().licence_type(code)
    if found is None:
        _cached.pop(code, None)
        return None
    _cached[code] = (time.monotonic(), found)
    return found


def licence_type_status(code: str) -> LicenceTypeStatus | None:
    """`active`, `retired`, or None for a code the directory does not know."""
    found = licence_type(code)
    return found.status if found else None


def remember(entry: LicenceType) -> None:
    """This process wrote `entry`: read it from now on without waiting for the cache."""
    _cached[entry.code] = (time.monotonic(), entry)


def forget_cached() -> None:
    _cached.clear()
