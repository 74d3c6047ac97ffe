"""The local cloud's seed limit is per step (infra/local/seeding.py): a seed slower in total
than the limit passes while it keeps finishing steps (a loaded machine), and a step that hangs
fails with the step it came after."""

from __future__ import annotations

from pathlib import Path

from infra.local.seeding import run_seed

SLOW_SEEDER = """
import time

def load_all(env, progress=None):
    for step in ("regions", "items", "accounts"):
        time.sleep(float(env["STEP_S"]))
        progress(step)
    return {"steps": 3}
"""

HUNG_SEEDER = """
import time

def load_all(env, progress=None):
    progress("regions")
    time.sleep(60)
"""


def _seeder(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_seed_longer_than_the_limit_passes_while_its_steps_finish(tmp_path: Path) -> None:
    root = _seeder(tmp_path, "slow_seeder_for_test", SLOW_SEEDER)
    result = run_seed({"STEP_S": "0.55"}, root, step_timeout_s=1.5, seeder="slow_seeder_for_test")
    assert (result.status, result.loaded) == ("ok", {"steps": 3}), result.message


def test_a_hung_step_fails_naming_the_step_before_it(tmp_path: Path) -> None:
    root = _seeder(tmp_path, "hung_seeder_for_test", HUNG_SEEDER)
    result = run_seed({}, root, step_timeout_s=1.0, seeder="hung_seeder_for_test")
    assert result.status == "error"
    assert result.message == "seeding made no progress for 1 s (after: regions)"
