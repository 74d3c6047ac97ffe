"""Published results as open data (中标结果, D-311), in the platform's open-data bucket as the
reports publish theirs (D-230):

| key                                              | what                                     |
|--------------------------------------------------|------------------------------------------|
| `open-data/trading/results/<city>/results.json`  | every result of the city (and below)     |
| `open-data/trading/results/<city>/results.csv`   | the same as CSV                          |
| `open-data/trading/catalog.json`                 | DCAT catalogue of the cities' datasets   |

A city's files are rebuilt from the table (the results index, every page) each time one of its
results is published, and the catalogue from a listing of the bucket, so neither is ever patched
and a rebuild after a failed one leaves them true. Only what the result notice already shows
publicly is in them (no bidders, no flags).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from shared.platform.open_data import DCAT_CONTEXT, OpenDataBucket, distribution
from shared.trading.config import trading_settings
from shared.trading.models import Notice

PREFIX = "open-data/trading/"
RESULTS_PREFIX = f"{PREFIX}results/"
CATALOG_KEY = f"{PREFIX}catalog.json"
FILES = {"results.json": "application/json; charset=utf-8", "results.csv": "text/csv; charset=utf-8"}
API_BASE = "/v1/trading/open-data"
COLUMNS = (
    "notice_id",
    "kind",
    "title",
    "region_code",
    "published_on",
    "bid_deadline",
    "candidates",
    "winner_uscc",
    "awarded_at",
)
_BUCKET = OpenDataBucket(lambda: trading_settings().open_data_bucket)


def city_of(region_code: str) -> str:
    return region_code[:4] + "00"


def file_key(city: str, name: str) -> str:
    return f"{RESULTS_PREFIX}{city}/{name}"


_put = _BUCKET.put
get = _BUCKET.get


def _row(notice: Notice) -> dict[str, Any]:
    return {
        "notice_id": notice.notice_id,
        "kind": notice.kind.value,
        "title": notice.title,
        "region_code": notice.region_code,
        "published_on": notice.published_on.isoformat(),
        "bid_deadline": notice.bid_deadline.isoformat(),
        "candidates": notice.candidates,
        "winner_uscc": notice.winner_uscc,
        "awarded_at": notice.awarded_at.isoformat() if notice.awarded_at else None,
    }


def write_city(city: str, results: list[Notice], at: dt.datetime) -> None:
    """The city's two files from its results (newest first), then the catalogue."""
    rows = [_row(n) for n in results]
    document = {"city": city, "generated_at": at.isoformat(), "results": rows}
    _put(
        file_key(city, "results.json"),
        json.dumps(document, ensure_ascii=False, indent=1).encode(),
        FILES["results.json"],
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(row | {"candidates": ";".join(row["candidates"])} for row in rows)
    _put(file_key(city, "results.csv"), out.getvalue().encode("utf-8-sig"), FILES["results.csv"])
    rebuild_catalog(at)


def rebuild_catalog(at: dt.datetime) -> dict[str, Any]:
    """The DCAT catalogue of every city's results the bucket holds (a listing, never patched)."""
    keys, _ = _BUCKET.list(RESULTS_PREFIX)
    cities = {key.split("/")[3] for key in keys if key.endswith(".json")}
    catalog = {
        "@context": DCAT_CONTEXT,
        "@type": "dcat:Catalog",
        "dct:title": "公共资源交易中标结果",
        "dct:modified": at.isoformat(),
        "dcat:dataset": [
            {
                "@id": f"{API_BASE}/{city}",
                "@type": "dcat:Dataset",
                "dct:title": f"{city} 公共资源交易中标结果",
                "dct:spatial": city,
                "dcat:distribution": [distribution(f"{API_BASE}/{city}/{name}", kind) for name, kind in FILES.items()],
            }
            for city in sorted(cities)
        ],
    }
    _put(CATALOG_KEY, json.dumps(catalog, ensure_ascii=False, indent=1).encode(), FILES["results.json"])
    return catalog
