"""The PDF certificate (电子证照文件): one A4 page with the GB/T 36903 metadata
and a QR code carrying the signed payload, written without a PDF library.

The file is written by `shared.platform.pdf` (the standard Chinese font,
nothing embedded), as the cases context's decision documents are. The QR
code (segno, error correction M) is drawn as vector squares, so it scans at
any zoom.
"""

from __future__ import annotations

from collections.abc import Sequence

import segno

from shared.platform import pdf

_CHARS_PER_LINE = 36
_MAX_LINES = 22
_QR_SIZE = 200  # points

RenderedCertificate = pdf.RenderedPdf


def _qr_drawing(payload: str, left: float, bottom: float) -> list[str]:
    qr = segno.make(payload, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(border=2)]
    module = _QR_SIZE / len(rows)
    ops = ["q", "0 0 0 rg"]
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                top = bottom + _QR_SIZE - (y + 1) * module
                ops.append(f"{left + start * module:.2f} {top:.2f} {(x - start) * module:.2f} {module:.2f} re")
            else:
                x += 1
    ops.extend(["f", "Q"])
    return ops


def render_certificate(heading: str, lines: Sequence[str], qr_payload: str, footer: str) -> RenderedCertificate:
    """A one-page PDF: title, metadata lines, the QR code and a footer line."""
    qr_left = pdf.PAGE_WIDTH - pdf.MARGIN - _QR_SIZE
    qr_bottom = pdf.MARGIN + 40
    return pdf.one_page(
        [
            *pdf.title(heading, 24),
            *pdf.text_lines(pdf.wrap(lines, _CHARS_PER_LINE, _MAX_LINES), top=pdf.PAGE_HEIGHT - pdf.MARGIN - 70),
            *_qr_drawing(qr_payload, qr_left, qr_bottom),
            *pdf.text_at(footer, left=pdf.MARGIN, bottom=pdf.MARGIN, size=9),
        ]
    )
