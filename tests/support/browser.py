"""Debian's Chromium, headless, driven over the DevTools protocol on a pipe (D-153).

`--remote-debugging-pipe` speaks CDP on file descriptors 3 (to the browser)
and 4 (from it), NUL-separated JSON: no WebSocket, no driver binary and no new
Python package. `ensure_chromium()` installs Debian's `chromium` when absent
and fails loudly when it cannot: a browser test must never pass by not running.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "axe" / "axe.min.js"
# The platform's vendored CJK subset (D-226): screenshots show Chinese without a system CJK font.
FONTS = Path(__file__).resolve().parents[2] / "shared" / "platform" / "fonts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
    "--lang=zh-CN",
]


def ensure_chromium() -> str:
    """The Chromium binary; installed from Debian's packages when missing (we run as root in CI)."""
    found = shutil.which("chromium")
    if found:
        return found
    install = "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium"
    result = subprocess.run(["bash", "-c", install], capture_output=True, text=True, timeout=600, check=False)
    found = shutil.which("chromium")
    if not found:
        raise RuntimeError(
            f"Chromium is required for the browser tests and could not be installed:\n{result.stderr[-2000:]}"
        )
    return found


def _fontconfig(folder: str) -> dict[str, str]:
    """The browser's environment: fontconfig told (for this process only) to add the vendored font."""
    conf = Path(folder) / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{FONTS}</dir>\n  <cachedir>{Path(folder) / 'fontcache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _move_fds(to_browser: int, from_browser: int) -> None:
    os.dup2(to_browser, 3)
    os.dup2(from_browser, 4)


class BrowserError(AssertionError):
    pass


class Browser:
    """One headless Chromium; `page()` opens a tab."""

    def __init__(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="jszw-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The browser reads commands on fd 3 and writes answers on fd 4.
        self._process = subprocess.Popen(
            [ensure_chromium(), *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_fontconfig(self._profile),
            pass_fds=(3, 4),  # after the dup2 below (preexec runs before the close)
            preexec_fn=lambda: _move_fds(to_browser_r, from_browser_w),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 30
    ) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise BrowserError(f"{method}: no answer in {timeout} s")

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session)

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.send("Page.enable")
        self.send("Runtime.enable")
        # axe is injected through the protocol; the portal's CSP (script-src 'self') would otherwise refuse it.
        self.send("Page.setBypassCSP", {"enabled": True})
        self.viewport(1280, 900)

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> Any:
        return self.browser.send(method, params, self.session, timeout)

    def viewport(self, width: int, height: int) -> None:
        mobile = width < 600
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete'")

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            raise BrowserError(
                f"{expression[:80]}: {result['exceptionDetails'].get('exception', {}).get('description')}"
            )
        return result["result"].get("value")

    def wait_for(self, condition: str, timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            # an element comes back as {} (falsy here): objects count as found
            value = self.evaluate(
                f"(() => {{ try {{ const v = {condition}; return v && typeof v === 'object' ? true : v; }}"
                " catch (e) { return false; } })()"
            )
            if value:
                return value
            if time.monotonic() > deadline:
                text = self.evaluate("document.getElementById('main')?.innerText ?? document.body?.innerText ?? ''")
                raise BrowserError(f"timed out waiting for {condition!r}; the page says:\n{text[:1500]}")
            time.sleep(0.1)

    def text(self, selector: str = "body") -> str:
        return str(self.evaluate(f"document.querySelector({json.dumps(selector)})?.innerText ?? ''"))

    def fill(self, selector: str, value: str) -> None:
        self.wait_for(f"document.querySelector({json.dumps(selector)})")
        self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.focus();"
            f" e.value = {json.dumps(value)}; e.dispatchEvent(new Event('input', {{bubbles: true}}));"
            " e.dispatchEvent(new Event('change', {bubbles: true})); })()"
        )

    def click(self, selector: str) -> None:
        self.wait_for(f"document.querySelector({json.dumps(selector)})")
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def set_file(self, selector: str, path: Path) -> None:
        self.wait_for(f"document.querySelector({json.dumps(selector)})")
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        self.send("DOM.setFileInputFiles", {"nodeId": node, "files": [str(path)]})

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def axe_violations(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now."""
        if not self.evaluate("typeof window.axe === 'object'"):
            self.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        found = self.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact))"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))",
            timeout=60,
        )
        return list(found or [])
