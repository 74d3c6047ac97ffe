"""Decision documents (行政许可决定书): one A4 page, a centred title and one line
per entry, long lines wrapped (`shared.platform.pdf` writes the file)."""

from __future__ import annotations

from collections.abc import Sequence

from shared.platform import pdf

RenderedDocument = pdf.RenderedPdf

_CHARS_PER_LINE = 38
_MAX_LINES = 32


def render_pdf(heading: str, lines: Sequence[str]) -> RenderedDocument:
    """A one-page PDF with a centred title and the lines below it."""
    return pdf.one_page(
        [
            *pdf.title(heading, 20),
            *pdf.text_lines(pdf.wrap(lines, _CHARS_PER_LINE, _MAX_LINES), top=pdf.PAGE_HEIGHT - pdf.MARGIN - 70),
        ]
    )
