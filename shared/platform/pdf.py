"""Small, valid one-page PDF files written without a PDF library (decision
documents, licence certificates).

Text uses the PDF standard Chinese font `STSong-Light` with the predefined
`UniGB-UCS2-H` CMap (ISO 32000-1, 9.7.5.2), so nothing is embedded and every
conforming reader renders Chinese with its own Song typeface; strings are
UTF-16BE. Callers compose the page's content operators with `title`,
`text_lines` and `text_at` (and drawings of their own), then `one_page`
writes the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_WIDTH = 595  # A4, points
PAGE_HEIGHT = 842
MARGIN = 56


@dataclass(frozen=True)
class RenderedPdf:
    body: bytes
    sha256: str


def pdf_string(text: str) -> str:
    """A hex string for the UCS-2 CMap; characters outside the BMP become `?` (it has no surrogates)."""
    safe = "".join(ch if ord(ch) < 0x10000 else "?" for ch in text)
    return "<" + safe.encode("utf-16-be").hex().upper() + ">"


def wrap(lines: Sequence[str], width: int, max_lines: int) -> list[str]:
    """Lines cut at `width` characters; beyond `max_lines` the last line says `……`."""
    wrapped: list[str] = []
    for line in lines:
        text = line.replace("\r", "")
        while len(text) > width:
            wrapped.append(text[:width])
            text = text[width:]
        wrapped.append(text)
    if len(wrapped) > max_lines:
        wrapped = [*wrapped[: max_lines - 1], "……"]
    return wrapped


def title(text: str, size: int) -> list[str]:
    """A title centred at the top of the page."""
    left = PAGE_WIDTH // 2 - len(text) * size // 2
    return ["BT", f"/F1 {size} Tf", f"{left} {PAGE_HEIGHT - MARGIN - size} Td", f"{pdf_string(text)} Tj", "ET"]


def text_lines(lines: Sequence[str], *, top: int, size: int = 12, leading: int = 22) -> list[str]:
    """Lines from `top` (points from the page's bottom) down, at the left margin."""
    ops = ["BT", f"/F1 {size} Tf", f"{MARGIN} {top} Td", f"{leading} TL"]
    ops.extend(f"{pdf_string(line)} Tj T*" for line in lines)
    ops.append("ET")
    return ops


def text_at(text: str, *, left: float, bottom: float, size: int) -> list[str]:
    return ["BT", f"/F1 {size} Tf", f"{left} {bottom} Td", f"{pdf_string(text)} Tj", "ET"]


_FONT_OBJECTS = [
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>",
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
    b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
]


def one_page(content: Sequence[str]) -> RenderedPdf:
    """An A4 PDF whose single page draws the content operators, with its SHA-256."""
    stream = "\n".join(content).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        b"<< /Length " + str(len(stream)).encode("ascii") + b" >>\nstream\n" + stream + b"\nendstream",
        *_FONT_OBJECTS,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode("ascii")
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode("ascii")
    body = bytes(out)
    return RenderedPdf(body=body, sha256=hashlib.sha256(body).hexdigest())
