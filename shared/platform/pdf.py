"""The platform's one PDF library (D-225, D-226): reportlab with an embedded CJK font.

Every PDF the platform issues (decision documents, licence certificates,
reports) is drawn here, so every file embeds the same openly licensed font
subset (`fonts/wqy-microhei-gbk.ttf`: WenQuanYi Micro Hei, Apache-2.0,
GBK (GB 2312 and more) + ASCII + document punctuation; `infra/font_subset.py` rebuilds it)
and renders the same on a machine without any Chinese font. Latin letters
and digits are the font's own half-width glyphs.

Two ways to draw:
- `canvas_document(draw, title=...)`: `draw(canvas)` places text and shapes
  itself (fixed layouts: certificates, decisions); `title`, `text_lines`,
  `text_at` and `wrap` are the helpers for that.
- `flowing_document(flowables, title=...)`: reportlab platypus flows
  paragraphs, tables and charts over as many pages as needed (reports);
  `paragraph_style()` gives styles that wrap Chinese text.

Both return a `RenderedPdf` (bytes + SHA-256). The files carry what PDF/A-2b
asks for that reportlab can write: embedded fonts, an sRGB output intent,
XMP metadata declaring PDF/A-2B, no transparency or encryption; they are not
checked by a PDF/A validator here (D-226 says what holds).

reportlab is imported inside the functions, never at module import: a Lambda
that never draws a PDF does not pay for loading it (D-226).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Flowable

PAGE_WIDTH = 595.2756  # A4, points (reportlab's A4)
PAGE_HEIGHT = 841.8898
MARGIN = 56.0

FONT_FILE = Path(__file__).parent / "fonts" / "wqy-microhei-gbk.ttf"
FONT_NAME = "WenQuanYiMicroHei"
AUTHOR = "江苏政务服务平台"
PRODUCER = "ReportLab PDF Library"


@dataclass(frozen=True)
class RenderedPdf:
    body: bytes
    sha256: str


@cache
def font() -> str:
    """Registers the embedded CJK font with reportlab once; its name for `setFont` and styles."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE)))
    # reportlab's default font (Helvetica, never embedded) becomes ours: modules imported from now on
    # (styles, platypus) take it from rl_config; charts read the graphics state defaults when drawn
    rl_config.canvas_basefontname = FONT_NAME
    from reportlab.graphics import shapes

    shapes.STATE_DEFAULTS["fontName"] = FONT_NAME
    return FONT_NAME


def string_width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font(), size))


def wrap(lines: Sequence[str], *, width: float, size: float, max_lines: int) -> list[str]:
    """Lines broken to fit `width` points at `size` (between any two characters: Chinese has no
    spaces to break at); beyond `max_lines` the last line says `……`."""
    wrapped: list[str] = []
    for line in lines:
        current = ""
        for ch in line.replace("\r", ""):
            if current and string_width(current + ch, size) > width:
                wrapped.append(current)
                current = ""
            current += ch
        wrapped.append(current)
    if len(wrapped) > max_lines:
        wrapped = [*wrapped[: max_lines - 1], "……"]
    return wrapped


def title(canvas: Canvas, text: str, size: float) -> None:
    """A title centred at the top of the page."""
    canvas.setFont(font(), size)
    canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - MARGIN - size, text)


def text_lines(canvas: Canvas, lines: Sequence[str], *, top: float, size: float = 12, leading: float = 22) -> None:
    """Lines from `top` (points from the page's bottom) down, at the left margin."""
    text = canvas.beginText(MARGIN, top)
    text.setFont(font(), size, leading)
    for line in lines:
        text.textLine(line)
    canvas.drawText(text)


def text_at(canvas: Canvas, text: str, *, left: float, bottom: float, size: float) -> None:
    canvas.setFont(font(), size)
    canvas.drawString(left, bottom, text)


