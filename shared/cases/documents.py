"""Decision documents (行政许可决定书): one A4 page, a centred title and one line
per entry, long lines wrapped (`shared.platform.pdf` draws the file), sealed for
the deciding department with the platform's KMS key (PAdES, D-227)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.platform import pades, pdf

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

RenderedDocument = pdf.RenderedPdf

_LINE_SIZE = 12
_MAX_LINES = 30


def sealed_decision(
    heading: str, lines: Sequence[str], *, department_name: str, department_code: str, document_number: str
) -> RenderedDocument:
    """The decision document sealed for the department (one KMS `Sign`, and one more the first time a
    container seals for that department); unsealed where no seal key is configured (`PDF_SEAL_KEY_ID`)."""
    return pades.seal_for(
        render_pdf(heading, lines),
        pades.configured_key(),
        name=department_name,
        code=department_code,
        reason=f"{heading} {document_number}",
    )


def render_pdf(heading: str, lines: Sequence[str]) -> RenderedDocument:
    """A one-page PDF with a centred title and the lines below it."""

    def draw(canvas: Canvas) -> None:
        pdf.title(canvas, heading, 20)
        body = pdf.wrap(lines, width=pdf.PAGE_WIDTH - 2 * pdf.MARGIN, size=_LINE_SIZE, max_lines=_MAX_LINES)
        pdf.text_lines(canvas, body, top=pdf.PAGE_HEIGHT - pdf.MARGIN - 70, size=_LINE_SIZE)

    return pdf.canvas_document(draw, title=heading, subject="行政许可决定书")
