"""The courier partner `jszw-courier` (政务专递), played locally.

It does what the real courier does with the platform's bookings, in the
partner's own schema (shared/delivery/partner.py documents it):

- reads `ORDER_CREATE` bookings from the partner-outbound queue
  (`CourierOutboundQueue`), once per order number (a booking sent twice is
  one parcel);
- answers `ORDER_RESULT` with a waybill number (`mail_no`) on the
  partner-inbound queue (`CourierInboundQueue`), then sends the parcel's
  `ROUTE` status events: picked up (10), left and reached sorting centres
  (20/21), out for delivery (30), delivered with the signer and a proof-of-
  delivery link (40) — or, for an address containing 拒收 or 退回, two failed
  attempts (41) and returned (50). A booking whose address says 窗口交寄 (the
  department hands the parcel over at its counter) is answered with a waybill
  and then waits: the courier has not collected it yet (the seeded demo
  shipment of the counter-handover sample).

Like real partner traffic, the events come with jitter, some twice, and some
out of order; each event's `op_time` is when it happened (Beijing time, no
offset), not when it was sent. With the defaults a result is delivered about
20 s after booking. Knobs (environment, read at start):

    COURIER_SIM_STEP_S      seconds between a parcel's events      (default 3)
    COURIER_SIM_JITTER_S    extra random delay per send            (default 1.5)
    COURIER_SIM_DUPLICATES  share of events sent twice             (default 0.2)
    COURIER_SIM_REORDER     share of neighbours sent swapped       (default 0.3)
    COURIER_SIM_SEED        random seed (repeatable runs)

`send(body)` puts any message (say an unknown status code) on the inbound
queue, for tests and demos of the DLQ; from a shell, against `make run`:

    python -m infra.local.partners.courier send '{"msg_type": "ROUTE", ...}'

It talks to the platform only as a partner would — through the two queues —
and never imports its code.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infra.local.partners.queue_reader import read_queue

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

log = logging.getLogger("infra.local.partners.courier")

OUTBOUND_ID = "CourierOutboundQueue"
INBOUND_ID = "CourierInboundQueue"
BEIJING = dt.timezone(dt.timedelta(hours=8))

DELIVERED = [
    ("10", "已收寄", "{district}政务服务中心揽投部"),
    ("20", "离开处理中心，发往{city}", "{city}邮区中心局"),
    ("21", "到达处理中心", "{district}处理中心"),
    ("30", "安排投递，投递员：王师傅", "{district}营业部"),
    ("40", "已妥投，本人签收", "{district}营业部"),
]
RETURNED = [
    ("10", "已收寄", "{district}政务服务中心揽投部"),
    ("20", "离开处理中心，发往{city}", "{city}邮区中心局"),
    ("30", "安排投递，投递员：王师傅", "{district}营业部"),
    ("41", "未妥投：收件人拒收", "{district}营业部"),
    ("30", "再次安排投递", "{district}营业部"),
    ("41", "未妥投：收件人拒收", "{district}营业部"),
    ("50", "已退回寄件人", "{district}政务服务中心揽投部"),
]
CITY_NAMES = {"3201": "南京市", "3202": "无锡市", "3205": "苏州市", "3206": "南通市"}


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def beijing(moment: dt.datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(order=True)
class _Scheduled:
    due: float
    sequence: int
    body: str = field(compare=False)


@dataclass
class Parcel:
    order_no: str
    mail_no: str
    receiver_area: str
    route: list[tuple[str, str, str]]
    sent: list[dict[str, Any]] = field(default_factory=list)


class CourierSimulator:
    name = "courier"
    requires = (OUTBOUND_ID, INBOUND_ID)

    def __init__(
        self,
        *,
        step_s: float | None = None,
        jitter_s: float | None = None,
        duplicates: float | None = None,
        reorder: float | None = None,
        seed: int | None = None,
    ) -> None:
        self.step_s = step_s if step_s is not None else _env_float("COURIER_SIM_STEP_S", 3.0)
        self.jitter_s = jitter_s if jitter_s is not None else _env_float("COURIER_SIM_JITTER_S", 1.5)
        self.duplicates = duplicates if duplicates is not None else _env_float("COURIER_SIM_DUPLICATES", 0.2)
        self.reorder = reorder if reorder is not None else _env_float("COURIER_SIM_REORDER", 0.3)
        env_seed = os.environ.get("COURIER_SIM_SEED")
        self.random = random.Random(seed if seed is not None else (int(env_seed) if env_seed else None))
        self.parcels: dict[str, Parcel] = {}
        self.sqs: Any = None
        self.outbound_url = ""
        self.inbound_url = ""
        self._queue: list[_Scheduled] = []
        self._sequence = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, cloud: LocalCloud) -> None:
        self.sqs = cloud.client("sqs")
        self.outbound_url = cloud.queue_url(OUTBOUND_ID)
        self.inbound_url = cloud.queue_url(INBOUND_ID)
        self._stop.clear()
        for target, name in ((self._read_bookings, "courier-bookings"), (self._send_due, "courier-sender")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("courier simulator: reading %s, answering on %s", OUTBOUND_ID, INBOUND_ID)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(3)
        self._threads.clear()

    # --- partner side ----------------------------------------------------------------------

    def _read_bookings(self) -> None:
        read_queue(self.sqs, self.outbound_url, self._stop, self.take, log=log, what="courier simulator (booking)")

    def take(self, booking: dict[str, Any]) -> Parcel | None:
        """Accept one booking (once per order number) and schedule its whole journey."""
        if booking.get("msg_type") != "ORDER_CREATE":
            return None
        order_no = str(booking["order_no"])
        with self._lock:
            if order_no in self.parcels:
                return None  # a booking sent twice is one parcel
            receiver = booking.get("receiver") or {}
            refused = any(word in str(receiver.get("address", "")) for word in ("拒收", "退回"))
            at_counter = "窗口交寄" in str(receiver.get("address", ""))
            parcel = Parcel(
                order_no=order_no,
                mail_no="11" + "".join(self.random.choice("0123456789") for _ in range(11)),
                receiver_area=str(receiver.get("area_code", "")),
                route=[] if at_counter else RETURNED if refused else DELIVERED,
            )
            self.parcels[order_no] = parcel
        self._plan(parcel)
        log.info("courier simulator: order %s accepted as waybill %s", order_no, parcel.mail_no)
        return parcel

    def _plan(self, parcel: Parcel) -> None:
        start = time.time() + 0.5
        city = CITY_NAMES.get(parcel.receiver_area[:4], "江苏省")
        district = {"320115": "江宁区", "320102": "玄武区"}.get(parcel.receiver_area, city)
        messages: list[tuple[float, dict[str, Any]]] = [
            (
                start,
                {
                    "msg_type": "ORDER_RESULT",
                    "order_no": parcel.order_no,
                    "result": "ACCEPTED",
                    "mail_no": parcel.mail_no,
                    "op_time": beijing(dt.datetime.fromtimestamp(start, dt.UTC)),
                },
            )
        ]
        for index, (code, name, site) in enumerate(parcel.route, start=1):
            happened = start + index * self.step_s
            event: dict[str, Any] = {
                "msg_type": "ROUTE",
                "mail_no": parcel.mail_no,
                "order_no": parcel.order_no,
                "op_code": code,
                "op_name": name.format(city=city, district=district),
                # the courier reports whole seconds: a fast simulation still spaces its events by at
                # least one, or two attempts in the same second would be one fact
                "op_time": beijing(dt.datetime.fromtimestamp(start + index * max(self.step_s, 1.0), dt.UTC)),
                "city": city,
                "site": site.format(city=city, district=district),
            }
            if code == "40":
                event |= {"signer": "本人", "pod_url": f"https://pod.courier.example/{parcel.mail_no}.jpg"}
            messages.append((happened + self.random.uniform(0, self.jitter_s), event))
        # reorder: swap neighbouring route events' send times now and then
        for index in range(1, len(messages) - 1):
            if self.random.random() < self.reorder:
                (t1, m1), (t2, m2) = messages[index], messages[index + 1]
                messages[index], messages[index + 1] = (t1, m2), (t2, m1)
        for due, body in messages:
            self._schedule(due, body)
            parcel.sent.append(body)
            if self.random.random() < self.duplicates:
                self._schedule(due + self.random.uniform(0.2, 2.0), body)  # sent twice

    def _schedule(self, due: float, body: dict[str, Any]) -> None:
        with self._lock:
            heapq.heappush(self._queue, _Scheduled(due, next(self._sequence), json.dumps(body, ensure_ascii=False)))
        self._wake.set()

    def _send_due(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                ready = []
                while self._queue and self._queue[0].due <= time.time():
                    ready.append(heapq.heappop(self._queue))
                wait = self._queue[0].due - time.time() if self._queue else 1.0
            for item in ready:
                self.send(item.body)
            self._wake.wait(max(0.05, min(wait, 1.0)))
            self._wake.clear()

    def send(self, body: str | dict[str, Any]) -> str:
        """Put one message on the partner-inbound queue (anything: tests send poison too)."""
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        try:
            return str(self.sqs.send_message(QueueUrl=self.inbound_url, MessageBody=text)["MessageId"])
        except Exception:
            if not self._stop.is_set():
                log.exception("courier simulator: could not send a status event")
            return ""

    def pending(self) -> int:
        """Messages scheduled but not sent yet."""
        with self._lock:
            return len(self._queue)


def main(argv: list[str] | None = None) -> int:
    """`python -m infra.local.partners.courier send JSON [--api-port PORT]`: one partner message
    onto the running local cloud's partner-inbound queue (as the courier would send it).
    The cloud is found as every helper finds it (shared.platform.local_endpoints)."""
    import argparse
    import sys
    import urllib.error
    import urllib.request

    parser = argparse.ArgumentParser(prog="python -m infra.local.partners.courier")
    parser.add_argument("command", choices=["send"])
    parser.add_argument("body", help="the partner message (JSON, the partner's schema)")
    parser.add_argument("--api-url", default=None, help="the gateway (default: JSZW_API_URL, the running cloud)")
    parser.add_argument("--api-port", type=int, default=None, help="the gateway's port (default LOCAL_API_PORT)")
    args = parser.parse_args(argv)
    from shared.platform.local_endpoints import NoLocalCloud, api_url

    try:
        status_url = api_url(url=args.api_url, port=args.api_port) + "/_local/status"
    except NoLocalCloud as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(status_url, timeout=30) as response:  # noqa: S310 - the local gateway
            status = json.loads(response.read())
    except urllib.error.URLError as exc:
        print(f"no local cloud at {status_url}: {exc.reason} (is `make run` running?)", file=sys.stderr)
        return 1
    queue = next(q["url"] for q in status["queues"] if q["id"] == INBOUND_ID)
    import boto3

    sqs = boto3.client(
        "sqs",
        endpoint_url=status["aws"],
        region_name="cn-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    sent = sqs.send_message(QueueUrl=queue, MessageBody=args.body)
    print(f"sent to {INBOUND_ID}: {sent['MessageId']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
