"""A region's monthly report from the month counters of the 13 months up to it (one Query each:
the trend, the previous month and the same month last year come from the same reads) and the
month's closed scorecard. Nothing here reads a case: the cost does not grow with the cases."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shared.codes.divisions import division
from shared.platform.clock import months_before
from shared.reports.models import AreaRow, Headline, Level, RankRow, Report, TrendPoint

if TYPE_CHECKING:
    from shared.reports.ports import MonthSource
    from shared.supervision.api import MonitoringView

TREND_MONTHS = 13

HEADLINES: dict[str, str] = {
    "received": "收件量",
    "completed": "办结量",
    "decided": "作出决定",
    "on_time_rate_promised": "承诺时限内办结率",
    "on_time_rate_legal": "法定时限内办结率",
    "no_visit_share": "不见面办理占比",
    "visit_once_share": "见一次面办理占比",
    "average_decide_working_days": "平均办理时长（工作日）",
    "notices_per_case": "每件补正告知次数",
    "notice_repeated": "二次补正件数",
    "warnings_yellow": "黄色预警",
    "warnings_red": "红色预警",
    "orders_received": "督办单数",
    "average_order_reply_working_days": "督办回复平均用时（工作日）",
    "ratings": "好差评评价数",
    "average_rating": "满意度（平均分，满分 5）",
    "rectifications_closed": "差评整改办结数",
    "rectification_on_time_rate": "差评整改按期率",
    "tickets_received": "12345 工单受理量",
    "tickets_answered": "12345 工单答复量",
    "average_ticket_answer_working_days": "12345 平均答复用时（工作日）",
    "tickets_closed": "12345 工单办结量",
}


def level_of(region_code: str) -> Level | None:
    """Province, city or county for a 6-digit division code; None for anything else."""
    if len(region_code) != 6 or not region_code.isdigit():
        return None
    if region_code.endswith("0000"):
        return "province"
    return "city" if region_code.endswith("00") else "county"


def months_up_to(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first."""
    return [*reversed(months_before(month, count - 1)), month]


def _name(code: str) -> str:
    known = division(code)
    return known.name if known else code


def _headline_values(view: MonitoringView) -> dict[str, float | None]:
    month = view.total.month
    return {
        "received": month.received,
        "completed": month.completed,
        "decided": month.decided,
        "on_time_rate_promised": month.on_time_rate_promised,
        "on_time_rate_legal": month.on_time_rate_legal,
        "no_visit_share": month.no_visit_share,
        "visit_once_share": month.visit_once_share,
        "average_decide_working_days": month.average_decide_working_days,
        "notices_per_case": _share(month.notice_cases, month.received),
        "notice_repeated": month.notice_repeated,
        "warnings_yellow": month.warnings_yellow,
        "warnings_red": month.warnings_red,
        # supervision orders, ratings and rectifications: the counters the scorecards read (D-128)
        "orders_received": month.orders_received,
        "average_order_reply_working_days": month.average_order_reply_working_days,
        "ratings": month.ratings,
        "average_rating": month.average_rating,
        "rectifications_closed": month.rectifications_closed,
        "rectification_on_time_rate": _share(month.rectifications_on_time, month.rectifications_closed),
        # 12345: the monitoring counters of ticket events (D-283)
        "tickets_received": month.tickets_received,
        "tickets_answered": month.tickets_answered,
        "average_ticket_answer_working_days": month.average_ticket_answer_working_days,
        "tickets_closed": month.tickets_closed,
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _has_data(view: MonitoringView) -> bool:
    month = view.total.month
    return bool(month.received or month.decided or month.completed or month.tickets_received)


def _change(value: float | None, earlier: float | None) -> float | None:
    if value is None or earlier is None:
        return None
    return value - earlier if isinstance(value, int) and isinstance(earlier, int) else round(value - earlier, 4)


def _row(code: str, name: str, month: Any) -> AreaRow:
    return AreaRow(
        code=code,
        name=name,
        received=month.received,
        decided=month.decided,
        completed=month.completed,
        on_time_rate_promised=month.on_time_rate_promised,
        on_time_rate_legal=month.on_time_rate_legal,
        no_visit_share=month.no_visit_share,
        visit_once_share=month.visit_once_share,
        average_decide_working_days=month.average_decide_working_days,
        tickets_received=month.tickets_received,
        average_ticket_answer_working_days=month.average_ticket_answer_working_days,
    )


def build_report(source: MonthSource, region_code: str, month: str, generated_at: dt.datetime) -> Report:
    level = level_of(region_code)
    if level is None:
        raise ValueError(f"not a province, city or county: {region_code}")
    months = months_up_to(month, TREND_MONTHS)
    views = {each: source.month_view(region_code, each) for each in months}
    current = views[month]
    values = _headline_values(current)
    previous = _headline_values(views[months[-2]]) if _has_data(views[months[-2]]) else {}
    last_year = _headline_values(views[months[0]]) if _has_data(views[months[0]]) else {}
    headline = [
        Headline(
            key=key,
            label=label,
            value=values[key],
            previous_month=previous.get(key),
            last_year=last_year.get(key),
            change_month=_change(values[key], previous.get(key)),
            change_year=_change(values[key], last_year.get(key)),
        )
        for key, label in HEADLINES.items()
    ]
    trend = [
        TrendPoint(
            month=each,
            received=view.total.month.received,
            completed=view.total.month.completed,
            on_time_rate_legal=view.total.month.on_time_rate_legal,
        )
        for each, view in views.items()
    ]
    ranked = source.ranking(region_code, month)
    return Report(
        region_code=region_code,
        region_name=_name(region_code),
        level=level,
        month=month,
        generated_at=generated_at,
        ranking_closed=ranked is not None,
        headline=headline,
        trend=trend,
        sub_regions=[_row(sub.region_code, _name(sub.region_code), sub.figures.month) for sub in current.sub_regions],
        # department ids are public directory ids (no person behind them)
        departments=[_row(dept.department_id, dept.department_id, dept.figures.month) for dept in current.departments],
        ranking=[RankRow(rank=rank, department_id=department, score=score) for rank, department, score in ranked or []],
    )