def paragraph_style(
    name: str = "body", *, size: float = 11, leading: float | None = None, **extra: Any
) -> ParagraphStyle:
    """A platypus style in the embedded font that wraps Chinese between characters."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(name, fontName=font(), fontSize=size, leading=leading or size * 1.5, wordWrap="CJK", **extra)


def paragraph_text(text: str) -> str:
    """Plain text made safe for a platypus Paragraph (which reads a little markup)."""
    return escape(text).replace("\n", "<br/>")


def canvas_document(
    draw: Callable[[Canvas], None], *, title: str, subject: str = "", author: str = AUTHOR, keywords: str = ""
) -> RenderedPdf:
    """An A4 document that `draw` paints (it calls `showPage()` between pages, not after the last).
    `keywords` go into the document information (a sealed file's are covered by its seal)."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), **_canvas_options())
    _describe(canvas, title=title, subject=subject, author=author, keywords=keywords)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return _rendered(buffer.getvalue())


def flowing_document(
    flowables: Sequence[Flowable],
    *,
    title: str,
    subject: str = "",
    author: str = AUTHOR,
    keywords: str = "",
    on_page: Callable[[Canvas, Any], None] | None = None,
) -> RenderedPdf:
    """An A4 document of platypus flowables over as many pages as they need; `on_page(canvas, doc)`
    draws page furniture (headers, page numbers)."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate

    def make_canvas(*args: Any, **kwargs: Any) -> Canvas:
        canvas = Canvas(*args, **{**kwargs, **_canvas_options()})
        _describe(canvas, title=title, subject=subject, author=author, keywords=keywords)
        return canvas

    def furniture(canvas: Canvas, doc: Any) -> None:
        if on_page is not None:
            on_page(canvas, doc)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        subject=subject,
        lang="zh-CN",
    )
    doc.build(list(flowables), onFirstPage=furniture, onLaterPages=furniture, canvasmaker=make_canvas)
    return _rendered(buffer.getvalue())


def _canvas_options() -> dict[str, Any]:
    # the initial font is ours too: reportlab's default Helvetica would be an unembedded font in the file
    return {
        "lang": "zh-CN",
        "pageCompression": 1,
        "pdfVersion": (1, 7),  # PDF/A-2 builds on ISO 32000-1
        "initialFontName": font(),
        "initialFontSize": 12,
    }


def _rendered(body: bytes) -> RenderedPdf:
    return RenderedPdf(body=body, sha256=hashlib.sha256(body).hexdigest())


def _describe(canvas: Canvas, *, title: str, subject: str, author: str, keywords: str) -> None:
    """Document information, XMP metadata and the output intent PDF/A asks for."""
    from reportlab.pdfbase import pdfdoc

    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator(AUTHOR)
    canvas.setProducer(PRODUCER)
    canvas.setKeywords(keywords)
    doc = canvas._doc
    catalog = doc.Catalog
    catalog.Metadata = pdfdoc.XMP(
        creator=lambda d: _xmp(d, title=title, subject=subject, author=author, keywords=keywords)
    )
    profile = pdfdoc.PDFStream(content=_srgb_profile(), dictionary=pdfdoc.PDFDictionary({"N": 3}))
    intent = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("OutputIntent"),
            "S": pdfdoc.PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": pdfdoc.PDFString("sRGB IEC61966-2.1"),
            "Info": pdfdoc.PDFString("sRGB IEC61966-2.1"),
            "DestOutputProfile": doc.Reference(profile),
        }
    )
    # the catalog writes only the keys it knows; OutputIntents is added for this one document
    catalog.__NoDefault__ = [*catalog.__NoDefault__, "OutputIntents"]
    catalog.OutputIntents = pdfdoc.PDFArray([intent])


def _xmp(doc: Any, *, title: str, subject: str, author: str, keywords: str) -> bytes:
    """XMP whose dates equal the information dictionary's (PDF/A requires they agree)."""
    year, month, day, hour, minute, second = doc._timeStamp.YMDhms
    offset = dt.timedelta(hours=doc._timeStamp.dhh, minutes=doc._timeStamp.dmm)
    stamp = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.timezone(offset)).isoformat()
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:CreatorTool>{escape(AUTHOR)}</xmp:CreatorTool>
   <pdf:Producer>{PRODUCER}</pdf:Producer>
   <pdf:Keywords>{escape(keywords)}</pdf:Keywords>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


@cache
def _srgb_profile() -> bytes:
    """The sRGB ICC profile of the output intent, made by Pillow's bundled LittleCMS."""
    from PIL import ImageCms

    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
