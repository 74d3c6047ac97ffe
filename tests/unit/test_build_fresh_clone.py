"""`make layers` (the first half of `make build`) works on a fresh clone.

The layers' staged folders are build output, not in git; a clone once lacked
`layers/deps/` and `make layers` failed before `sam build` ever ran. This test
clones the committed HEAD (uncommitted edits are not in it, as on a
newcomer's machine), runs `make layers` there and checks that every code and
layer folder the template names exists. The full `sam build` needs the SAM
CLI venv and PyPI and takes minutes: CI runs it (`make build-check`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.template import ROOT, sam_template


def _template_folders(template: dict[str, object]) -> set[str]:
    resources = template.get("Resources")
    assert isinstance(resources, dict)
    folders: set[str] = set()
    for resource in resources.values():
        properties = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                folders.add(properties[key])
    return folders


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make")
def test_make_layers_stages_every_folder_the_template_names_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    # The venv's stamp is left out (STAMP=): the test runs with this interpreter, not a fresh install.
    result = subprocess.run(
        ["make", "-C", str(clone), "layers", "STAMP=", f"PY={sys.executable}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    staged = (clone / "layers" / "deps" / "requirements.txt").read_text(encoding="utf-8")
    assert "boto3==" in staged
    assert "--hash=sha256:" in staged
    assert (clone / "layers" / "shared" / "python" / "shared" / "platform").is_dir()
    folders = _template_folders(sam_template(clone / "template.yaml"))
    assert folders, "the template names no code folders"
    missing = sorted(f for f in folders if not (clone / f).is_dir())
    assert not missing, f"the template names folders a fresh clone lacks after make layers: {missing}"


def test_the_sam_cli_has_its_own_hashed_lock() -> None:
    lock = (ROOT / "requirements" / "sam.lock").read_text(encoding="utf-8")
    assert "aws-sam-cli==" in lock
    assert "--hash=sha256:" in lock
    # not in the dev lock: its pins would fight the runtime's boto3 and pydantic
    assert "aws-sam-cli==" not in (ROOT / "requirements" / "dev.lock").read_text(encoding="utf-8")
