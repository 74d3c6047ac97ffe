"""Generate docs/schemas.json: every published JSON Schema (D-235), as served
at `/v1/schemas/{name}/{version}`, and the compact copy the exchange function
serves them from (shared/exchange/schemas.json, D-261). `make openapi`
regenerates both; a contract test fails when either is stale."""

from __future__ import annotations

import json
from typing import Any

from infra.errors_doc import load_all_functions
from infra.template import ROOT
from shared.exchange.published import PATH as SERVED_PATH
from shared.platform.schemas import catalogue, document

DOC_PATH = ROOT / "docs" / "schemas.json"


def build() -> dict[str, Any]:
    load_all_functions()
    return {
        "description": "Generated (make openapi) from the code; served at /v1/schemas. Do not edit by hand.",
        "schemas": {f"{name}/{version}": document(entry) for (name, version), entry in catalogue().items()},
    }


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def render_served() -> str:
    """The same registry without indentation (a third smaller: it ships in the layer)."""
    return json.dumps(build(), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def main() -> int:
    DOC_PATH.write_text(render(), encoding="utf-8")
    SERVED_PATH.write_text(render_served(), encoding="utf-8")
    print(f"wrote {DOC_PATH.relative_to(ROOT)} and {SERVED_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
