"""Generate docs/errors.md from the error catalogue the code registers.

Every context registers its codes with `shared.platform.errors.register_messages`;
importing every function's handler module (as listed in template.yaml) loads
them all. `make openapi` regenerates this file with the spec; a contract test
fails when the committed file is stale, so the documented codes are exactly
the ones the API can return.
"""

from __future__ import annotations

import importlib

from infra.template import ROOT, import_function, sam_template
from shared.platform.errors import registered_codes

DOC_PATH = ROOT / "docs" / "errors.md"

HEADER = """# Error codes

Every API error has one shape (problem+json style):

```json
{"type": "https://errors.jszwfw.gov.cn/<code>", "title": "Not Found", "status": 404,
 "code": "catalog.item_not_found", "message": "未找到该事项",
 "errors": [{"field": "name", "code": "field.required", "message": "必填项"}],
 "request_id": "…"}
```

`code` is stable: clients branch on it. `message` is Chinese by default and
English when `Accept-Language` prefers `en`. `errors` lists field problems
(422). `request_id` equals the `X-Request-Id` response header and the
correlation id in the logs.

Status codes: 400 malformed, 401 no/invalid token, 403 out of scope, 404 not
found or not yours, 409 conflict/wrong state, 413 too large, 415 not JSON,
422 validation, 429 rate limited.

This file is generated from the code (`make openapi`); do not edit it by hand.

| code | 中文 | English |
|---|---|---|
"""


def load_all_functions() -> None:
    for logical_id, resource in sam_template()["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            import_function(logical_id)
    # A context no function serves yet (halls, D-160) still defines its codes and
    # events; the docs list them, as a test session importing it would.
    for module in sorted((ROOT / "shared").glob("*/errors.py")) + sorted((ROOT / "shared").glob("*/events.py")):
        importlib.import_module(f"shared.{module.parent.name}.{module.stem}")


def render() -> str:
    load_all_functions()
    rows = [
        f"| `{code}` | {zh} | {en} |"
        for code, (zh, en) in sorted(registered_codes().items())
        if not code.startswith("test.")
    ]
    return HEADER + "\n".join(rows) + "\n"


def main() -> int:
    DOC_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
