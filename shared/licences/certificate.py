"""The PDF certificate (电子证照文件): one A4 page with the GB/T 36903 metadata
and a QR code carrying the signed payload.

The file is drawn by `shared.platform.pdf` (reportlab, the embedded CJK font
subset), as the cases context's decision documents are. The QR code (segno,
error correction M) is drawn as vector rectangles, so it scans at any zoom.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import segno

from shared.platform import pdf

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

_LINE_SIZE = 12
_MAX_LINES = 22
_QR_SIZE = 200  # points

RenderedCertificate = pdf.RenderedPdf


def qr_rectangles(payload: str, left: float, bottom: float) -> list[tuple[float, float, float, float]]:
    """The dark modules as (x, y, width, height) rectangles, one per run of dark modules in a row."""
    qr = segno.make(payload, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(border=2)]
    module = _QR_SIZE / len(rows)
    rects: list[tuple[float, float, float, float]] = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                top = bottom + _QR_SIZE - (y + 1) * module
                rects.append((left + start * module, top, (x - start) * module, module))
            else:
                x += 1
    return rects


def _draw_qr(canvas: Canvas, payload: str, left: float, bottom: float) -> None:
    path = canvas.beginPath()
    for x, y, width, height in qr_rectangles(payload, left, bottom):
        path.rect(x, y, width, height)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def render_certificate(heading: str, lines: Sequence[str], qr_payload: str, footer: str) -> RenderedCertificate:
    """A one-page PDF: title, metadata lines, the QR code and a footer line."""
    qr_left = pdf.PAGE_WIDTH - pdf.MARGIN - _QR_SIZE
    qr_bottom = pdf.MARGIN + 40

    def draw(canvas: Canvas) -> None:
        pdf.title(canvas, heading, 24)
        body = pdf.wrap(lines, width=pdf.PAGE_WIDTH - 2 * pdf.MARGIN, size=_LINE_SIZE, max_lines=_MAX_LINES)
        pdf.text_lines(canvas, body, top=pdf.PAGE_HEIGHT - pdf.MARGIN - 70, size=_LINE_SIZE)
        _draw_qr(canvas, qr_payload, qr_left, qr_bottom)
        pdf.text_at(canvas, footer, left=pdf.MARGIN, bottom=pdf.MARGIN, size=9)

    # the QR payload is in the document information too: the offline verifier reads it from a sealed file
    return pdf.canvas_document(draw, title=heading, subject="电子证照", keywords=qr_payload)
