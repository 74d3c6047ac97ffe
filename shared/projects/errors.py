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
NOT_AWAITING_APPROVAL = "projects.not_awaiting_approval"
APPROVAL_OPENING = "projects.approval_opening"
NO_APPROVAL_ITEM = "projects.no_approval_item"
VERSION_CONFLICT = "projects.version_conflict"
NOTHING_CHANGED = "projects.nothing_changed"
TOO_MANY_CHANGES = "projects.too_many_changes"
CHANGE_NOT_FOUND = "projects.change_not_found"
NO_CHANGE_NOTICE = "projects.no_change_notice"

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
    NOT_FILED: (
        "该项目未备案，没有备案证明，也不能办理备案变更",
        "The project is not filed: no filing notice, no change filing",
    ),
    NOT_AWAITING_APPROVAL: (
        "该项目当前状态（{state}）不能发起核准",
        "The project cannot start an approval in its state ({state})",
    ),
    APPROVAL_OPENING: (
        "该项目的核准申请正在提交，请稍后查看",
        "The project's approval is being opened; look again shortly",
    ),
    NO_APPROVAL_ITEM: (
        "建设地点所在地区尚未发布企业投资项目核准并联审批事项",
        "No division at or above the project's location publishes the project approval item",
    ),
    VERSION_CONFLICT: ("项目已被更新，请刷新后重试", "The project changed meanwhile; reload and retry"),
    NOTHING_CHANGED: ("变更内容与备案信息相同", "The change names nothing that differs from the filing"),
    TOO_MANY_CHANGES: (
        "该项目变更次数已达上限，请联系备案机关",
        "The project has reached its most changes; ask the filing authority",
    ),
    CHANGE_NOT_FOUND: ("该项目没有这一次变更", "The project has no such change"),
    NO_CHANGE_NOTICE: (
        "这次变更未超过备案变更标准，没有变更备案证明",
        "That change stayed within the threshold: it has no change filing notice",
    ),
}

register_messages(MESSAGES)
