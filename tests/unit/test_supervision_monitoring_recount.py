"""The repair D-281 names (D-265): a worker that stopped between a case's track and its ADDs
left the counter rows short, and redelivery does not repair them; the operator's recount
(`python -m shared.supervision.monitoring_recount`) sets every figure back to the
brute-force recount from the cases, and a second run corrects nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.supervision.monitoring_recount import main
from shared.supervision.monitoring_store import MonitoringStore
from tests.unit import test_supervision_monitoring as brute
from tests.unit.monitoring_fixtures import SUPERVISION_TABLE, deliver, generate, monitoring_cloud

REGIONS = ["320000", "320100", "320102", "320115", "320500"]


def run_recount(capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, list[dict[str, Any]]]:
    status = main(["--month", "2026-11", *flags, "--endpoint", "", "--table", SUPERVISION_TABLE])
    return status, json.loads(capsys.readouterr().out.splitlines()[-1])  # after the worker's metrics lines


def test_the_recount_repairs_what_a_stopped_worker_left_short(capsys: pytest.CaptureFixture[str]) -> None:
    with monitoring_cloud(), pytest.MonkeyPatch.context() as patch:
        cases = generate(30, seed=265)
        lost, kept = cases[:5], cases[5:]
        deliver([event for case in kept for event in case.events])
        with pytest.MonkeyPatch.context() as stopped:
            # D-281's failure: each track is written, then the worker stops before its ADDs
            stopped.setattr(MonitoringStore, "add", lambda *args, **kwargs: None)
            deliver([event for case in lost for event in case.events])
        deliver([event for case in lost for event in case.events])  # a redelivery writes nothing

        short = brute.shown(brute.view("320000").total)
        whole = brute.recount(cases)
        assert short["month.received"] == whole["month.received"] - len(lost)
        assert short["open"] == whole["open"] - sum(1 for case in lost if case.state in brute.OPEN)
        assert short != whole

        status, first = run_recount(capsys, "--live")
        assert status == 0
        month, live = first
        assert (month["scope"], live["scope"]) == ("2026-11", "live")
        assert month["tracks"] == len(cases)
        assert min(month["rows_corrected"], live["rows_corrected"]) > 0
        assert month["rows_moved_meanwhile"] == live["rows_moved_meanwhile"] == 0

        for region in REGIONS:  # every figure at every level: the whole view, each sub-region, department, item
            brute.test_every_figure_equals_a_recount_at_every_level(cases, region)

        patch.setattr(MonitoringStore, "correct_row", _refuse_writes)
        status, second = run_recount(capsys, "--live")
        assert status == 0
        assert [result["rows_corrected"] for result in second] == [0, 0]
        assert [result["rows_checked"] for result in second] == [month["rows_checked"], live["rows_checked"]]


def _refuse_writes(*args: Any, **kwargs: Any) -> bool:
    raise AssertionError("a recount of correct rows writes nothing")


def test_a_figure_an_add_moved_while_the_recount_ran_is_left_for_the_next_run() -> None:
    with monitoring_cloud():
        deliver([event for case in generate(3, seed=5) for event in case.events])
        store = MonitoringStore()
        row = next(item for item in store.recount_items("2026-11~") if item["pk"].startswith("MON#"))
        key = {"pk": row["pk"], "sk": row["sk"]}
        read = {"received": row["received"]}
        store.correct_row(key, row["label"], {"received": read["received"] + 1}, read)  # a figure set
        assert not store.correct_row(key, row["label"], {"received": 0}, read)  # moved since it was read
        assert (store.get_item(key) or {})["received"] == read["received"] + 1
