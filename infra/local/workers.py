"""Lambda execution environments: one spawned worker process per concurrent invocation.

Each function gets a small pool of worker processes, started on first use
(a cold start) and reused afterwards, like Lambda's execution environments.
A worker has only the environment the template gives the function (plus the
runtime's own variables), `sys.path = [CodeUri, repo root, site-packages]`
and UTC as its time zone, so a missing variable or import fails here as it
would on AWS. A worker that overruns the function's Timeout is killed and
replaced, and the invocation reports `Sandbox.Timedout`.

This module imports only the standard library at the top: the worker
process imports it before the handler, and cold starts should stay small.
"""

from __future__ import annotations

import decimal
import importlib
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.metering import Usage

log = logging.getLogger("infra.local")

MAX_RESPONSE_BYTES = 6 * 1024 * 1024
_SPAWN = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker process needs; picklable, sent at spawn."""

    function_id: str
    function_name: str
    function_arn: str
    code_dir: str
    repo_root: str
    handler: str
    memory_mb: int
    environment: dict[str, str]
    log_file: str | None = None
    platform_log_bytes: int = 0  # Lambda's own lines an invocation, as the template configures them (D-333)


class FunctionError(Exception):
    """An invocation failed; `payload` is Lambda's error document."""

    def __init__(self, function_id: str, payload: dict[str, Any], *, timed_out: bool = False) -> None:
        self.function_id = function_id
        self.payload = payload
        self.timed_out = timed_out
        super().__init__(f"{function_id}: {self.error_type}: {self.error_message}")

    @property
    def error_type(self) -> str:
        return str(self.payload.get("errorType", "Unhandled"))

    @property
    def error_message(self) -> str:
        return str(self.payload.get("errorMessage", ""))

    @property
    def stack_trace(self) -> list[str]:
        return list(self.payload.get("stackTrace") or [])


@dataclass
class Invocation:
    """The outcome of one invocation, as the Lambda service would report it."""

    function_id: str
    request_id: str
    result: Any = None
    error: dict[str, Any] | None = None
    timed_out: bool = False
    duration_ms: float = 0.0
    init_ms: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def value(self) -> Any:
        """The result, or FunctionError when the function failed."""
        if self.error is not None:
            raise FunctionError(self.function_id, self.error, timed_out=self.timed_out)
        return self.result


# ------------------------------------------------------------------ worker process side


