"""The platform's PDFs render with readable Chinese on a machine without any CJK
font (D-225): the font subset is embedded, text extracts back as Chinese, and
the glyphs drawn are the characters' own, not the missing-glyph box."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from shared.cases.documents import render_pdf
from shared.licences.certificate import render_certificate
from shared.platform import pdf
from tests.support import poppler

CERTIFICATE_LINES = [
    "证照编号：32010220260921000001X",
    "持证主体：南京玄武区张记餐饮店（负责人：王喆）",
    "统一社会信用代码：91320102MA1XYZ1234",
    "有效期：2026-09-21 至 2031-09-20",
]
DECISION_LINES = [
    "文书编号：3201020260921000001D",
    "事项：食品经营许可（320102-001-XK-01）",
    "决定机关：南京市玄武区市场监督管理局",
    "理由：材料真实，符合条件",
]
NOTICE_LINES = ["文书编号：3201020260921000002D", "理由：经营场所与申报不符，请补正后重新申请。"]


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    poppler.ensure_poppler()
    return {
        "certificate": render_certificate(
            "食品经营许可证", CERTIFICATE_LINES, "JSZWL1:" + "A" * 120, "江苏政务服务平台签发"
        ).body,
        "decision": render_pdf("准予行政许可决定书", DECISION_LINES).body,
        "notice": render_pdf("不予行政许可决定书", NOTICE_LINES).body,
    }


def _write(tmp_path: Path, name: str, body: bytes) -> Path:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(body)
    return path


def test_this_machine_has_no_chinese_font_to_fall_back_on() -> None:
    # the rendering tests below prove embedding only when the system cannot substitute a CJK font
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    assert listed.strip() == "", listed


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("certificate", ["食品经营许可证", "南京玄武区张记餐饮店", "王喆", "91320102MA1XYZ1234", "2026-09-21"]),
        ("decision", ["准予行政许可决定书", "南京市玄武区市场监督管理局", "材料真实，符合条件"]),
        ("notice", ["不予行政许可决定书", "经营场所与申报不符，请补正后重新申请。"]),
    ],
)
def test_every_font_is_embedded_and_the_chinese_text_comes_back(
    documents: dict[str, bytes], tmp_path: Path, name: str, expected: list[str]
) -> None:
    path = _write(tmp_path, name, documents[name])
    fonts = poppler.fonts(path)
    assert fonts, "no font at all"
    assert all(f["emb"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    assert all("WenQuanYiMicroHei" in f["name"] for f in fonts), fonts
    text = poppler.text(path)
    for phrase in expected:
        assert phrase in text, (phrase, text)
    # digits and Latin come out half-width (ASCII), never as full-width forms
    full_width = {chr(c) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
    assert not full_width & set(text), text


def _title_band(path: Path) -> bytes:
    width, height, pixels = poppler.grey_pixels(path)
    top = int(height * 0.04)
    return pixels[top * width : int(height * 0.12) * width]


def test_the_glyphs_drawn_are_the_characters_not_missing_glyph_boxes(
    documents: dict[str, bytes], tmp_path: Path
) -> None:
    # A title of characters the font lacks draws .notdef boxes; a real title must look different
    # from it, and two different real titles different from each other.
    boxes = _title_band(_write(tmp_path, "boxes", render_pdf("䷀䷁䷂䷃䷄䷅䷆䷇䷈", DECISION_LINES).body))
    approve = _title_band(_write(tmp_path, "decision", documents["decision"]))
    deny = _title_band(_write(tmp_path, "notice", documents["notice"]))
    assert min(approve) < 128, "the title drew no ink"
    assert approve != boxes
    assert deny != boxes
    assert approve != deny
    certificate = _title_band(_write(tmp_path, "certificate", documents["certificate"]))
    assert min(certificate) < 128


def test_long_text_is_wrapped_to_the_page_width_and_cut_to_one_page() -> None:
    width = pdf.PAGE_WIDTH - 2 * pdf.MARGIN
    lines = pdf.wrap(["很长的理由" * 300, "Latin 123 " * 40], width=width, size=12, max_lines=30)
    assert len(lines) == 30
    assert lines[-1] == "……"
    assert all(pdf.string_width(line, 12) <= width for line in lines)
    assert "".join(lines[:-1]).startswith("很长的理由很长的理由")


def test_a_flowing_document_runs_over_pages_in_the_embedded_font(tmp_path: Path) -> None:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.platypus import Paragraph

    pdf.font()  # charts made after this default to the embedded font (the category labels below)
    chart = Drawing(400, 160)
    bars = VerticalBarChart()
    bars.data = [[12, 30, 21]]
    bars.categoryAxis.categoryNames = ["玄武区", "秦淮区", "江宁区"]
    chart.add(bars)
    style = pdf.paragraph_style(size=12)
    body = [Paragraph(pdf.paragraph_text(f"第{n}段：办件受理与办结情况 <统计>"), style) for n in range(1, 80)]
    path = _write(tmp_path, "report", pdf.flowing_document([*body, chart], title="运行报告").body)
    assert "Pages:           " in poppler.run("pdfinfo", path)
    assert int(poppler.run("pdfinfo", path).split("Pages:")[1].split()[0]) >= 2
    assert all(f["emb"] == "yes" for f in poppler.fonts(path))
    text = poppler.text(path)
    assert "第79段：办件受理与办结情况 <统计>" in text
    assert "江宁区" in text


def test_the_font_covers_gbk_name_characters_and_all_of_gb2312() -> None:
    from reportlab.pdfbase import pdfmetrics

    glyphs = pdfmetrics.getFont(pdf.font()).face.charToGlyph
    gb2312 = {
        bytes([row, cell]).decode("gb2312", errors="ignore") for row in range(0xB0, 0xF8) for cell in range(0xA1, 0xFF)
    }
    missing = sorted(ch for ch in gb2312 - {""} if ord(ch) not in glyphs)
    assert missing == [], missing
    for ch in "喆珺赟昇堃" + "0123456789ABCxyz（），。：；《》“”、〇":
        assert ord(ch) in glyphs, ch  # given-name characters outside GB 2312 are in GBK, and so in the subset
