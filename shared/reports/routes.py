"""The reports context's HTTP routes (paths fixed by template.yaml, ReportsApiFunction).

Everything but generating on demand is public and cacheable (`Cache-Control: public`, and the
stage cache, D-044): the monthly reports are public information (issue 16). Nothing in them
names a person: their figures are counts and rates of regions and departments.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, ConfigDict

from shared.platform.clock import previous_month
from shared.platform.errors import NotFound
from shared.platform.open_data import CACHE_CONTROL
from shared.platform.pagination import DEFAULT_LIMIT, Page, decode_cursor, encode_cursor
from shared.platform.principal import Access
from shared.platform.route_docs import ROLE, Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route
from shared.reports import store
from shared.reports.errors import FILE_NOT_FOUND, REPORT_NOT_FOUND
from shared.reports.models import Report
from shared.reports.service import checked_month, checked_region, reports_service

router = APIGatewayRouter()

TAG = "Reports 运行报告"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
REGION_PATTERN = r"^\d{6}$"
FILE_PATTERN = r"^[a-z_]+\.(json|csv|html|pdf)$"
CACHED = {"Cache-Control": CACHE_CONTROL}
_NOT_FOUND = {404: _problem("No such report or file (reports.report_not_found, reports.file_not_found)")}
_INVALID = {400: _problem("Not a past month or not a province, city or county (reports.invalid_month, …)")}

Month = Annotated[str, Path(pattern=MONTH_PATTERN, description="The month, YYYY-MM.")]
Region = Annotated[str, Path(pattern=REGION_PATTERN, description="A province, city or county code (GB/T 2260).")]


class ReportEntry(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built with the list's first request (D-338)

    region_code: str
    month: str
    html: str
    pdf: str
    json_url: str


def _cached(body: Any) -> Response[Any]:
    return Response(status_code=200, content_type="application/json", body=body, headers=dict(CACHED))


@route(
    router,
    "GET",
    "/v1/reports",
    summary="Monthly operation reports of a month",
    description=(
        "The month's published reports (province, each city, each county), by region code, paged; "
        "the latest month when none is named. Each entry links its page, PDF and JSON."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("A page of the month's reports"), **_INVALID},
)
def list_reports(
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM (default: last month).")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response[Page[ReportEntry]]:
    wanted = checked_month(month) if month else previous_month()
    after = (decode_cursor(cursor, must_match={"month": wanted}) or {}).get("after", "")
    catalog = store.month_catalog(wanted) or {"dcat:dataset": []}
    regions = sorted(str(entry["dct:spatial"]) for entry in catalog["dcat:dataset"])
    following = [region for region in regions if region > after]
    shown = following[:limit]
    base = store.API_BASE
    page = Page[ReportEntry](
        items=[
            ReportEntry(
                region_code=region,
                month=wanted,
                html=f"{base}/{region}/{wanted}/files/report.html",
                pdf=f"{base}/{region}/{wanted}/files/report.pdf",
                json_url=f"{base}/{region}/{wanted}",
            )
            for region in shown
        ],
        next_cursor=encode_cursor({"month": wanted, "after": shown[-1]}) if len(following) > limit else None,
    )
    return _cached(page)


@route(
    router,
    "GET",
    "/v1/reports/catalog",
    summary="DCAT catalogue of the monthly reports",
    description="A machine-readable index (DCAT, JSON-LD) of the months; each month's catalogue lists its datasets.",
    tags=[TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("The catalogue of months"), **_INVALID},
)
def catalog(
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN, description="A month's own catalogue.")] = None,
) -> Response[dict[str, Any]]:
    found = store.get(store.month_catalog_key(checked_month(month)) if month else store.ROOT_CATALOG)
    return _cached(json.loads(found) if found else {"@type": "dcat:Catalog", "dcat:dataset": []})


@route(
    router,
    "GET",
    "/v1/reports/<region_code>/<month>",
    summary="A region's monthly operation report (every figure)",
    description=(
        "Cases received and completed, on-time rates, 不见面 share, working days, supplements, warnings, "
        "the 13-month trend, sub-regions, departments and the ranking, each headline figure with its "
        "change against the previous month and the same month last year."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("The report"), **_NOT_FOUND},
)
def get_report(region_code: Region, month: Month) -> Response[Report]:
    return _cached(reports_service().report(region_code, month))


@route(
    router,
    "GET",
    "/v1/reports/<region_code>/<month>/files/<name>",
    summary="A file of a report: the page, the PDF, or the open data of a chart (CSV, JSON)",
    description=(
        "`report.html` (charts as SVG), `report.pdf`, `report.json`, and `<dataset>.csv` / `<dataset>.json` "
        "for headline, trend, sub_regions, departments and ranking."
    ),
    tags=[TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("The file"), **_NOT_FOUND},
)
def get_file(
    region_code: Region, month: Month, name: Annotated[str, Path(pattern=FILE_PATTERN, description="The file.")]
) -> Response[str]:
    if name not in store.FILES:
        raise NotFound(FILE_NOT_FOUND, params={"file": name})
    found = store.get(store.report_key(month, region_code, name))
    if found is None:
        raise NotFound(REPORT_NOT_FOUND, params={"region_code": region_code, "month": month})
    binary = name.endswith(".pdf")
    # the body goes out as text: the PDF base64-encoded and flagged so (the API's binary media type
    # turns it back into bytes); Powertools' response validation would try to read raw bytes as UTF-8
    body = base64.b64encode(found).decode() if binary else found.decode()
    answer = Response(status_code=200, content_type=store.content_type(name), body=body, headers=dict(CACHED))
    answer.base64_encoded = binary
    return answer


@route(
    router,
    "POST",
    "/v1/reports/<region_code>/<month>",
    summary="Generate a region's monthly report now (operators)",
    description="Builds and publishes the report of a past month at once (the monthly run does every region).",
    tags=[TAG],
    access=Access.OPERATOR,
    responses={200: _ok("The report as published"), **ROLE, **_INVALID},
)
def generate(region_code: Region, month: Month) -> Report:
    return reports_service().publish(checked_region(region_code), checked_month(month))
