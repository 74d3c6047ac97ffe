"""The projects context's error codes (prefixed `projects.`), Chinese first and
English on request; docs/errors.md lists them."""

from __future__ import annotations

from shared.platform.errors import register_messages

PROJECT_NOT_FOUND = "projects.project_not_found"
UNKNOWN_REGION = "projects.unknown_region"
UNKNOWN_INDUSTRY = "projects.unknown_industry"
START_YEAR_OUT_OF_RANGE = "projects.start_year_out_of_range"
INVALID_CODE = "projects.invalid_code"
SERIALS_EXHAUSTED = "projects.serials_exhausted"
BUSY = "projects.busy"
NOT_FILED = "projects.not_filed"

MESSAGES: dict[str, tuple[str, str]] = {
    PROJECT_NOT_FOUND: ("投资项目不存在", "The investment project does not exist"),
    UNKNOWN_REGION: (
        "建设地点须为江苏省现行的县级及以上行政区划代码",
        "The location must be a current Jiangsu division code (county level or above)",
    ),
    UNKNOWN_INDUSTRY: (
        "所属行业须为国民经济行业分类（GB/T 4754-2017）的两位大类代码 01–97",
        "The industry must be a two-digit GB/T 4754-2017 division, 01 to 97",
    ),
    START_YEAR_OUT_OF_RANGE: (
        "拟开工年份须在 {earliest} 至 {latest} 年之间",
        "The planned start year must be between {earliest} and {latest}",
    ),
    INVALID_CODE: ("项目代码不符合编码规则（{rule}）", "The project code breaks the layout rule ({rule})"),
    SERIALS_EXHAUSTED: (
        "该行政区划本年度项目代码流水号已用尽",
        "This division's project code serials for the year are used up",
    ),
    BUSY: ("赋码繁忙，请稍后重试", "Too many codes are being given at once; retry shortly"),
    NOT_FILED: ("该项目未备案，没有备案证明", "The project is not filed; it has no filing notice"),
}

register_messages(MESSAGES)
