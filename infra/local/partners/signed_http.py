"""What the province's partner systems check on every request, played locally.

The SMS gateway and the real-name registry simulators share this: an HTTP
server (threads, 127.0.0.1) that refuses a request unless it carries
`X-Jszw-App-Id`, a `X-Jszw-Timestamp` within ±300 s, a `X-Jszw-Nonce` not
seen before and `X-Jszw-Signature: hmac-sha256=<hex>` over
`METHOD\\npath\\napp id\\ntimestamp\\nnonce\\nsha256(body) hex` with the shared
secret — written from the partner's side (it does not import the platform's
client), so the contract tests check two independent implementations.

Tests steer faults: `fail_status` answers every request with that status,
`delay_s` answers late (the adapter's timeout fires), `requests` records
what arrived (method, path, headers, JSON body).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger("infra.local.partners.signed_http")

CLOCK_SKEW_S = 300
MAX_BODY = 64 * 1024


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class Reply:
    status: int
    body: dict[str, Any]


@dataclass
class SignedJsonServer:
    """Base of a partner simulator: subclasses implement `answer(method, path, body)`."""

    name: str
    secret: bytes = b""
    fail_status: int | None = None
    delay_s: float = 0.0
    requests: list[Received] = field(default_factory=list)
    _nonces: set[str] = field(default_factory=set)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, body: dict[str, Any] | None) -> Reply:
        raise NotImplementedError

    # --- lifecycle -----------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving (port 0: a free one, or the wanted one if taken); the base URL."""
        handler = _handler_for(self)
        try:
            self._server = ThreadingHTTPServer((host, port), handler)
        except OSError:
            self._server = ThreadingHTTPServer((host, 0), handler)
            log.warning("%s: port %s is taken; using %s", self.name, port, self._server.server_address[1])
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True).start()
        return f"http://{host}:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- the partner's checks ------------------------------------------------------------

    def refusal(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Reply | None:
        stamp = headers.get("x-jszw-timestamp", "")
        nonce = headers.get("x-jszw-nonce", "")
        app_id = headers.get("x-jszw-app-id", "")
        given = headers.get("x-jszw-signature", "")
        if not (stamp.isdigit() and nonce and app_id and given.startswith("hmac-sha256=")):
            return Reply(401, {"code": "unsigned", "message": "missing signature headers"})
        if abs(int(time.time()) - int(stamp)) > CLOCK_SKEW_S:
            return Reply(401, {"code": "stale", "message": "timestamp outside ±300 s"})
        canonical = "\n".join([method, path, app_id, stamp, nonce, hashlib.sha256(raw).hexdigest()]).encode()
        expected = "hmac-sha256=" + hmac.new(self.secret, canonical, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given):
            return Reply(401, {"code": "bad_signature", "message": "signature does not match"})
        with self._lock:
            if nonce in self._nonces:
                return Reply(401, {"code": "replayed", "message": "nonce already used"})
            self._nonces.add(nonce)
        return None

    def handle(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        body: dict[str, Any] | None = None
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                return Reply(400, {"code": "bad_json", "message": "body is not JSON"})
            body = parsed if isinstance(parsed, dict) else None
        self.requests.append(Received(method, path, headers, body))
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail_status is not None:
            return Reply(self.fail_status, {"code": "fault", "message": "simulated fault"})
        refused = self.refusal(method, path, headers, raw)
        return refused or self.answer(method, path, body)


def _handler_for(server: SignedJsonServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                reply = server.handle(method, self.path, headers, raw)
            except Exception:  # a simulator bug must look like a partner fault, not hang the caller
                log.exception("%s failed", server.name)
                reply = Reply(500, {"code": "internal", "message": "simulator error"})
            data = json.dumps(reply.body, ensure_ascii=False).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the caller gave up (its timeout): nothing to answer

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s: " + format, server.name, *args)

    return Handler
