"""`python -m infra.local` (what `make run` runs) and its operator commands.

    python -m infra.local [run] [--api-port 3000] [--aws-port 4566] [--no-seed] [--no-scheduler]
    python -m infra.local fire <FunctionLogicalId> [--event NAME]
    python -m infra.local redrive <QueueLogicalId>
    python -m infra.local invoke <FunctionLogicalId> [--event-file FILE]
    python -m infra.local status

The operator commands talk to the running gateway's `/_local/` endpoints.
Ports also come from LOCAL_API_PORT / LOCAL_AWS_PORT. Imports stay inside
functions: worker processes import this module again when spawned from it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud

_STARTED = time.perf_counter()


def _port(value: str | None, default: int) -> int:
    return int(value) if value else default


def _where(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Where the local cloud is: accepted before and after the subcommand (suppressed defaults let
    a subcommand's absent flag keep the value given before it)."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--api-url", default=default, help="the gateway (default: JSZW_API_URL, the running cloud)")
    parser.add_argument("--api-port", type=int, default=default, help="the gateway's port (default LOCAL_API_PORT)")
    parser.add_argument("--aws-port", type=int, default=default, help="moto's port (default LOCAL_AWS_PORT)")
    parser.add_argument("--host", default=argparse.SUPPRESS if suppress else "127.0.0.1")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description="The platform on one machine.")
    _where(parser, suppress=False)
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="start the local cloud (the default)")
    _run_options(run, suppress=True)
    fire = commands.add_parser("fire", help="fire a function's schedule now")
    fire.add_argument("function")
    fire.add_argument("--event", help="the schedule event's name when the function has several")
    redrive = commands.add_parser("redrive", help="move a queue's DLQ messages back to it")
    redrive.add_argument("queue")
    invoke = commands.add_parser("invoke", help="invoke a function with an event")
    invoke.add_argument("function")
    invoke.add_argument("--event-file", type=Path, help="JSON event (default {})")
    status = commands.add_parser("status", help="functions, queues with depth, schedules")
    s3 = commands.add_parser("s3", help="list a local bucket's keys, or print one object")
    s3.add_argument("bucket", nargs="?", help="the bucket's logical id (e.g. OpenDataBucket); none lists buckets")
    s3.add_argument("key", nargs="?", help="the object to print; none lists the keys")
    wait = commands.add_parser("wait", help="poll an API path until a condition holds (walk-throughs)")
    wait.add_argument("path", help="API path, e.g. /v1/cases/$CASE")
    wait.add_argument("-H", "--header", action="append", default=[], help='request header, e.g. "$A"')
    wait.add_argument(
        "--until",
        action="append",
        default=[],
        metavar="FIELD[=VALUE]",
        help="dotted field (items.0.state; * is any element) equal to VALUE, or present and not empty",
    )
    wait.add_argument("--contains", action="append", default=[], metavar="TEXT", help="the answer contains TEXT")
    wait.add_argument("--print", dest="show", metavar="FIELD", help="print this field instead of the document")
    wait.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    wait.add_argument("--interval", type=float, default=1.0, help="seconds between polls (default 1)")
    for sub in (run, fire, redrive, invoke, status, s3, wait):
        _where(sub, suppress=True)
    _run_options(parser, suppress=False)
    return parser


def _run_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument("--template", type=Path, default=default(None), help="default: template.yaml of the repo")
    parser.add_argument("--no-seed", action="store_true", default=default(False), help="skip demo data")
    parser.add_argument(
        "--no-scheduler", action="store_true", default=default(False), help="schedules fire only on demand"
    )
    parser.add_argument("--pool-size", type=int, default=default(2), help="workers per function (default 2)")
    parser.add_argument(
        "--retry-delay", type=int, default=default(1), help="seconds before a failed SQS message is retried"
    )
    parser.add_argument(
        "--log-dir", type=Path, default=default(None), help="function logs to files here instead of the console"
    )
    parser.add_argument("--param", action="append", default=default([]), metavar="KEY=VALUE", help="template parameter")
    parser.add_argument("-v", "--verbose", action="store_true", default=default(False), help="debug logging")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in (None, "run"):
        return _run(args)
    from shared.platform.local_endpoints import NoLocalCloud, api_url

    try:
        api = api_url(url=args.api_url, port=args.api_port)
    except NoLocalCloud as exc:
        print(exc, file=sys.stderr)
        return 1
    base = f"{api}/_local"
    if args.command == "fire":
        suffix = f"?event={args.event}" if args.event else ""
        return _call("POST", f"{base}/schedules/{args.function}/fire{suffix}")
    if args.command == "redrive":
        return _call("POST", f"{base}/queues/{args.queue}/redrive")
    if args.command == "invoke":
        body = args.event_file.read_bytes() if args.event_file else b"{}"
        return _call("POST", f"{base}/functions/{args.function}/invoke", body)
    if args.command == "s3":
        return _s3(base, args.bucket, args.key, args.aws_port)
    if args.command == "wait":
        from infra.local.waiting import wait

        return wait(api, args)
    return _call("GET", f"{base}/status")


def _s3(base: str, bucket_id: str | None, key: str | None, aws_port: int | None) -> int:
    """Read the local cloud's buckets: what a newcomer checks after publishing (open data, SMS outbox)."""
    try:
        with urllib.request.urlopen(f"{base}/status", timeout=30) as response:  # noqa: S310 - local gateway
            status = json.loads(response.read())
    except urllib.error.URLError as exc:
        print(f"no local cloud at {base}: {exc.reason} (is `make run` running? --api-port?)", file=sys.stderr)
        return 1
    from shared.platform.local_endpoints import aws_url

    endpoint = aws_url(port=aws_port) if aws_port else str(status["aws"])
    buckets = {b["id"]: b["name"] for b in status.get("buckets", [])}
    if not bucket_id:
        print("\n".join(f"{logical:<28} {name}" for logical, name in sorted(buckets.items())))
        return 0
    if bucket_id not in buckets:
        print(f"no bucket {bucket_id}; buckets: {', '.join(sorted(buckets))}", file=sys.stderr)
        return 1
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="cn-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    if key:
        body = client.get_object(Bucket=buckets[bucket_id], Key=key)["Body"].read()
        # Bytes as stored: a PDF or image redirected to a file must stay intact (`... s3 B K > f.pdf`).
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=buckets[bucket_id]):
        for item in page.get("Contents", []):
            print(f"{item['LastModified']:%Y-%m-%d %H:%M:%S}  {item['Size']:>9}  {item['Key']}")
    return 0


