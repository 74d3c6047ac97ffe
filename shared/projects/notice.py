"""The filing notice (项目备案证明): one A4 page drawn by `shared.platform.pdf`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.codes.divisions import division
from shared.platform import pdf
from shared.projects.models import Project, ProjectChange

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

HEADING = "江苏省企业投资项目备案证明"
CHANGE_HEADING = "江苏省企业投资项目备案变更证明"
FIELD_NAMES = {"total_investment_fen": "总投资", "region_code": "建设地点", "construction_content": "建设规模及内容"}
_SIZE = 12


def yuan(fen: int) -> str:
    """Fen as 万元 with two decimals, as filing notices state investment."""
    return f"{fen / 1_000_000:,.2f} 万元"


def filing_notice(project: Project) -> pdf.RenderedPdf:
    found = division(project.region_code)
    lines = [
        f"项目代码：{project.code}",
        f"项目名称：{project.name}",
        f"建设地点：{found.name if found else ''}（{project.region_code}）",
        f"所属行业（GB/T 4754 大类）：{project.industry}",
        f"项目单位统一社会信用代码：{project.enterprise_uscc or '（自然人投资项目）'}",
        f"总投资：{yuan(project.total_investment_fen)}",
        f"拟开工年份：{project.start_year}",
        f"建设规模及内容：{project.construction_content}",
        "",
        "该项目不在《政府核准的投资项目目录》范围内，已按《企业投资项目核准和备案管理条例》",
        "第十三条予以备案。项目单位对备案信息的真实性负责。",
        "",
        f"备案日期：{project.filed_at.date().isoformat() if project.filed_at else ''}",
    ]
    return _page(HEADING, lines, subject="项目备案证明", keywords=project.code)


def _shown(field: str, value: object) -> str:
    if field == "total_investment_fen" and isinstance(value, int):
        return yuan(value)
    if field == "region_code" and isinstance(value, str):
        found = division(value)
        return f"{found.name if found else ''}（{value}）"
    return str(value)


def change_notice(project: Project, change: ProjectChange) -> pdf.RenderedPdf:
    """The change filing notice (备案变更证明) of `change`, the project as it stands after it."""
    lines = [
        f"项目代码：{project.code}",
        f"项目名称：{project.name}",
        f"项目单位统一社会信用代码：{project.enterprise_uscc or '（自然人投资项目）'}",
        f"变更序号：第 {change.number} 次",
        "",
        *(
            f"{FIELD_NAMES.get(field, field)}：由 {_shown(field, before)} 变更为 {_shown(field, after)}"
            for field, (before, after) in change.changed.items()
        ),
        f"变更原因：{change.reason}",
        "",
        "项目单位已按《企业投资项目核准和备案管理条例》第十四条告知备案机关，予以备案变更。",
        "项目代码不变。项目单位对变更信息的真实性负责。",
        "",
        f"变更备案日期：{change.at.date().isoformat()}",
    ]
    return _page(CHANGE_HEADING, lines, subject="项目备案变更证明", keywords=f"{project.code} #{change.number}")


def _page(heading: str, lines: list[str], *, subject: str, keywords: str) -> pdf.RenderedPdf:
    def draw(canvas: Canvas) -> None:
        pdf.title(canvas, heading, 20)
        body = pdf.wrap(lines, width=pdf.PAGE_WIDTH - 2 * pdf.MARGIN, size=_SIZE, max_lines=34)
        pdf.text_lines(canvas, body, top=pdf.PAGE_HEIGHT - pdf.MARGIN - 70, size=_SIZE)

    return pdf.canvas_document(draw, title=heading, subject=subject, keywords=keywords)
