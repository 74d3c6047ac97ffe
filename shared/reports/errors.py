"""The reports context's error codes (prefixed `reports.`), Chinese first and English on request."""

from __future__ import annotations

from shared.platform.errors import register_messages

REPORT_NOT_FOUND = "reports.report_not_found"
FILE_NOT_FOUND = "reports.file_not_found"
INVALID_MONTH = "reports.invalid_month"
INVALID_REGION = "reports.invalid_region"
NO_SLOW_STEPS = "reports.no_slow_steps"

register_messages(
    {
        REPORT_NOT_FOUND: ("{region_code} 的 {month} 月度报告尚未发布", "No report of {month} for {region_code} yet"),
        FILE_NOT_FOUND: ("报告没有文件 {file}", "The report has no file {file}"),
        INVALID_MONTH: (
            "月份格式应为 YYYY-MM，不早于 2000-01 且早于本月",
            "The month must be YYYY-MM, from 2000-01 and before this month",
        ),
        NO_SLOW_STEPS: (
            "{month} 月没有 {department_id} 办理 {item_code} 的环节记录",
            "No stays of {item_code} at {department_id} ended in {month}",
        ),
        INVALID_REGION: ("地区代码应为省、市或县级行政区划", "The region must be a province, city or county code"),
    }
)
