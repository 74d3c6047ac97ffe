"""The trading context's settings and its legal minimum periods (configuration, each with its source).

A period runs from one date of a notice to another and must be at least `min_days`, counted
as calendar days (自然日: the end date minus the start date) or working days (工作日: the
platform calendar, `shared.workdays`, days d with start < d <= end), as the rule says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.platform.config import EnvironmentSettings, reader


class TradingSettings(EnvironmentSettings):
    """`open_data_bucket`: where published results go as open data (D-311)."""

    trading_table: str
    open_data_bucket: str


class CreditQuerySettings(EnvironmentSettings):
    """The public credit information platform through the data sharing platform: one base URL,
    signed with the key shared with it (Secrets Manager, the registries' key, D-310)."""

    credit_query_url: str = ""
    credit_query_app_id: str = "jszw-platform"
    credit_query_secret_arn: str = ""


trading_settings = reader(TradingSettings)
credit_query_settings = reader(CreditQuerySettings)


class DayKind(StrEnum):
    CALENDAR = "calendar"  # 日 / 自然日
    WORKING = "working"  # 工作日


@dataclass(frozen=True)
class PeriodRule:
    rule_id: str
    notice_kinds: frozenset[str]
    start_field: str
    end_field: str
    min_days: int
    day_kind: DayKind
    title: str
    source: str


PERIOD_RULES: tuple[PeriodRule, ...] = (
    PeriodRule(
        "works_tender.bid_period",
        frozenset({"works_tender"}),
        "documents_from",
        "bid_deadline",
        20,
        DayKind.CALENDAR,
        "自招标文件开始发出之日起至提交投标文件截止之日止，最短不得少于二十日",
        "《中华人民共和国招标投标法》第二十四条",
    ),
    PeriodRule(
        "procurement.bid_period",
        frozenset({"procurement"}),
        "documents_from",
        "bid_deadline",
        20,
        DayKind.CALENDAR,
        "自招标文件开始发出之日起至投标人提交投标文件截止之日止，不得少于二十日",
        "《中华人民共和国政府采购法》第三十五条",
    ),
    PeriodRule(
        "land_transfer.notice_period",
        frozenset({"land_transfer"}),
        "published_on",
        "bid_deadline",
        20,
        DayKind.CALENDAR,
        "出让公告应当至少在投标、拍卖或者挂牌开始日前二十日发布",
        "《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）第十条",
    ),
    PeriodRule(
        "land_transfer.listing_period",
        frozenset({"land_transfer"}),
        "listing_from",
        "bid_deadline",
        10,
        DayKind.WORKING,
        "挂牌时间不得少于十个工作日",
        "《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）第十九条",
    ),
    PeriodRule(
        "candidates.publicity",
        frozenset({"works_tender"}),
        "candidates_published_on",
        "publicity_until",
        3,
        DayKind.CALENDAR,
        "依法必须进行招标的项目，中标候选人公示期不得少于三日",
        "《中华人民共和国招标投标法实施条例》第五十四条",
    ),
)