def _call(method: str, url: str, body: bytes | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - local gateway
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - local gateway
            document = json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        print(exc.read().decode(errors="replace"), file=sys.stderr)
        return 1
    except urllib.error.URLError as exc:
        print(f"no local cloud at {url}: {exc.reason} (is `make run` running? --api-port?)", file=sys.stderr)
        return 1
    print(json.dumps(document, ensure_ascii=False, indent=2))
    return 0 if not isinstance(document, dict) or document.get("ok", True) else 1


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname).1s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from infra.local.cloud import LocalCloud
    from infra.template import TEMPLATE
    from shared.platform.local_endpoints import RECORD

    parameters = dict(p.split("=", 1) for p in args.param)
    cloud = LocalCloud(
        args.template or TEMPLATE,
        api_port=args.api_port or _port(os.environ.get("LOCAL_API_PORT"), 3000),
        aws_port=args.aws_port or _port(os.environ.get("LOCAL_AWS_PORT"), 4566),
        host=args.host,
        record=RECORD,
        parameters=parameters,
        seed=not args.no_seed,
        scheduler=not args.no_scheduler,
        retry_delay_s=args.retry_delay,
        pool_size=args.pool_size,
        prewarm=True,
        log_dir=args.log_dir,
    )
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        cloud.start()
    except Exception as exc:
        logging.getLogger("infra.local").error("the local cloud did not start: %s", exc)
        return 1
    try:
        first = _first_request(cloud.api_url)
        print(_banner(cloud, first), flush=True)
        stop.wait()
    finally:
        print("\nstopping workers, pollers and moto ...", flush=True)
        cloud.stop()
    return 0


