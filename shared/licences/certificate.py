"""The PDF certificate (电子证照文件): one A4 page with the GB/T 36903 metadata
and a QR code carrying the signed payload, written without a PDF library.

Text uses the PDF standard Chinese font `STSong-Light` with the predefined
`UniGB-UCS2-H` CMap (nothing embedded; every conforming reader renders it),
as the cases context's decision documents do. The QR code (segno, error
correction M) is drawn as vector squares, so it scans at any zoom.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import segno

_PAGE_WIDTH = 595
_PAGE_HEIGHT = 842
_MARGIN = 56
_LINE = 22
_CHARS_PER_LINE = 36
_QR_SIZE = 200  # points


@dataclass(frozen=True)
class RenderedCertificate:
    body: bytes
    sha256: str


def _hex(text: str) -> str:
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
    return wrapped[:22]


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


def render_certificate(title: str, lines: Sequence[str], qr_payload: str, footer: str) -> RenderedCertificate:
    """A one-page PDF: title, metadata lines, the QR code and a footer line."""
    content = ["BT", "/F1 24 Tf", f"{_PAGE_WIDTH // 2 - len(title) * 12} {_PAGE_HEIGHT - _MARGIN - 24} Td"]
    content.extend([f"{_hex(title)} Tj", "ET"])
    content.extend(["BT", "/F1 12 Tf", f"{_MARGIN} {_PAGE_HEIGHT - _MARGIN - 70} Td", f"{_LINE} TL"])
    for line in _wrap(lines):
        content.append(f"{_hex(line)} Tj T*")
    content.append("ET")
    qr_left = _PAGE_WIDTH - _MARGIN - _QR_SIZE
    qr_bottom = _MARGIN + 40
    content.extend(_qr_drawing(qr_payload, qr_left, qr_bottom))
    content.extend(["BT", "/F1 9 Tf", f"{_MARGIN} {_MARGIN} Td", f"{_hex(footer)} Tj", "ET"])
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
    return RenderedCertificate(body=body, sha256=hashlib.sha256(body).hexdigest())
