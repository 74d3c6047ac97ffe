"""Reproduce the vendored CJK font subset (D-225).

    python -m infra.font_subset /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

The source is face 0 of WenQuanYi Micro Hei 0.2.0-beta (Debian package
`fonts-wqy-microhei` 0.2.0-beta-3.1, Apache-2.0 or GPL-3 with font exception;
`apt-get download fonts-wqy-microhei && dpkg-deb -x ...` gets it without
installing it). TrueType outlines, which reportlab embeds (it cannot embed CFF).
The subset keeps GBK (GB 2312's two levels of hanzi and its symbol rows, plus
the 14,240 further hanzi GBK adds: given names such as 喆, 珺, 赟 are outside
GB 2312), printable ASCII, and the punctuation the platform's documents use;
hinting is dropped (the documents are printed and zoomed, not shown at 9 px)
to keep the layer small (about 3 MB).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "shared" / "platform" / "fonts" / "wqy-microhei-gbk.ttf"

# Beyond GB 2312: what dates, numbers and quoting in the documents also use.
EXTRA = "〇·—–‐…‘’“”•€©®™≈≠≤≥±×÷°‰℃№￥•・「」『』〔〕〈〉《》【】〖〗（）［］｛｝！？，。、：；　"


def gbk_characters() -> set[str]:
    """Every character GBK encodes (a superset of GB 2312): lead bytes 0x81-0xFE, trail 0x40-0xFE."""
    chars: set[str] = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                chars.add(bytes([lead, trail]).decode("gbk"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted() -> list[int]:
    chars = gbk_characters() | {chr(c) for c in range(0x20, 0x7F)} | set(EXTRA)
    return sorted(ord(c) for c in chars)


def subset(source: Path, target: Path) -> int:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTCollection, TTFont

    font = TTCollection(str(source)).fonts[0] if source.suffix.lower() == ".ttc" else TTFont(str(source))
    options = ft_subset.Options()
    options.hinting = False
    # reportlab lays out by cmap and advance widths only: no GSUB/GPOS, no glyphs reachable only through them
    options.layout_closure = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM"]
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    subsetter = ft_subset.Subsetter(options=options)
    subsetter.populate(unicodes=wanted())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    return target.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="wqy-microhei.ttc (fonts-wqy-microhei 0.2.0-beta-3.1)")
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    size = subset(args.source, args.target)
    print(f"{args.target}: {size} bytes, {len(wanted())} code points requested")
    return 0


if __name__ == "__main__":
    sys.exit(main())
