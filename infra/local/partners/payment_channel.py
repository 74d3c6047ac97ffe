"""The payment channel `jspay` (江苏省统一公共支付平台), played locally.

What a newcomer sees: `POST /v1/payment-orders/{id}/pay` returns a cashier
link `http://127.0.0.1:3100/pay?...` (under `make run`; a test cloud's simulator
runs on a free port and the link names that one); opening it shows the amount and a pay
button, and `curl -X POST "$PAY_URL"` pays at once. Paying does what the real
channel does:

- signs a result notification (HMAC-SHA256 over `timestamp + "." + body` with
  the channel's secret, read from the template's Secrets Manager secret) and
  POSTs it to the platform's public callback route, and/or sends it on the
  channel's partner queue (PaymentChannelInboundQueue);
- adds the transaction to the day's statement CSV in the reconciliation
  bucket (`statements/jspay/<YYYY-MM-DD>.csv`, Asia/Shanghai day).

For tests the same object builds misbehaving traffic: duplicates, reordered
batches, late results (after expiry), forged or stale signatures, wrong
amounts, lost callbacks (in the statement only). It talks to the platform
only as a partner would: the gateway, the partner queue and the bucket — it
never imports the platform's code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

log = logging.getLogger("infra.local.partners.payment_channel")

CHANNEL = "jspay"
PORT = 3100
SECRET_ID = "PaymentChannelSecretJspay"  # noqa: S105 (a logical id, not a secret)
QUEUE_ID = "PaymentChannelInboundQueue"
BUCKET_ID = "PaymentReconciliationBucket"
SHANGHAI = ZoneInfo("Asia/Shanghai")
STATEMENT_COLUMNS = (
    "transaction_id",
    "out_trade_no",
    "notice_no",
    "trade_state",
    "total_fee",
    "fee_type",
    "success_time",
)


@dataclass
class Delivery:
    """One notification and what the platform answered (HTTP) or the queue message id."""

    notification: dict[str, Any]
    http: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)


class PaymentChannelSimulator:
    name = "payment_channel"
    requires = (SECRET_ID, QUEUE_ID, BUCKET_ID)

    def __init__(self, port: int = PORT) -> None:
        self.port = port
        self.cloud: LocalCloud | None = None
        self.secret = b""
        self.callback_url = ""
        self.queue_url = ""
        self.bucket = ""
        self.cashier_url = ""
        self._server: ThreadingHTTPServer | None = None
        self._statements: dict[dt.date, dict[str, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    # --- lifecycle -----------------------------------------------------------------------

    def bind(self, cloud: LocalCloud) -> dict[str, str]:
        """Serve the cashier before the functions start; their PAYMENT_CHANNEL_PAY_URL names it,
        so the links the platform signs open this page whichever port it got."""
        self.cloud = cloud
        secret = cloud.client("secretsmanager").get_secret_value(SecretId=cloud.ref(SECRET_ID))
        self.secret = str(secret["SecretString"]).encode()
        handler = _handler_for(self)
        # the template's port under `make run` (fixed ports); test clouds on free ports take a free one
        wanted = self.port if cloud.api_port else 0
        try:
            self._server = ThreadingHTTPServer((cloud.host, wanted), handler)
        except OSError:
            self._server = ThreadingHTTPServer((cloud.host, 0), handler)
            log.warning("port %s is taken; the cashier page runs on %s", wanted, self._server.server_address[1])
        self._server.daemon_threads = True
        self.cashier_url = f"http://{cloud.host}:{self._server.server_address[1]}/pay"
        threading.Thread(target=self._server.serve_forever, name="payment-channel", daemon=True).start()
        return {"PAYMENT_CHANNEL_PAY_URL": self.cashier_url}

    def start(self, cloud: LocalCloud) -> None:
        """Where results go, once the gateway has its address (nobody holds a cashier link before
        the gateway opens, after this)."""
        self.callback_url = f"{cloud.api_url}/v1/payment-callbacks/{CHANNEL}"
        self.queue_url = cloud.queue_url(QUEUE_ID)
        self.bucket = str(cloud.ref(BUCKET_ID))
        log.info("payment channel %s: cashier at %s, callbacks to %s", CHANNEL, self.cashier_url, self.callback_url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- the cashier ---------------------------------------------------------------------

    def session_of(self, pay_url: str) -> dict[str, str]:
        """The order a cashier link is for, after checking the platform's signature on it."""
        params = dict(parse_qsl(urlsplit(pay_url).query))
        unsigned = urlencode(sorted((k, v) for k, v in params.items() if k != "sign"))
        expected = hmac.new(self.secret, unsigned.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, params.get("sign", "")):
            raise ValueError("the cashier link is not signed by the platform")
        return params

    def notification(
        self,
        session: dict[str, str],
        *,
        outcome: str = "success",
        txn_id: str | None = None,
        amount_fen: int | None = None,
        currency: str | None = None,
        payer: str | None = None,
        at: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """A result notification in the channel's form for a cashier session."""
        moment = (at or dt.datetime.now(dt.UTC)).astimezone(SHANGHAI)
        raw: dict[str, Any] = {
            "transaction_id": txn_id or f"JSP{moment:%Y%m%d}{secrets.token_hex(6).upper()}",
            "out_trade_no": session["order_id"],
            "notice_no": session.get("notice_no"),
            "trade_state": "SUCCESS" if outcome == "success" else "PAYERROR",
            "total_fee": int(session["amount"]) if amount_fen is None else amount_fen,
            "fee_type": currency or session.get("currency", "CNY"),
            "payer_id": session.get("payer") if payer is None else payer,
            "success_time": moment.isoformat(timespec="seconds"),
        }
        if outcome != "success":
            raw["err_msg"] = "余额不足"
        return raw

    def pay(
        self,
        pay_url: str,
        *,
        outcome: str = "success",
        via: str = "http",
        copies: int = 1,
        deliver: bool = True,
        **overrides: Any,
    ) -> Delivery:
        """Pay (or fail to pay) the order behind a cashier link, as the payer would; the result
        goes out by `via` ("http", "queue" or "both"), `copies` times each, and a success
        enters the day's statement. `deliver=False` loses the callback (statement only)."""
        session = self.session_of(pay_url)
        raw = self.notification(session, outcome=outcome, **overrides)
        delivery = Delivery(raw)
        if raw["trade_state"] == "SUCCESS":
            self.add_to_statement(raw)
        if deliver:
            for _ in range(copies):
                if via in {"http", "both"}:
                    delivery.http.append(self.send_http(raw))
                if via in {"queue", "both"}:
                    delivery.queued.append(self.send_queue(raw))
        return delivery

    # --- sending -------------------------------------------------------------------------

    def signed_headers(
        self, body: bytes, *, timestamp: int | None = None, secret: bytes | None = None
    ) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(secret or self.secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return {"X-Jszw-Timestamp": stamp, "X-Jszw-Signature": f"sha256={digest}"}

    def send_http(
        self,
        raw: dict[str, Any],
        *,
        timestamp: int | None = None,
        forge: bool = False,
        unsigned: bool = False,
        body: bytes | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """POST a notification to the platform's callback route; `forge` signs with a wrong
        key, `unsigned` sends no signature, `timestamp` fakes the signing time (replays)."""
        data = body if body is not None else json.dumps(raw, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if not unsigned:
            key = secrets.token_bytes(32) if forge else None
            headers |= self.signed_headers(data, timestamp=timestamp, secret=key)
        request = urllib.request.Request(self.callback_url, data=data, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (the local gateway)
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"{}")

    def send_queue(self, raw: dict[str, Any] | None = None, *, body: str | None = None) -> str:
        """Send a notification (or any `body`, e.g. a poison message) on the partner queue."""
        assert self.cloud is not None, "start() first"
        text = body if body is not None else json.dumps({"channel": CHANNEL, "notification": raw}, ensure_ascii=False)
        sent = self.cloud.client("sqs").send_message(QueueUrl=self.queue_url, MessageBody=text)
        return str(sent["MessageId"])

    # --- statements ----------------------------------------------------------------------

    def add_to_statement(self, raw: dict[str, Any]) -> None:
        day = dt.datetime.fromisoformat(raw["success_time"]).astimezone(SHANGHAI).date()
        with self._lock:
            lines = self._statements.setdefault(day, {})
            lines[raw["transaction_id"]] = raw
            self._write_statement(day, list(lines.values()))

    def _write_statement(self, day: dt.date, lines: list[dict[str, Any]]) -> None:
        assert self.cloud is not None, "start() first"
        rows = [",".join(STATEMENT_COLUMNS)]
        for raw in lines:
            rows.append(",".join(str(raw.get(column) or "") for column in STATEMENT_COLUMNS))
        self.cloud.client("s3").put_object(
            Bucket=self.bucket,
            Key=f"statements/{CHANNEL}/{day.isoformat()}.csv",
            Body=("\n".join(rows) + "\n").encode(),
            ContentType="text/csv; charset=utf-8",
        )


def _handler_for(channel: PaymentChannelSimulator) -> type[BaseHTTPRequestHandler]:
    class CashierHandler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _session(self) -> dict[str, str] | None:
            try:
                return channel.session_of(self.path)
            except ValueError:
                self._reply(400, "收银台链接无效（签名不符）\n".encode(), "text/plain; charset=utf-8")
                return None

        def do_GET(self) -> None:
            session = self._session()
            if session is None:
                return
            amount = int(session["amount"])
            page = f"""<!doctype html><html lang="zh"><meta charset="utf-8">
<title>江苏省统一公共支付平台（模拟）</title>
<body style="font-family:sans-serif;max-width:30em;margin:3em auto">
<h1>统一公共支付（本地模拟）</h1>
<p>缴款码 <b>{html.escape(session.get("notice_no", ""))}</b></p>
<p>金额 <b>{amount // 100}.{amount % 100:02d} 元</b></p>
<form method="post" action="{html.escape(self.path)}"><button>确认支付</button></form>
<form method="post" action="{html.escape(self.path)}&outcome=failed"><button>模拟支付失败</button></form>
</body></html>"""
            self._reply(200, page.encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:
            params = dict(parse_qsl(urlsplit(self.path).query))
            outcome = "failed" if params.pop("outcome", "") == "failed" else "success"
            pay_url = "/pay?" + urlencode(params)
            try:
                channel.session_of(pay_url)
            except ValueError:
                self._reply(400, "收银台链接无效（签名不符）\n".encode(), "text/plain; charset=utf-8")
                return
            delivered = channel.pay(pay_url, outcome=outcome, via="http")
            status, answer = delivered.http[-1]
            body = {
                "transaction_id": delivered.notification["transaction_id"],
                "trade_state": delivered.notification["trade_state"],
                "callback_status": status,
                "callback_result": answer.get("result") or answer.get("code"),
            }
            self._reply(200, (json.dumps(body, ensure_ascii=False) + "\n").encode(), "application/json; charset=utf-8")

    return CashierHandler
