"""The filing notice (项目备案证明): one A4 page drawn by `shared.platform.pdf`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.codes.divisions import division
from shared.platform import pdf
from shared.projects.models import Project

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

HEADING = "江苏省企业投资项目备案证明"
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

    def draw(canvas: Canvas) -> None:
        pdf.title(canvas, HEADING, 20)
        body = pdf.wrap(lines, width=pdf.PAGE_WIDTH - 2 * pdf.MARGIN, size=_SIZE, max_lines=34)
        pdf.text_lines(canvas, body, top=pdf.PAGE_HEIGHT - pdf.MARGIN - 70, size=_SIZE)

    return pdf.canvas_document(draw, title=HEADING, subject="项目备案证明", keywords=project.code)
