"""Generating and publishing reports: the monthly run over every province, city and county with
counts, and one region on an operator's demand."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from shared.platform.clock import now, today_in_shanghai
from shared.platform.errors import AppError, NotFound
from shared.platform.observability import logger
from shared.platform.public import lazy_module
from shared.reports import ports, store
from shared.reports.errors import INVALID_MONTH, INVALID_REGION, REPORT_NOT_FOUND
from shared.reports.figures import build_report, level_of
from shared.reports.models import DATASETS, Report
from shared.reports.ports import MonthSource

if TYPE_CHECKING:
    from shared.reports import formats
else:
    formats = lazy_module("shared.reports.formats")  # HTML, PDF, CSV: with the first report published (D-338)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


FIRST_MONTH = "2000-01"
"""The earliest month a report may cover: a report compares with the 12 months before and the same
month a year earlier, so year 1 (or 0) would ask the calendar for a year that does not exist."""


def checked_month(month: str) -> str:
    """A past month (a report covers a whole month), not before FIRST_MONTH."""
    if not _MONTH.match(month) or not FIRST_MONTH <= month < today_in_shanghai().isoformat()[:7]:
        raise AppError(INVALID_MONTH)
    return month


def checked_region(region_code: str) -> str:
    if level_of(region_code) is None:
        raise AppError(INVALID_REGION)
    return region_code


class ReportsService:
    def __init__(self, source: MonthSource) -> None:
        self.source = source

    def publish(self, region_code: str, month: str, *, catalog: bool = True) -> Report:
        """Build the region's report of the month and write every format; the catalogues after."""
        report = build_report(self.source, region_code, month, now())
        files: dict[str, bytes] = {
            "report.json": report.model_dump_json(indent=1).encode(),
            "report.html": formats.html(report),
            "report.pdf": formats.pdf(report),
        }
        for dataset in DATASETS:
            files[f"{dataset}.csv"] = formats.dataset_csv(report, dataset)
            files[f"{dataset}.json"] = formats.dataset_json(report, dataset)
        for name, body in files.items():
            store.put(store.report_key(month, region_code, name), body, store.content_type(name))
        if catalog:
            store.rebuild_catalogs(month, report.generated_at)
        return report

    def publish_month(self, month: str, province: str) -> list[str]:
        """Every province, city and county with counts in the month (townships have no report)."""
        regions = [r for r in self.source.active_regions(month, province) if level_of(r) is not None]
        for region in regions:
            self.publish(region, month, catalog=False)
        store.rebuild_catalogs(month, now())
        logger().info("reports published", extra={"month": month, "regions": len(regions)})
        return regions

    @staticmethod
    def report(region_code: str, month: str) -> Report:
        found = store.get(store.report_key(month, region_code, "report.json"))
        if found is None:
            raise NotFound(REPORT_NOT_FOUND, params={"region_code": region_code, "month": month})
        return Report.model_validate_json(found)


@cache
def reports_service() -> ReportsService:
    return ReportsService(ports.supervision())
