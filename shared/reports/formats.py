"""Every format of a report from the one `Report`: the open data (CSV and JSON per dataset), the
HTML page with its charts as SVG and the PDF for print. Numbers are written by `number()` alone,
so every format shows the same text for the same figure; the charts are reportlab.graphics
drawings, rendered to SVG for the page and placed as they are in the PDF (one chart code path,
D-231)."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from shared.reports.models import DATASETS, Report

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

LEVEL_NAMES = {"province": "省级", "city": "设区市", "county": "县（市、区）"}
CHART_WIDTH = 480
CHART_HEIGHT = 200

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "headline": [
        ("key", "指标代码"),
        ("label", "指标"),
        ("value", "本月"),
        ("previous_month", "上月"),
        ("change_month", "环比变化"),
        ("last_year", "去年同月"),
        ("change_year", "同比变化"),
    ],
    "trend": [
        ("month", "月份"),
        ("received", "收件量"),
        ("completed", "办结量"),
        ("on_time_rate_legal", "法定时限内办结率"),
    ],
    "sub_regions": [
        ("code", "地区代码"),
        ("name", "地区"),
        ("received", "收件量"),
        ("decided", "作出决定"),
        ("completed", "办结量"),
        ("on_time_rate_promised", "承诺时限内办结率"),
        ("on_time_rate_legal", "法定时限内办结率"),
        ("no_visit_share", "不见面办理占比"),
        ("visit_once_share", "见一次面办理占比"),
        ("average_decide_working_days", "平均办理时长（工作日）"),
        ("tickets_received", "12345 工单受理量"),
        ("average_ticket_answer_working_days", "12345 平均答复用时（工作日）"),
    ],
    "ranking": [("rank", "名次"), ("department_id", "部门"), ("score", "考核得分")],
}
COLUMNS["departments"] = [("code", "部门"), *COLUMNS["sub_regions"][2:]]
WRAPPED = frozenset({"label", "name"})
"""Columns of text that wraps in the print's tables (the rest are numbers and codes)."""


def number(value: Any) -> str:
    """The one text form of a figure in every format: integers as they are, fractions as JSON
    writes them (0.9231), no data as empty (the HTML and PDF show — for it)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and not isinstance(value, bool):
        return json.dumps(value)
    return value if isinstance(value, str) else json.dumps(value)


def rows(report: Report, dataset: str) -> list[dict[str, Any]]:
    """The dataset's records as plain values (the JSON file's `rows`)."""
    records: list[Any] = getattr(report, dataset)
    keys = [key for key, _ in COLUMNS[dataset]]
    return [{key: getattr(record, key) for key in keys} for record in records]


def dataset_json(report: Report, dataset: str) -> bytes:
    body = {
        "region_code": report.region_code,
        "region_name": report.region_name,
        "month": report.month,
        "dataset": dataset,
        "title": DATASETS[dataset],
        "columns": [{"name": key, "title": title} for key, title in COLUMNS[dataset]],
        "rows": rows(report, dataset),
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


def dataset_csv(report: Report, dataset: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([key for key, _ in COLUMNS[dataset]])
    for record in rows(report, dataset):
        writer.writerow([number(value) for value in record.values()])
    return ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheet programs then read the Chinese right


def _shown(value: Any) -> str:
    return number(value) or "—"


def _title(report: Report) -> str:
    return f"{report.region_name}{report.month[:4]}年{int(report.month[5:])}月政务服务运行报告"


# --- charts ------------------------------------------------------------------------------------------


def charts(report: Report) -> dict[str, Drawing]:
    """The report's charts (dataset → drawing): the trend lines, bars by department, the ranking."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    from shared.platform.pdf import font

    name = font()
    blue, orange = colors.HexColor("#1f5fa8"), colors.HexColor("#e08a1e")
    drawn: dict[str, Drawing] = {}

    def frame(title: str) -> Drawing:
        drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
        drawing.add(String(0, CHART_HEIGHT - 14, title, fontName=name, fontSize=11))
        return drawing

    def legend(drawing: Drawing, pairs: list[tuple[Any, str]]) -> None:
        key = Legend()
        key.x, key.y, key.fontName, key.fontSize = CHART_WIDTH - 150, CHART_HEIGHT - 8, name, 8
        key.alignment, key.columnMaximum, key.colorNamePairs = "right", 1, pairs
        key.dxTextSpace, key.deltax = 4, 70
        drawing.add(key)

    trend = frame("月度趋势（收件量、办结量）")
    line = HorizontalLineChart()
    line.x, line.y, line.width, line.height = 40, 30, CHART_WIDTH - 60, CHART_HEIGHT - 70
    line.data = [[p.received for p in report.trend], [p.completed for p in report.trend]]
    line.categoryAxis.categoryNames = [p.month[2:] for p in report.trend]
    line.categoryAxis.labels.fontName = line.valueAxis.labels.fontName = name
    line.categoryAxis.labels.fontSize = line.valueAxis.labels.fontSize = 7
    line.valueAxis.valueMin = 0
    line.lines[0].strokeColor, line.lines[1].strokeColor = blue, orange
    line.lines[0].strokeWidth = line.lines[1].strokeWidth = 1.5
    trend.add(line)
    legend(trend, [(blue, "收件量"), (orange, "办结量")])
    drawn["trend"] = trend

    departments = frame("各部门收件量与办结量")
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 40, 45, CHART_WIDTH - 60, CHART_HEIGHT - 85
    shown = report.departments[:12] or []
    bars.data = [[d.received for d in shown] or [0], [d.completed for d in shown] or [0]]
    bars.categoryAxis.categoryNames = [d.name for d in shown] or [""]
    bars.categoryAxis.labels.fontName = bars.valueAxis.labels.fontName = name
    bars.categoryAxis.labels.fontSize = bars.valueAxis.labels.fontSize = 7
    bars.categoryAxis.labels.angle, bars.categoryAxis.labels.boxAnchor = 30, "ne"
    bars.valueAxis.valueMin = 0
    bars.bars[0].fillColor, bars.bars[1].fillColor = blue, orange
    departments.add(bars)
    legend(departments, [(blue, "收件量"), (orange, "办结量")])
    drawn["departments"] = departments

    ranking = frame("部门考核排名（得分）" + ("" if report.ranking_closed else "：本月考核尚未结算"))
    ranked = report.ranking[:12]
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 120, 20, CHART_WIDTH - 150, CHART_HEIGHT - 50
    chart.data = [[r.score for r in reversed(ranked)] or [0]]
    chart.categoryAxis.categoryNames = [f"{r.rank}. {r.department_id}" for r in reversed(ranked)] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = name
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
    chart.bars[0].fillColor = blue
    ranking.add(chart)
    drawn["ranking"] = ranking
    return drawn


