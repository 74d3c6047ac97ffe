"""Decision documents (行政许可决定书) as small, valid PDF files, written here
without a PDF library.

The text uses the PDF standard Chinese font `STSong-Light` with the
predefined `UniGB-UCS2-H` CMap (ISO 32000-1, 9.7.5.2), so nothing is embedded
and every conforming reader renders Chinese with its own Song typeface; the
strings are UTF-16BE. One page, A4, one line per entry, long lines wrapped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

_PAGE_WIDTH = 595
_PAGE_HEIGHT = 842
_MARGIN = 56
_LINE = 22
_CHARS_PER_LINE = 38
_MAX_LINES = 32


@dataclass(frozen=True)
class RenderedDocument:
    body: bytes
    sha256: str


def _hex(text: str) -> str:
    # UCS-2 (the BMP): characters outside it are replaced, the CMap has no surrogates
    safe = "".join(ch if ord(ch) < 0x10000 else "?" for ch in text)
    return "<" + safe.encode("utf-16-be").hex().upper() + ">"


def _wrap(lines: Sequence[str]) -> list[str]:
    wrapped: list[str] = []
    for line in lines:
        text = line.replace("\r", "")
        while len(text) > _CHARS_PER_LINE:
            wrapped.append(text[:_CHARS_PER_LINE])
            text = text[_CHARS_PER_LINE:]
        wrapped.append(text)
    if len(wrapped) > _MAX_LINES:
        wrapped = [*wrapped[: _MAX_LINES - 1], "……"]
    return wrapped


def render_pdf(title: str, lines: Sequence[str]) -> RenderedDocument:
    """A one-page PDF with a centred title and the lines below it."""
    content = ["BT", "/F1 20 Tf", f"{_PAGE_WIDTH // 2 - len(title) * 10} {_PAGE_HEIGHT - _MARGIN - 20} Td"]
    content.append(f"{_hex(title)} Tj")
    content.append("ET")
    content.extend(["BT", "/F1 12 Tf", f"{_MARGIN} {_PAGE_HEIGHT - _MARGIN - 70} Td", f"{_LINE} TL"])
    for line in _wrap(lines):
        content.append(f"{_hex(line)} Tj T*")
    content.append("ET")
    stream = "\n".join(content).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        b"<< /Length " + str(len(stream)).encode("ascii") + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
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
    return RenderedDocument(body=body, sha256=hashlib.sha256(body).hexdigest())
