"""The reports' files in the open-data bucket and their DCAT catalogues (D-230).

| key                                                  | what                                  |
|------------------------------------------------------|---------------------------------------|
| `open-data/reports/<month>/<region>/report.json`     | the report (every figure)             |
| `open-data/reports/<month>/<region>/report.html`     | the page with the charts as SVG       |
| `open-data/reports/<month>/<region>/report.pdf`      | the print                             |
| `open-data/reports/<month>/<region>/<dataset>.csv`   | the open data behind a chart or table |
| `open-data/reports/<month>/<region>/<dataset>.json`  | the same as JSON                      |
| `open-data/reports/<month>/catalog.json`             | DCAT catalogue of the month's reports |
| `open-data/reports/catalog.json`                     | DCAT catalogue of the months          |

A catalogue is always rebuilt from what the bucket holds (a listing), never patched, so a
report generated again on demand, or a run that stopped half-way, leaves a true catalogue.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from shared.platform.open_data import DCAT_CONTEXT, OpenDataBucket, distribution
from shared.reports.config import reports_settings
from shared.reports.models import DATASETS

PREFIX = "open-data/reports/"
ROOT_CATALOG = f"{PREFIX}catalog.json"
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
FILES = ("report.json", "report.html", "report.pdf", *(f"{d}.{ext}" for d in DATASETS for ext in ("csv", "json")))
"""Every file of a report, by name (the public route serves only these)."""
API_BASE = "/v1/reports"
_BUCKET = OpenDataBucket(lambda: reports_settings().open_data_bucket)


def report_key(month: str, region_code: str, name: str) -> str:
    return f"{PREFIX}{month}/{region_code}/{name}"


def month_catalog_key(month: str) -> str:
    return f"{PREFIX}{month}/catalog.json"


def content_type(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[1]]


put = _BUCKET.put
get = _BUCKET.get
_list = _BUCKET.list


def _distribution(month: str, region: str, name: str) -> dict[str, Any]:
    return distribution(f"{API_BASE}/{region}/{month}/files/{name}", content_type(name))


def rebuild_catalogs(month: str, at: dt.datetime) -> dict[str, Any]:
    """The month's catalogue from the reports the bucket holds, and the root catalogue of months."""
    keys, _ = _list(f"{PREFIX}{month}/")
    regions = sorted({key.split("/")[3] for key in keys if key.endswith("/report.json")})
    datasets = []
    for region in regions:
        datasets.append(
            {
                "@id": f"{API_BASE}/{region}/{month}",
                "@type": "dcat:Dataset",
                "dct:title": f"{region} {month} 政务服务运行报告",
                "dct:spatial": region,
                "dct:temporal": month,
                "dcat:landingPage": f"{API_BASE}/{region}/{month}/files/report.html",
                "dcat:distribution": [_distribution(month, region, name) for name in FILES],
            }
        )
    catalog = {
        "@context": DCAT_CONTEXT,
        "@type": "dcat:Catalog",
        "dct:title": f"政务服务运行月度报告 {month}",
        "dct:modified": at.isoformat(),
        "dcat:dataset": datasets,
    }
    put(month_catalog_key(month), json.dumps(catalog, ensure_ascii=False, indent=1).encode(), CONTENT_TYPES["json"])
    _, month_prefixes = _list(PREFIX, "/")
    months = sorted((p[len(PREFIX) :].rstrip("/") for p in month_prefixes), reverse=True)
    root = {
        "@context": DCAT_CONTEXT,
        "@type": "dcat:Catalog",
        "dct:title": "政务服务运行月度报告",
        "dct:modified": at.isoformat(),
        "dcat:catalog": [
            {"@id": f"{API_BASE}?month={each}", "@type": "dcat:Catalog", "dct:temporal": each} for each in months
        ],
    }
    put(ROOT_CATALOG, json.dumps(root, ensure_ascii=False, indent=1).encode(), CONTENT_TYPES["json"])
    return catalog


def month_catalog(month: str) -> dict[str, Any] | None:
    found = get(month_catalog_key(month))
    return json.loads(found) if found is not None else None
