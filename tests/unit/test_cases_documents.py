"""Decision documents: a structurally valid PDF (header, objects at the offsets
the cross-reference table gives, trailer), Chinese text as UTF-16BE."""

from __future__ import annotations

import hashlib
import re

from shared.cases.documents import render_pdf


def test_the_cross_reference_table_points_at_every_object() -> None:
    rendered = render_pdf("准予行政许可决定书", ["文书编号：3201020260921000001D", "理由：" + "符合条件" * 30])
    body = rendered.body
    assert body.startswith(b"%PDF-1.7\n")
    assert body.endswith(b"%%EOF\n")
    assert hashlib.sha256(body).hexdigest() == rendered.sha256
    startxref = int(re.search(rb"startxref\n(\d+)\n", body).group(1))  # type: ignore[union-attr]
    assert body[startxref:].startswith(b"xref\n0 8\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", body[startxref:])]
    assert len(offsets) == 7
    for number, offset in enumerate(offsets, start=1):
        assert body[offset:].startswith(f"{number} 0 obj\n".encode())
    length = int(re.search(rb"/Length (\d+) >>\nstream\n", body).group(1))  # type: ignore[union-attr]
    start = body.index(b"stream\n") + len(b"stream\n")
    assert body[start + length :].startswith(b"\nendstream")
    assert "准予".encode("utf-16-be").hex().upper().encode() in body


def test_long_text_is_wrapped_and_cut_to_one_page() -> None:
    rendered = render_pdf("不予行政许可决定书", ["很长的理由" * 200])
    assert rendered.body.count(b" Tj T*") <= 32
