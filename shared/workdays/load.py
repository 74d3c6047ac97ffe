"""Load a year arrangement (年度节假日安排) from a JSON file:

    CATALOG_TABLE=... [AWS_ENDPOINT_URL=http://127.0.0.1:5000] \\
        python -m shared.workdays.load 2027.json [--actor NAME]

The file has the body of `PUT /v1/calendar/{year}`:
`{"year": 2027, "holidays": [{"date": "...", "name": "..."}],
"adjusted_workdays": [{"date": "...", "name": "..."}], "notice": "..."}`.
Loading the same file twice is a no-op. Exit status: 0 loaded or
unchanged, 2 the file is invalid (each problem printed), 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from shared.platform.errors import AppError, message_for
from shared.workdays import service
from shared.workdays.config import workdays_settings
from shared.workdays.models import YearArrangement

_INVALID = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.workdays.load", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="JSON file with the year arrangement")
    parser.add_argument("--actor", default="operator-cli", help="who is loading (kept in the history)")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the messages")
    args = parser.parse_args(argv)
    if not workdays_settings().catalog_table:
        parser.error("set CATALOG_TABLE (and AWS_ENDPOINT_URL for the local cloud)")
    try:
        arrangement = YearArrangement.model_validate_json(args.file.read_bytes())
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}", file=sys.stderr)
        return _INVALID
    try:
        result = service.load_year(arrangement, actor=args.actor)
    except AppError as exc:
        print(message_for(exc.code, args.lang, exc.params), file=sys.stderr)
        for problem in exc.errors:
            print(f"  {problem.field}: {problem.render(args.lang)['message']}", file=sys.stderr)
        return _INVALID if exc.status == 422 else 1
    summary = {"year": result.stored.year, "version": result.stored.version, "outcome": result.outcome.value}
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