def svg(drawing: Drawing) -> str:
    from reportlab.graphics import renderSVG

    text = str(renderSVG.drawToString(drawing))
    return text[text.index("<svg") :]  # inline in the page: without the XML declaration and doctype


# --- the page and the print -------------------------------------------------------------------------


def _html_table(report: Report, dataset: str) -> str:
    head = "".join(f"<th>{escape(title)}</th>" for _, title in COLUMNS[dataset])
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_shown(value))}</td>" for value in record.values()) + "</tr>"
        for record in rows(report, dataset)
    )
    return f'<table data-dataset="{dataset}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def html(report: Report) -> bytes:
    drawn = charts(report)
    sections = []
    for dataset, title in DATASETS.items():
        chart = f"<figure>{svg(drawn[dataset])}</figure>" if dataset in drawn else ""
        links = f'<p class="data"><a href="{dataset}.csv">CSV</a> · <a href="{dataset}.json">JSON</a></p>'
        sections.append(f"<section><h2>{escape(title)}</h2>{chart}{_html_table(report, dataset)}{links}</section>")
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(_title(report))}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}}
table{{border-collapse:collapse;margin:.5em 0}}
td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:right}}figure{{margin:0}}</style></head>
<body><h1>{escape(_title(report))}</h1>
<p>{escape(LEVEL_NAMES[report.level])} · 地区代码 {report.region_code} · 生成于 {report.generated_at.isoformat()}</p>
{"".join(sections)}
<p><a href="report.pdf">PDF</a> · <a href="report.json">JSON</a></p></body></html>
"""
    return page.encode()


def _widths(dataset: str, body: list[list[Any]]) -> list[float]:
    """Column widths of a print table: numbers and codes as wide as their longest text (7 pt
    digits), at least a header's two characters; the text columns share what is left."""
    from shared.platform.pdf import MARGIN, PAGE_WIDTH

    keys = [key for key, _ in COLUMNS[dataset]]
    fixed = {
        index: max([28.0, *(len(str(row[index])) * 4.2 + 8 for row in body)])
        for index, key in enumerate(keys)
        if key not in WRAPPED
    }
    wrapped = len(keys) - len(fixed)
    rest = max(PAGE_WIDTH - 2 * MARGIN - sum(fixed.values()), 40.0 * wrapped)
    return [fixed.get(index, rest / wrapped if wrapped else 0.0) for index in range(len(keys))]


def pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from shared.platform.pdf import flowing_document, font, paragraph_style, paragraph_text

    drawn = charts(report)
    story: list[Any] = [
        Paragraph(paragraph_text(_title(report)), paragraph_style("title", size=16)),
        Paragraph(
            paragraph_text(f"{LEVEL_NAMES[report.level]} · 地区代码 {report.region_code}"), paragraph_style(size=9)
        ),
    ]
    cell = paragraph_style("cell", size=7, leading=9)
    for dataset, title in DATASETS.items():
        story.append(Spacer(1, 8))
        story.append(Paragraph(paragraph_text(title), paragraph_style("h2", size=12)))
        if dataset in drawn:
            story.append(drawn[dataset])
        table: list[list[Any]] = [[Paragraph(paragraph_text(t), cell) for _, t in COLUMNS[dataset]]]
        # numbers and codes as plain cells (never broken inside), text as paragraphs that wrap
        table += [
            [Paragraph(paragraph_text(v), cell) if key in WRAPPED else _shown(v) for key, v in record.items()]
            for record in rows(report, dataset)
        ]
        grid = Table(table, colWidths=_widths(dataset, table[1:]), repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font()),
                    ("FONTSIZE", (0, 1), (-1, -1), 7),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ]
            )
        )
        story.append(grid)
    return flowing_document(story, title=_title(report), subject="政务服务运行月度报告").body
