"""Recount monitoring's counter rows from the tracks (D-265, the repair D-281 names):

    python -m shared.supervision.monitoring_recount --month 2026-11 [--live] [--aws-port 5265]

A worker that stopped between a track's write and its ADDs left rows short by that event
(D-281); the tracks still say what every case and counted subject adds. The recount sums
`contributions` / `SubjectTrack.cells` over every track into the rows the worker would move
(the month's rows and its day rows; with `--live`, the live rows instead) and sets each
figure that differs to the recount, conditional on the stored figure being what was read:
run twice, the second run corrects nothing. Prints what it checked and corrected as JSON.

The endpoint is found as every local helper finds it (`shared.platform.local_endpoints`):
`--endpoint`/`--aws-port`/`--api-port`, `AWS_ENDPOINT_URL`, or the running `make run`;
`--endpoint ""` is AWS itself with the caller's credentials. The table is
`SUPERVISION_TABLE`, or `--table` (the local cloud's `jszw-local-SupervisionTable`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from shared.supervision import monitoring as m
from shared.supervision.monitoring_service import Monitoring, case_rows, subject_rows
from shared.supervision.monitoring_store import counter_pk, scope_key

LOCAL_TABLE = "jszw-local-SupervisionTable"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Recount:
    """What one recount found: rows compared, rows whose figures it set, rows it left because an
    ADD changed them while it ran (run again), and the tracks it summed."""

    scope: str
    tracks: int
    rows_checked: int
    rows_corrected: int
    rows_moved_meanwhile: int


def recount(monitoring: Monitoring, scope: str) -> Recount:
    """Recount the rows of `scope` — a month `2026-11` (its month rows and its day rows) or
    `live` — from every track, and correct each row whose stored figures differ."""
    prefix = scope_key(scope) if scope == m.LIVE else scope
    in_scope: Callable[[str], bool] = (
        (lambda cell: cell == m.LIVE) if scope == m.LIVE else (lambda cell: cell.startswith(scope))
    )
    expected: dict[tuple[str, str], tuple[str, Counter[str]]] = {}
    stored: dict[tuple[str, str], dict[str, Any]] = {}
    tracks = 0
    for item in monitoring.store.recount_items(prefix):
        pk = str(item["pk"])
        if not pk.startswith(("MONCASE#", "MONSUBJ#")):
            stored[(pk, str(item["sk"]))] = item
            continue
        tracks += 1
        if pk.startswith("MONCASE#"):
            case = m.CaseTrack.model_validate(item["track"])
            cells, rows = m.contributions(case), case_rows(case)
        else:
            subject = m.SubjectTrack.model_validate(item["track"])
            cells, rows = subject.cells(), subject_rows(subject, pk.removeprefix("MONSUBJ#"))
        for (cell_scope, attribute), count in cells.items():
            if not in_scope(cell_scope):
                continue
            for place, label in rows:
                key = (counter_pk(place.region_code), f"{scope_key(cell_scope)}#{place.key}")
                expected.setdefault(key, (label, Counter()))[1][attribute] += count
    corrected = moved = 0
    for key in sorted(set(expected) | set(stored)):
        row = stored.get(key, {})
        label, figures = expected.get(key, (str(row.get("label", "")), Counter()))
        now: dict[str, int] = {}
        m.add_counts(now, row)
        differing = {
            name: figures.get(name, 0) for name in set(now) | set(figures) if now.get(name, 0) != figures[name]
        }
        if not differing:
            continue
        if monitoring.store.correct_row({"pk": key[0], "sk": key[1]}, label, differing, now):
            corrected += 1
        else:
            moved += 1
    return Recount(scope, tracks, len(set(expected) | set(stored)), corrected, moved)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.supervision.monitoring_recount", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--month", required=True, help="YYYY-MM: its month rows and day rows")
    parser.add_argument("--live", action="store_true", help="also the live rows (open now, due-date buckets)")
    parser.add_argument("--endpoint", default=None, help='AWS endpoint (default: the local cloud; "" is AWS itself)')
    parser.add_argument("--aws-port", type=int, default=None, help="the local cloud's AWS port (LOCAL_AWS_PORT)")
    parser.add_argument("--api-port", type=int, default=None, help="the local cloud's API port (LOCAL_API_PORT)")
    parser.add_argument("--table", default=None, help=f"default: SUPERVISION_TABLE, or {LOCAL_TABLE} locally")
    args = parser.parse_args(argv)
    if not _MONTH.match(args.month):
        parser.error("--month must be YYYY-MM")
    from shared.platform.local_endpoints import NoLocalCloud, api_url, aws_url, aws_url_of

    try:
        if args.endpoint is not None:
            endpoint = args.endpoint
        elif args.api_port and not args.aws_port:
            endpoint = aws_url_of(api_url(port=args.api_port))
        else:
            endpoint = aws_url(port=args.aws_port)
    except NoLocalCloud as exc:
        print(exc, file=sys.stderr)
        return 1
    if endpoint:  # the local cloud takes any credentials; AWS itself the caller's own
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "cn-north-1"))
    table = args.table or os.environ.get("SUPERVISION_TABLE") or (LOCAL_TABLE if endpoint else "")
    if not table:
        parser.error("set SUPERVISION_TABLE or --table")
    os.environ["SUPERVISION_TABLE"] = table
    from shared.supervision.monitoring_service import monitoring

    results = [recount(monitoring(), args.month)]
    if args.live:
        results.append(recount(monitoring(), m.LIVE))
    print(json.dumps([asdict(result) for result in results], ensure_ascii=False))
    return 1 if any(result.rows_moved_meanwhile for result in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