def _first_request(api_url: str) -> float:
    """Seconds from process start until the gateway answered its first request."""
    with urllib.request.urlopen(f"{api_url}/_local/status", timeout=30) as response:  # noqa: S310 - local
        response.read()
    return time.perf_counter() - _STARTED


def _banner(cloud: LocalCloud, first_request_s: float) -> str:
    assert cloud.stack is not None
    assert cloud.model is not None
    status: dict[str, Any] = cloud.status()
    params = cloud.stack.parameters
    lines = [
        "",
        f"Local cloud ready (template {cloud.template_path.name}, stage {params.get('Stage', '-')}, "
        f"region {cloud.pseudo.region}). Seconds since start: "
        + ", ".join(f"{phase} {at:.1f}" for phase, at in cloud.timings.items())
        + f", first request answered {first_request_s:.1f}",
        f"  API           {cloud.api_url}   (no stage prefix, e.g. {cloud.api_url}/v1/items)",
        f"  Swagger UI    {cloud.api_url}/docs",
        f"  AWS (moto)    {cloud.endpoint_url}   (AWS_ENDPOINT_URL, credentials 'testing')",
    ]
    lines.append("Functions")
    for spec in cloud.functions.values():
        kinds = ", ".join(sorted({e.type for e in spec.events})) or "no events"
        extra = f"  ({spec.unsupported})" if spec.unsupported else ""
        lines.append(f"  {spec.logical_id:<30} {spec.handler:<16} {kinds}{extra}")
    lines.append("Routes")
    for route in cloud.model.routes:
        guard = f"  [authorizer {route.authorizer}]" if route.authorizer else ""
        lines.append(f"  {route.method:<7} {route.path:<48} -> {route.function_id}{guard}")
    lines.append("Queues")
    for queue in status["queues"]:
        consumer = f"-> {queue['consumer']}" if queue["consumer"] else "(no consumer)"
        lines.append(f"  {queue['id']:<30} {queue['name']:<40} {consumer}")
    if status["streams"]:
        lines.append("Streams")
        for stream in status["streams"]:
            lines.append(f"  {stream['stream'].split('/')[1]:<30} -> {stream['consumer']}")
    if cloud.schedules:
        lines.append("Schedules" + ("" if cloud.scheduler_enabled else " (scheduler off: fire on demand)"))
        for schedule in cloud.schedules:
            upcoming = schedule.next_run.strftime("%Y-%m-%d %H:%M UTC") if schedule.next_run else "-"
            lines.append(f"  {schedule.key:<40} {schedule.expression.text:<24} next {upcoming}")
    seed = cloud.seed_result
    if seed.status == "ok":
        counts = ", ".join(f"{k} {v}" for k, v in seed.loaded.items()) or "nothing"
        lines.append(f"Seeded in {seed.seconds:.1f} s: {counts}")
    elif seed.status == "error":
        lines.append("Seeding FAILED (the cloud runs without demo data):\n" + seed.message)
    else:
        lines.append(f"Seed: {seed.message or seed.status}")
    for note in cloud.notes:
        lines.append(f"Note: {note}")
    port = "" if cloud.api_url.endswith(":3000") else f" --api-port {cloud.api_url.rsplit(':', 1)[1]}"
    example_fn = cloud.schedules[0].function_id if cloud.schedules else "<FunctionLogicalId>"
    dlq_queue = next((q["id"] for q in status["queues"] if q["consumer"]), "<QueueLogicalId>")
    lines += [
        "Commands",
        f"  python -m infra.local{port} fire {example_fn}      fire a schedule now",
        f"  python -m infra.local{port} redrive {dlq_queue}      move DLQ messages back",
        f"  python -m infra.local{port} status",
        f"  python -m infra.local{port} s3 OpenDataBucket [KEY]      read a local bucket",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
