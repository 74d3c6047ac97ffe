"""Where the running local cloud is, for the command-line helpers (never used by a function).

One rule for every helper (`python -m infra.local …`, the SMS outbox reader,
the courier simulator's `send`, the offline licence verifier):

1. an explicit flag (`--api-url`, `--api-port`, `--aws-port`, `--endpoint`);
2. `JSZW_API_URL` (the gateway; the AWS endpoint is asked from it), or
   `LOCAL_API_PORT` / `LOCAL_AWS_PORT`; `AWS_ENDPOINT_URL` for the AWS side;
3. the record `python -m infra.local` (`make run`) writes while it runs:
   `.local-cloud/endpoints.json` in the checkout, with its process id.

Nothing else: no silent 3000/4566, so a helper never acts on whatever other
platform happens to listen there. When nothing names a running cloud the
helper stops with `NoLocalCloud`, saying how to point it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

RECORD = Path(__file__).resolve().parents[2] / ".local-cloud" / "endpoints.json"
HOST = "127.0.0.1"
HOW_TO_POINT = (
    "start it with `make run` (it records its ports in .local-cloud/endpoints.json), "
    "or point the helper at it: JSZW_API_URL=http://127.0.0.1:PORT (or --api-port PORT)"
)


class NoLocalCloud(RuntimeError):
    """No flag, variable or live record names a running local cloud."""


def write_record(api_url: str, aws_url: str, *, ready: bool, path: Path | None = None) -> None:
    """Written by `python -m infra.local` when its gateway listens, and again when it is ready."""
    path = path or RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"api": api_url, "aws": aws_url, "pid": os.getpid(), "ready": ready}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document), encoding="utf-8")
    temporary.replace(path)


def remove_record(path: Path | None = None) -> None:
    """Only the process that wrote the record removes it (another checkout's cloud keeps its own)."""
    path = path or RECORD
    record = read_record(path)
    if record is not None and record.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def read_record(path: Path | None = None) -> dict[str, Any] | None:
    """The record of a cloud that is still running; a stale one (its process gone) counts as none."""
    try:
        record = json.loads((path or RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not _alive(record.get("pid")):
        return None
    return record


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lookup(
    *, url: str | None, port: int | None, url_variable: str, port_variable: str, record: Path | None, key: str
) -> str | None:
    """Rules 1 and 2 for one side (flag, then variable), then rule 3 (the record); None when none names it."""
    if url:
        return url.rstrip("/")
    if port:
        return f"http://{HOST}:{port}"
    if os.environ.get(url_variable):
        return os.environ[url_variable].rstrip("/")
    if os.environ.get(port_variable):
        return f"http://{HOST}:{int(os.environ[port_variable])}"
    found = read_record(record)
    if found and found.get(key):
        return str(found[key]).rstrip("/")
    return None


def api_url(*, url: str | None = None, port: int | None = None, record: Path | None = None) -> str:
    """The local gateway's base URL (no trailing slash)."""
    found = _lookup(
        url=url, port=port, url_variable="JSZW_API_URL", port_variable="LOCAL_API_PORT", record=record, key="api"
    )
    if found is None:
        raise NoLocalCloud(f"no local cloud found: {HOW_TO_POINT}")
    return found


def aws_url(*, url: str | None = None, port: int | None = None, record: Path | None = None) -> str:
    """The local AWS endpoint (moto); asked from the gateway when only the gateway is named."""
    if not (url or port or os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("LOCAL_AWS_PORT")) and (
        os.environ.get("JSZW_API_URL") or os.environ.get("LOCAL_API_PORT")
    ):
        return aws_url_of(api_url(record=record))  # a named gateway wins over a recorded cloud
    found = _lookup(
        url=url, port=port, url_variable="AWS_ENDPOINT_URL", port_variable="LOCAL_AWS_PORT", record=record, key="aws"
    )
    if found is None:
        raise NoLocalCloud(f"no local cloud found: {HOW_TO_POINT}")
    return found


def aws_url_of(gateway: str) -> str:
    """The AWS endpoint the gateway at `gateway` runs against (its `/_local/status`)."""
    try:
        with urllib.request.urlopen(f"{gateway}/_local/status", timeout=30) as response:  # noqa: S310 - local
            status = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NoLocalCloud(f"no local cloud answers at {gateway} ({exc}): {HOW_TO_POINT}") from exc
    if not isinstance(status, dict) or not status.get("aws"):
        raise NoLocalCloud(f"{gateway} is not a local cloud gateway (no /_local/status): {HOW_TO_POINT}")
    return str(status["aws"]).rstrip("/")
