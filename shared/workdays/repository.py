"""Year arrangements in the catalogue table (the catalogue context owns the
holiday calendar). The only module that knows the keys.

- current arrangement: pk `CALENDAR`, sk `<year>` (e.g. `2027`), with `version`
- every version ever loaded: pk `CALENDAR_HISTORY#<year>`, sk `v<version:06d>`

Reads are cached per process for `CACHE_TTL_SECONDS`: an arrangement changes
about once a year and a warm Lambda would otherwise read it on every request.
A load in this process refreshes its own cache at once; other processes see
it within the TTL. Absent years are cached too (the common case for next year).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from shared.platform.aws import dynamodb
from shared.platform.clock import iso, now
from shared.platform.dynamo import Transaction, from_item, to_item
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.workdays.config import workdays_settings
from shared.workdays.models import StoredYearArrangement, YearArrangement

CALENDAR_PK = "CALENDAR"
HISTORY_PK_PREFIX = "CALENDAR_HISTORY#"
ITEM_KIND = "calendar_year"
CACHE_TTL_SECONDS = 300.0
_BATCH_GET_LIMIT = 100
_BATCH_GET_ATTEMPTS = 5

# (table, year) -> (monotonic expiry, arrangement or None when not loaded)
_cache: dict[tuple[str, int], tuple[float, StoredYearArrangement | None]] = {}


def clear_cache() -> None:
    """Forget every cached year (tests; or after loading from another process)."""
    _cache.clear()


def _table() -> str:
    return workdays_settings().catalog_table


def _key(year: int) -> dict[str, str]:
    return {"pk": CALENDAR_PK, "sk": str(year)}


def _to_record(stored: StoredYearArrangement) -> dict[str, Any]:
    return {
        "kind": ITEM_KIND,
        "year": stored.year,
        "holidays": [{"date": h.date.isoformat(), "name": h.name} for h in stored.holidays],
        "adjusted_workdays": [{"date": w.date.isoformat(), "name": w.name} for w in stored.adjusted_workdays],
        "notice": stored.notice,
        "version": stored.version,
        "updated_at": iso(stored.updated_at),
        "updated_by": stored.updated_by,
    }


def _from_record(record: dict[str, Any]) -> StoredYearArrangement:
    fields = {name: record.get(name) for name in StoredYearArrangement.model_fields}
    return StoredYearArrangement.model_validate({k: v for k, v in fields.items() if v is not None})


def get_years(years: Iterable[int]) -> dict[int, StoredYearArrangement | None]:
    """The loaded arrangement of each year (None when not loaded), from the
    cache where fresh; the rest in one BatchGetItem."""
    table = _table()
    wanted = sorted(set(years))
    found: dict[int, StoredYearArrangement | None] = {}
    stale: list[int] = []
    clock = time.monotonic()
    for year in wanted:
        cached = _cache.get((table, year))
        if cached is not None and cached[0] > clock:
            found[year] = cached[1]
        else:
            stale.append(year)
    for first in range(0, len(stale), _BATCH_GET_LIMIT):
        chunk = stale[first : first + _BATCH_GET_LIMIT]
        fetched = _batch_get(table, chunk)
        expires = time.monotonic() + CACHE_TTL_SECONDS
        for year in chunk:
            found[year] = fetched.get(year)
            _cache[(table, year)] = (expires, found[year])
    return found


def _batch_get(table: str, years: list[int]) -> dict[int, StoredYearArrangement]:
    request: dict[str, Any] = {table: {"Keys": [to_item(_key(y)) for y in years]}}
    fetched: dict[int, StoredYearArrangement] = {}
    for _ in range(_BATCH_GET_ATTEMPTS):
        response = dynamodb().batch_get_item(RequestItems=request)
        for item in response.get("Responses", {}).get(table, []):
            stored = _from_record(from_item(item))
            fetched[stored.year] = stored
        request = dict(response.get("UnprocessedKeys") or {})
        if not request:
            return fetched
    raise RuntimeError("DynamoDB left calendar keys unprocessed; retry later")


def get_year_for_update(year: int) -> StoredYearArrangement | None:
    """The current arrangement by a consistent read, bypassing the cache."""
    response = dynamodb().get_item(TableName=_table(), Key=to_item(_key(year)), ConsistentRead=True)
    item = response.get("Item")
    return _from_record(from_item(item)) if item else None


def save(
    arrangement: YearArrangement,
    *,
    expected_version: int | None,
    actor: str,
    event: Envelope,
) -> StoredYearArrangement:
    """Write the arrangement as the next version, its history entry and its
    event in one transaction. `expected_version` is the version read before
    (None: the year must not be loaded yet); a concurrent load makes the
    condition fail and the caller gets 409 `version_conflict`."""
    stored = StoredYearArrangement(
        **arrangement.model_dump(),
        version=(expected_version or 0) + 1,
        updated_at=now().replace(microsecond=0),  # as stored: RFC 3339 to the second
        updated_by=actor,
    )
    record = _to_record(stored)
    transaction = Transaction(_table())
    if expected_version is None:
        transaction.put({**_key(stored.year), **record}, condition="attribute_not_exists(pk)")
    else:
        transaction.put(
            {**_key(stored.year), **record},
            condition="#version = :expected",
            names={"#version": "version"},
            values=expression_values(expected=expected_version),
            on_conflict=Conflict("version_conflict"),
        )
    transaction.put(
        {"pk": f"{HISTORY_PK_PREFIX}{stored.year}", "sk": f"v{stored.version:06d}", **record},
        condition="attribute_not_exists(pk)",
    )
    transaction.emit(event)
    transaction.commit()
    _cache[(_table(), stored.year)] = (time.monotonic() + CACHE_TTL_SECONDS, stored)
    return stored


def history(year: int) -> list[StoredYearArrangement]:
    """Every version loaded for `year`, oldest first."""
    versions: list[StoredYearArrangement] = []
    start_key: dict[str, Any] | None = None
    while True:
        query: dict[str, Any] = {
            "TableName": _table(),
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": expression_values(pk=f"{HISTORY_PK_PREFIX}{year}"),
        }
        if start_key:
            query["ExclusiveStartKey"] = start_key
        response = dynamodb().query(**query)
        versions.extend(_from_record(from_item(item)) for item in response.get("Items", []))
        start_key = response.get("LastEvaluatedKey")
        if not start_key:
            return versions
