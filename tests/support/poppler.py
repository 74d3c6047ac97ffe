"""poppler-utils (pdftoppm, pdftotext, pdffonts) for the PDF rendering tests.

Installed from Debian's packages when absent, like Chromium for the browser
tests (tests/support/browser.py); a rendering test must never pass by not
running. Only poppler is installed, no font: the tests render on a machine
without CJK fonts, which is the point (D-225).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

TOOLS = ("pdftoppm", "pdftotext", "pdffonts", "pdfinfo")


def ensure_poppler() -> None:
    if all(shutil.which(tool) for tool in TOOLS):
        return
    install = (
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
        "apt-get install -y -qq --no-install-recommends poppler-utils"
    )
    result = subprocess.run(["bash", "-c", install], capture_output=True, text=True, timeout=600, check=False)
    if not all(shutil.which(tool) for tool in TOOLS):
        raise RuntimeError(f"poppler-utils is required and could not be installed:\n{result.stderr[-2000:]}")


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True, timeout=60).stdout


def fonts(path: Path) -> list[dict[str, str]]:
    """`pdffonts` rows: name, type and whether the font is embedded."""
    lines = run("pdffonts", path).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type [type...] encoding emb sub uni object generation: read from the right
        rows.append({"name": parts[0], "emb": parts[-5], "uni": parts[-3]})
    return rows


def text(path: Path) -> str:
    return run("pdftotext", "-layout", path, "-")


def grey_pixels(path: Path, *, dpi: int = 50) -> tuple[int, int, bytes]:
    """The first page rasterised to 8-bit grey (width, height, row-major pixels)."""
    out = path.with_suffix("")
    run("pdftoppm", "-gray", "-r", str(dpi), "-f", "1", "-singlefile", path, out)
    data = out.with_suffix(".pgm").read_bytes()
    # binary PGM as pdftoppm writes it: "P5\n<w> <h>\n255\n" then the pixels
    magic, size, _maximum, pixels = data.split(b"\n", 3)
    assert magic == b"P5", magic
    width, height = (int(v) for v in size.split())
    return width, height, pixels