class LocalLambdaContext:
    """The parts of `LambdaContext` handlers and Powertools read."""

    def __init__(self, config: WorkerConfig, request_id: str, deadline_ms: int) -> None:
        self.function_name = config.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = config.function_arn
        self.memory_limit_in_mb = config.memory_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{config.function_name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _prepare_process(config: WorkerConfig) -> None:
    """Make this process look like the function's execution environment."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if config.log_file:
        handle = os.open(config.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(handle, 1)
        os.dup2(handle, 2)
        os.close(handle)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)
    # METER_STORED_ITEMS: the cost model's switch for the meter's reads of stored items (metering.py)
    kept = ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "SYSTEMROOT", "METER_STORED_ITEMS")
    keep = {k: os.environ[k] for k in kept if k in os.environ}
    os.environ.clear()
    os.environ.update(keep)
    os.environ.update(config.environment)
    os.environ.setdefault("TZ", ":UTC")  # as on Lambda
    if hasattr(time, "tzset"):
        time.tzset()
    prefixes = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    runtime_paths = [p for p in sys.path if p and p.startswith(prefixes)]
    sys.path[:] = [config.code_dir, config.repo_root, *runtime_paths]
    os.chdir(config.code_dir)


def _load_handler(config: WorkerConfig) -> Callable[[Any, Any], Any]:
    module_name, _, func_name = config.handler.replace("/", ".").rpartition(".")
    if not module_name:
        raise _InitError("Runtime.MalformedHandlerName", f"Bad handler '{config.handler}': not enough values to unpack")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise _InitError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}") from exc
    handler = getattr(module, func_name, None)
    if not callable(handler):
        raise _InitError("Runtime.HandlerNotFound", f"Handler '{func_name}' missing on module '{module_name}'")
    return handler


class _InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def _log_size(config: WorkerConfig) -> int:
    """Bytes in the function's log file so far (what CloudWatch Logs would ingest)."""
    if not config.log_file:
        return 0
    try:
        return os.fstat(1).st_size
    except OSError:
        return 0


def _trace_header() -> str:
    """What Lambda puts in `_X_AMZN_TRACE_ID` for each invocation of a traced function (`Tracing: Active`):
    Powertools' Logger writes its root as `xray_trace_id` on every line, so local lines are as long as
    deployed ones (the cost model bills them, D-333). Not sampled: nothing is sent to X-Ray locally."""
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"


def _max_memory_used_mb() -> int | None:
    """The worker process's peak resident memory (Linux VmHWM): the local stand-in for the REPORT line's
    Max Memory Used, which sizes a function's memory (D-334). None where /proc is not there."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


@contextmanager
def _metered(event: Any, memory_mb: int) -> Iterator[Any]:
    """The invocation's usage (infra/local/metering.py) when the handler uses the
    platform's AWS clients; None for a handler that does not (nothing to meter)."""
    if "shared.platform.aws" not in sys.modules:
        yield None
        return
    from infra.local import metering

    with metering.metered(event, memory_mb) as usage:
        yield usage


def _decimal_default(value: Any) -> Any:
    """The Python runtime serialises Decimal results as numbers."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _error_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    error_type = exc.error_type if isinstance(exc, _InitError) else type(exc).__name__
    cause = exc.__cause__ if isinstance(exc, _InitError) and exc.__cause__ else exc
    return {
        "errorMessage": str(exc),
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(cause.__traceback__),
    }


def _log_error(payload: dict[str, Any]) -> None:
    print(f"[ERROR] {payload['errorType']}: {payload['errorMessage']}", file=sys.stderr)
    for line in payload["stackTrace"]:
        print(line.rstrip("\n"), file=sys.stderr)


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    """Entry point of a worker process: import the handler, then serve invocations."""
    started = time.perf_counter()
    _prepare_process(config)
    try:
        handler = _load_handler(config)
    except _InitError as exc:
        payload = _error_payload(exc, "")
        _log_error(payload)
        conn.send(("init_error", payload))
        return
    init_ms = (time.perf_counter() - started) * 1000
    conn.send(("ready", init_ms))
    first = True
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the local cloud went away
        if message[0] != "invoke":
            return
        _, request_id, event_text, deadline_ms = message
        context = LocalLambdaContext(config, request_id, deadline_ms)
        os.environ["_X_AMZN_TRACE_ID"] = _trace_header()
        event = json.loads(event_text)
        logged_before = _log_size(config)
        begun, cpu_begun = time.perf_counter(), time.process_time()
        with _metered(event, config.memory_mb) as usage:
            try:
                result = handler(event, context)
                text = json.dumps(result, default=_decimal_default, ensure_ascii=False)
                if len(text.encode()) > MAX_RESPONSE_BYTES:
                    raise _InitError("Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed")
                reply: tuple[str, Any, dict[str, Any]] = ("ok", text, {})
            except BaseException as exc:
                payload = _error_payload(exc, request_id)
                _log_error(payload)
                reply = ("error", payload, {})
        duration = (time.perf_counter() - begun) * 1000
        cpu_ms = (time.process_time() - cpu_begun) * 1000  # the handler's threads included
        # what the function wrote; the local REPORT line below stands in for Lambda's own lines, which
        # the meter bills as the template's LoggingConfig has Lambda send them (D-333)
        logged = _log_size(config) - logged_before
        init = f"\tInit Duration: {init_ms:.2f} ms" if first else ""
        peak = _max_memory_used_mb()
        used = f"\tMax Memory Used: {peak} MB" if peak is not None else ""
        print(
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tMemory Size: {config.memory_mb} MB"
            f"{used}{init}",
            flush=True,
        )
        first = False
        if usage is not None:
            from infra.local import metering

            metering.finish(usage, duration, cpu_ms, config.memory_mb, logged, config.platform_log_bytes)
            reply = (reply[0], reply[1], usage.to_dict())
        conn.send(reply)
        if isinstance(reply[1], dict) and reply[1].get("errorType") in ("SystemExit",):
            return


# ------------------------------------------------------------------------ parent side


class _Worker:
    """A running worker process and the parent's end of its pipe."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.conn, child = _SPAWN.Pipe(duplex=True)
        self.process = _SPAWN.Process(
            target=worker_main, args=(child, config), name=f"lambda-{config.function_id}", daemon=True
        )
        self.process.start()
        child.close()
        self.init_ms: float | None = None
        self.fresh = True

    def wait_ready(self, timeout_s: float) -> dict[str, Any] | None:
        """None when the handler imported; Lambda's error document when it did not."""
        if not self.conn.poll(timeout_s):
            return {"errorType": "Runtime.InitTimeout", "errorMessage": f"init took over {timeout_s:.0f} s"}
        try:
            kind, payload = self.conn.recv()
        except (EOFError, OSError):
            return {"errorType": "Runtime.ExitError", "errorMessage": f"exit code {self.process.exitcode}"}
        if kind == "ready":
            self.init_ms = float(payload)
            return None
        return dict(payload)

    def call(self, request_id: str, event_text: str, timeout_s: float) -> tuple[str, Any, dict[str, Any]]:
        """(outcome, payload, metered usage: empty when the worker did not meter)."""
        deadline_ms = int((time.time() + timeout_s) * 1000)
        try:
            self.conn.send(("invoke", request_id, event_text, deadline_ms))
            if not self.conn.poll(timeout_s):
                return ("timeout", None, {})
            kind, payload, usage = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.process.join(0.5)
            return ("exit", self.process.exitcode, {})
        return (kind, payload, usage)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(2)
        self.conn.close()


@dataclass
class PoolStats:
    invocations: int = 0
    errors: int = 0
    timeouts: int = 0
    cold_starts: int = 0
    last_init_ms: float | None = None
    durations_ms: list[float] = field(default_factory=list)


class FunctionPool:
    """Up to `size` workers for one function; callers beyond that wait for a free one."""

    def __init__(self, config: WorkerConfig, *, size: int, timeout_s: float, init_timeout_s: float = 30.0) -> None:
        self.config = config
        self.size = max(1, size)
        self.timeout_s = timeout_s
        self.init_timeout_s = init_timeout_s
        self.stats = PoolStats()
        self.usage: Usage | None = None  # metered AWS usage of every invocation so far (cost model)
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._starting = 0
        self._busy = 0
        self._cond = threading.Condition()
        self._stopped = False

    @property
    def warm(self) -> int:
        with self._cond:
            return len(self._all)

    @property
    def busy(self) -> int:
        with self._cond:
            return self._busy

    def prewarm(self, init_timeout_s: float | None = None) -> bool:
        """Start one worker ahead of the first request. Nobody waits on it, so it may take longer
        than a request's init limit on a busy machine; if it still fails, the first request starts
        one (a note, not a warning: nothing is broken)."""
        try:
            worker = self._acquire(init_timeout_s)
        except FunctionError as exc:
            log.info("prewarm %s skipped (%s); it starts on its first request", self.config.function_id, exc)
            return False
        self._release(worker, healthy=True)
        return True

    def invoke(self, event: Any, *, timeout_s: float | None = None, request_id: str | None = None) -> Invocation:
        """Run the handler on `event` in a worker; never raises for function errors."""
        request_id = request_id or str(uuid.uuid4())
        event_text = json.dumps(event, ensure_ascii=False)
        limit = self.timeout_s if timeout_s is None else min(timeout_s, self.timeout_s)
        invocation = Invocation(self.config.function_id, request_id)
        try:
            worker = self._acquire()
        except FunctionError as exc:
            invocation.error = exc.payload | {"requestId": request_id}
            self._count(invocation)
            return invocation
        if worker.fresh:
            invocation.init_ms = worker.init_ms
            worker.fresh = False
        begun = time.perf_counter()
        kind, payload, usage = worker.call(request_id, event_text, limit)
        invocation.duration_ms = (time.perf_counter() - begun) * 1000
        if usage:
            self._meter(usage)
        healthy = kind in ("ok", "error")
        if kind == "ok":
            invocation.result = json.loads(payload)
        elif kind == "error":
            invocation.error = payload
            healthy = payload.get("errorType") != "SystemExit"
        elif kind == "timeout":
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            invocation.timed_out = True
            invocation.error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"{stamp} {request_id} Task timed out after {limit:.2f} seconds",
            }
        else:
            invocation.error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status {payload}",
            }
        self._release(worker, healthy=healthy)
        self._count(invocation)
        return invocation

    def bill(self, usage: Usage) -> None:
        """Add what the trigger billed beyond the invocation's own meter (a poller's further receives)."""
        self._meter(usage.to_dict())

    def _meter(self, usage: dict[str, Any]) -> None:
        from infra.local.metering import Usage

        with self._cond:
            if self.usage is None:
                self.usage = Usage()
            self.usage.add(Usage.from_dict(usage))

    def _count(self, invocation: Invocation) -> None:
        with self._cond:
            self.stats.invocations += 1
            self.stats.errors += 0 if invocation.ok else 1
            self.stats.timeouts += 1 if invocation.timed_out else 0
            self.stats.durations_ms = [*self.stats.durations_ms[-99:], invocation.duration_ms]

    def _acquire(self, init_timeout_s: float | None = None) -> _Worker:
        with self._cond:
            while True:
                if self._stopped:
                    raise FunctionError(self.config.function_id, {"errorType": "LocalCloud.Stopped"})
                if self._idle:
                    self._busy += 1
                    return self._idle.pop()
                if len(self._all) + self._starting < self.size:
                    self._starting += 1
                    break
                self._cond.wait()
        worker: _Worker | None = None
        try:
            worker = _Worker(self.config)
            problem = worker.wait_ready(init_timeout_s or self.init_timeout_s)
        except BaseException:
            problem = {"errorType": "Runtime.Unknown", "errorMessage": traceback.format_exc(limit=1)}
        with self._cond:
            self._starting -= 1
            if problem is None and worker is not None and not self._stopped:
                self._all.add(worker)
                self._busy += 1
                self.stats.cold_starts += 1
                self.stats.last_init_ms = worker.init_ms
                return worker
            self._cond.notify()
        if worker is not None:
            worker.kill()
        raise FunctionError(self.config.function_id, problem or {"errorType": "LocalCloud.Stopped"})

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
        with self._cond:
            self._busy -= 1
            if healthy and not self._stopped and worker.process.is_alive():
                self._idle.append(worker)
                self._cond.notify()
                return
            self._all.discard(worker)
            self._cond.notify()
        worker.kill()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.kill()
