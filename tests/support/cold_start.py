"""Run a probe in a fresh process where a function's handler module imports, as Lambda's init does:
the function's code folder first on the path, its template entry's variables set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from infra.template import ROOT, function_environment, sam_template


def cold_start_probe(function: str, probe: str) -> Any:
    """The JSON the probe prints last. `probe` runs with `{root}` formatted to the repository
    (the function's folder is the working directory)."""
    template = sam_template()
    code_dir = ROOT / str(template["Resources"][function]["Properties"]["CodeUri"]).strip("/")
    environment = {**os.environ, "AWS_DEFAULT_REGION": "cn-north-1"} | function_environment(template, function)
    out = subprocess.run(
        [sys.executable, "-c", probe.format(root=str(ROOT))],
        cwd=code_dir,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
