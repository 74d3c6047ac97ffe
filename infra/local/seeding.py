"""Loading demo data through `infra.seed.load_all(env)`, in a child process.

The seeder configures AWS clients from the environment it is given; running
it in its own process (with that environment as its `os.environ`) keeps its
cached clients and settings out of the caller, which may be a test session.
"""

from __future__ import annotations

import importlib
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


def _seed_main(conn: Connection, env: dict[str, str], repo_root: str, seeder: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(env)
    sys.path[:0] = [repo_root]
    try:
        seed = importlib.import_module(seeder)

        load_all = getattr(seed, "load_all", None)
        if load_all is None:
            conn.send(("absent", {}, f"{seeder} defines no load_all(env)"))
            return
        loaded = load_all(dict(env), progress=lambda step: conn.send(("progress", {}, step))) or {}
        conn.send(("ok", {str(k): int(v) for k, v in loaded.items()}, ""))
    except BaseException:
        conn.send(("error", {}, traceback.format_exc()))


def run_seed(
    env: dict[str, str], repo_root: Path, step_timeout_s: float = 300.0, seeder: str = "infra.seed"
) -> SeedResult:
    """Call the seeder if the project has one; its absence is a note, not an error.

    The limit is per step of the seeder (it reports each step it finishes), not for the whole
    seed: on a machine shared at load 25-30 the whole seed took longer than any fixed limit that
    still catches a hung seeder quickly on a quiet one."""
    where = repo_root.joinpath(*seeder.split("."))
    if not ((where / "__init__.py").is_file() or where.with_suffix(".py").is_file()):
        return SeedResult("absent", message=f"{seeder} does not exist yet; nothing seeded")
    conn, child = _SPAWN.Pipe(duplex=False)
    process = _SPAWN.Process(target=_seed_main, args=(child, env, str(repo_root), seeder), name="seed", daemon=True)
    process.start()
    child.close()
    last_step = "start"
    try:
        while True:
            if not conn.poll(step_timeout_s):
                process.kill()
                return SeedResult(
                    "error", message=f"seeding made no progress for {step_timeout_s:.0f} s (after: {last_step})"
                )
            status, loaded, message = conn.recv()
            if status != "progress":
                break
            last_step = message
    except EOFError:
        return SeedResult("error", message=f"the seed process exited with code {process.exitcode}")
    finally:
        process.join(5)
        conn.close()
    return SeedResult(status, loaded, message)
