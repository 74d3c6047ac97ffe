"""The trading context's error codes (prefixed `trading.`), Chinese first, English on request."""

from __future__ import annotations

from typing import ClassVar

from shared.platform.errors import AppError, register_messages

NOTICE_NOT_FOUND = "trading.notice_not_found"
PERIOD_TOO_SHORT = "trading.period_too_short"
OUT_OF_REGION = "trading.out_of_region"
DATES_OUT_OF_ORDER = "trading.dates_out_of_order"
LISTING_REQUIRED = "trading.listing_required"
LISTED_PARTY = "trading.listed_party"
BIDDING_CLOSED = "trading.bidding_closed"
WRONG_STAGE = "trading.wrong_stage"
PUBLICITY_RUNNING = "trading.publicity_running"
NOT_A_CANDIDATE = "trading.not_a_candidate"
VERSION_CONFLICT = "trading.version_conflict"
AGENT_REQUIRED = "trading.agent_required"
CREDIT_UNAVAILABLE = "trading.credit_unavailable"
OPEN_DATA_NOT_FOUND = "trading.open_data_not_found"
COMPLAINT_PENDING = "trading.complaint_pending"
BAD_QUERY = "trading.bad_query"

MESSAGES: dict[str, tuple[str, str]] = {
    NOTICE_NOT_FOUND: ("交易公告不存在", "The trading notice does not exist"),
    PERIOD_TOO_SHORT: (
        "期限不足：{title}（{source}），现为 {days} {unit}，最早可定于 {earliest_end}",
        "Period too short: {rule_id} ({source}) needs {min_days} {unit_en}; it gives {days}, earliest {earliest_end}",
    ),
    OUT_OF_REGION: ("交易中心只能发布本地区的公告", "A trading centre publishes for its own region only"),
    DATES_OUT_OF_ORDER: ("日期先后不正确", "The dates are out of order"),
    LISTING_REQUIRED: ("出让公告须写明挂牌起始日", "A land transfer notice needs its listing start date"),
    LISTED_PARTY: (
        "{uscc} 列入{lists}，不得确定为中标人（已报送监管部门）",
        "{uscc} is on {lists}: it cannot be named winner (the supervisor has been told)",
    ),
    BIDDING_CLOSED: ("投标截止时间已过，不能再报名", "The bid deadline has passed; interest is closed"),
    WRONG_STAGE: ("公告当前阶段（{stage}）不能进行此操作", "Not possible at the notice's stage ({stage})"),
    PUBLICITY_RUNNING: (
        "中标候选人公示期至 {publicity_until} 止，公示期满后方可公布中标结果",
        "The candidates' publicity runs until {publicity_until}; the result comes after it",
    ),
    NOT_A_CANDIDATE: ("中标人须为公示的中标候选人", "The winner must be one of the publicised candidates"),
    VERSION_CONFLICT: ("公告已被更新，请刷新后重试", "The notice changed meanwhile; reload and retry"),
    AGENT_REQUIRED: ("须以企业经办人身份报名", "Register interest as an agent of the enterprise"),
    COMPLAINT_PENDING: (
        "公告有尚未答复的投诉（12345 工单 {numbers}），答复前暂停公布中标结果",
        "The notice has complaints not yet answered (12345 tickets {numbers}); the result waits for the answers",
    ),
    BAD_QUERY: (
        "搜索词须为 1 至 {max_length} 个字符，且不含控制字符",
        "The search words must be 1 to {max_length} characters, with no control characters",
    ),
    OPEN_DATA_NOT_FOUND: ("{city} 尚无公布的中标结果", "No result has been published in {city} yet"),
    CREDIT_UNAVAILABLE: (
        "信用信息平台暂时无法查询，未完成信用核查，请 {retry_after} 秒后重试",
        "The credit information platform cannot be asked now, so the credit check is not done; retry in "
        "{retry_after} seconds",
    ),
}

register_messages(MESSAGES)


class CreditUnavailable(AppError):
    """The credit platform did not answer: no party is taken as clean unchecked (503)."""

    status: ClassVar[int] = 503
    default_code: ClassVar[str] = CREDIT_UNAVAILABLE
