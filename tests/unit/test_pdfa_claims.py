"""What the platform's PDFs claim of PDF/A-2b, checked by reading the files back with pyHanko's
parser (D-226, D-284). No PDF/A validator (veraPDF) runs here, so this is not conformance: it
checks the requirements we write on purpose — the XMP identification (part 2, conformance B) with
dates equal to the information dictionary's, the sRGB output intent with a real ICC profile,
every font embedded with a ToUnicode map, PDF 1.7, no encryption and no transparency — for a
certificate, a decision document and a monthly report with its charts."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pyhanko.pdf_utils.generic import DictionaryObject, IndirectObject
from pyhanko.pdf_utils.reader import PdfFileReader

from shared.cases.documents import render_pdf
from shared.licences.certificate import render_certificate
from shared.reports import formats
from shared.reports.models import AreaRow, Headline, RankRow, Report, TrendPoint


def _report() -> bytes:
    area = {"received": 9, "decided": 3, "completed": 3, "on_time_rate_promised": 1.0, "on_time_rate_legal": 0.5}
    area |= {"no_visit_share": 0.5556, "visit_once_share": 0.3333, "average_decide_working_days": 4.33}
    report = Report(
        region_code="320100",
        region_name="南京市",
        level="city",
        month="2026-11",
        generated_at=dt.datetime(2026, 12, 5, tzinfo=dt.UTC),
        ranking_closed=True,
        headline=[
            Headline(
                key="received",
                label="收件量",
                value=9,
                previous_month=None,
                last_year=None,
                change_month=None,
                change_year=None,
            ),
        ],
        trend=[
            TrendPoint(month=f"2026-{m:02d}", received=m, completed=m - 1, on_time_rate_legal=0.9) for m in (10, 11)
        ],
        sub_regions=[AreaRow(code="320102", name="玄武区", **area)],
        departments=[AreaRow(code="320100-civil", name="320100-civil", **area)],
        ranking=[RankRow(rank=1, department_id="320100-civil", score=88.5)],
    )
    return formats.pdf(report)


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    return {
        "certificate": render_certificate("食品经营许可证", ["证照编号：1"], "JSZWL1:" + "A" * 40, "签发").body,
        "decision": render_pdf("准予行政许可决定书", ["理由：材料真实，符合条件"]).body,
        "report": _report(),
    }


def _resolved(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _resources(reader: PdfFileReader) -> Iterator[DictionaryObject]:
    """Every page's resources and those of the forms they draw (charts may be forms)."""
    pending = [_resolved(reader.root["/Pages"])]
    while pending:
        node = pending.pop()
        if node.get("/Type") == "/Pages":
            pending += [_resolved(kid) for kid in node["/Kids"]]
            continue
        resources = [_resolved(node.get("/Resources", DictionaryObject()))]
        while resources:
            found = resources.pop()
            yield found
            for xobject in _resolved(found.get("/XObject", DictionaryObject())).values():
                inner = _resolved(xobject)
                if inner.get("/Subtype") == "/Form" and "/Resources" in inner:
                    resources.append(_resolved(inner["/Resources"]))


@pytest.mark.parametrize("name", ["certificate", "decision", "report"])
def test_the_xmp_says_pdf_a_2b_with_the_information_dictionary_s_dates(documents: dict[str, bytes], name: str) -> None:
    body = documents[name]
    assert body.startswith(b"%PDF-1.7")
    reader = PdfFileReader(io.BytesIO(body))
    xmp = _resolved(reader.root["/Metadata"]).data.decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    stamp = re.search(r"<xmp:CreateDate>([^<]+)</xmp:CreateDate>", xmp)
    assert stamp is not None
    meta = reader.document_meta_view
    assert meta.created == meta.last_modified == dt.datetime.fromisoformat(stamp.group(1))
    assert "/Encrypt" not in reader.trailer


@pytest.mark.parametrize("name", ["certificate", "decision", "report"])
def test_the_output_intent_is_an_srgb_icc_profile(documents: dict[str, bytes], name: str) -> None:
    reader = PdfFileReader(io.BytesIO(documents[name]))
    (intent,) = [_resolved(i) for i in _resolved(reader.root["/OutputIntents"])]
    assert intent["/S"] == "/GTS_PDFA1"
    profile = _resolved(intent["/DestOutputProfile"])
    assert profile["/N"] == 3
    header = profile.data[:40]
    assert (header[12:16], header[16:20], header[36:40]) == (b"mntr", b"RGB ", b"acsp")  # a display RGB profile


@pytest.mark.parametrize("name", ["certificate", "decision", "report"])
def test_every_font_is_embedded_with_a_to_unicode_map_and_nothing_is_transparent(
    documents: dict[str, bytes], name: str
) -> None:
    reader = PdfFileReader(io.BytesIO(documents[name]))
    fonts = 0
    for resources in _resources(reader):
        for font in _resolved(resources.get("/Font", DictionaryObject())).values():
            font = _resolved(font)
            fonts += 1
            assert "/ToUnicode" in font, font
            described = [_resolved(d) for d in font.get("/DescendantFonts", [])] or [font]
            for each in described:
                descriptor = _resolved(each["/FontDescriptor"])
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), descriptor
        for state in _resolved(resources.get("/ExtGState", DictionaryObject())).values():
            state = _resolved(state)
            assert "/SMask" not in state or state["/SMask"] == "/None"
            assert float(state.get("/ca", 1)) == float(state.get("/CA", 1)) == 1.0
    assert fonts > 0
    assert b"/Transparency" not in documents[name]
