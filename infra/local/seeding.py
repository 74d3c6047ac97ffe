"""Loading demo data through `infra.seed.load_all(env)`, in a child process.

The seeder configures AWS clients from the environment it is given; running
it in its own process (with that environment as its `os.environ`) keeps its
cached clients and settings out of the caller, which may be a test session.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

_SPAWN = multiprocessing.get_context("spawn")


@dataclass
class SeedResult:
    status: str  # "ok", "absent", "error", "off"
    loaded: dict[str, int] = field(default_factory=dict)
    message: str = ""
    seconds: float = 0.0


def _seed_main(conn: Connection, env: dict[str, str], repo_root: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(env)
    sys.path[:0] = [repo_root]
    try:
        import infra.seed as seed

        load_all = getattr(seed, "load_all", None)
        if load_all is None:
            conn.send(("absent", {}, "infra/seed/__init__.py defines no load_all(env)"))
            return
        loaded = load_all(dict(env)) or {}
        conn.send(("ok", {str(k): int(v) for k, v in loaded.items()}, ""))
    except BaseException:
        conn.send(("error", {}, traceback.format_exc()))


def run_seed(env: dict[str, str], repo_root: Path, timeout_s: float = 300.0) -> SeedResult:
    """Call the seeder if the project has one; its absence is a note, not an error."""
    if not (repo_root / "infra" / "seed" / "__init__.py").is_file():
        return SeedResult("absent", message="infra/seed/__init__.py does not exist yet; nothing seeded")
    conn, child = _SPAWN.Pipe(duplex=False)
    process = _SPAWN.Process(target=_seed_main, args=(child, env, str(repo_root)), name="seed", daemon=True)
    process.start()
    child.close()
    try:
        if not conn.poll(timeout_s):
            process.kill()
            return SeedResult("error", message=f"seeding took over {timeout_s:.0f} s")
        status, loaded, message = conn.recv()
    except EOFError:
        return SeedResult("error", message=f"the seed process exited with code {process.exitcode}")
    finally:
        process.join(5)
        conn.close()
    return SeedResult(status, loaded, message)
