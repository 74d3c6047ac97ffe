"""The analytics projection in the Reports table (D-267).

| record          | pk                                              | sk                            |
|-----------------|-------------------------------------------------|-------------------------------|
| case timeline   | `timeline#<case_id>`                            | `timeline`                    |
| stay histogram  | `steps#<region>#<month>`                        | `<department>#<item>`         |
| one stay        | `stays#<region>#<month>#<department>#<item>`    | `<state>#<days:05>#<case_id>#<version>` |
| load history    | `load#<region>`                                 | `<department>`                |

A histogram row holds one counter per (state, working days) `d.<state>.<days>`, and the
department, item and item name; a load row one counter per week `w.<monday>`. Counters move
only by ADD, written right after the case's timeline is rewritten over its revision (D-281: one
write each, no transaction; `Transaction.commit_guarded`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.platform.dynamo import Repository, Transaction
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.reports.analytics import StayRow, Timeline
from shared.reports.config import analytics_settings

TIMELINE_SK = "timeline"
TIMELINE_MOVED = "reports.timeline_moved"  # internal: another delivery moved the timeline first; retried


def timeline_pk(case_id: str) -> str:
    return f"timeline#{case_id}"


class AnalyticsStore(Repository):
    def configured_table(self) -> str:
        return analytics_settings().reports_table

    def timelines(self, case_ids: Iterable[str]) -> dict[str, tuple[Timeline, int]]:
        """The timelines and revisions of the cases (one consistent BatchGetItem per 100)."""
        keys = [{"pk": timeline_pk(case_id), "sk": TIMELINE_SK} for case_id in sorted(set(case_ids))]
        found = self.get_items(keys, consistent=True)
        return {str(i["case_id"]): (Timeline.model_validate_json(str(i["timeline"])), int(i["rev"])) for i in found}

    @staticmethod
    def put_timeline(writes: Transaction, timeline: Timeline, rev: int) -> None:
        """The new timeline, only over revision `rev` (a concurrent delivery wins, this one retries)."""
        writes.put(
            {
                "pk": timeline_pk(timeline.case_id),
                "sk": TIMELINE_SK,
                "case_id": timeline.case_id,
                "rev": rev + 1,
                "timeline": timeline.model_dump_json(),
            },
            condition="attribute_not_exists(pk)" if rev == 0 else "#rev = :rev",
            names=None if rev == 0 else {"#rev": "rev"},
            values=None if rev == 0 else expression_values(rev=rev),
            on_conflict=Conflict(TIMELINE_MOVED),
        )

    @staticmethod
    def add(writes: Transaction, pk: str, sk: str, deltas: Mapping[str, int], labels: Mapping[str, str]) -> None:
        """ADD each delta to the row (created on first use) and SET its labels."""
        names: dict[str, str] = {}
        numbers: dict[str, Any] = {}
        sets = []
        for index, (name, value) in enumerate(sorted(labels.items())):
            names[f"#l{index}"] = name
            numbers[f"l{index}"] = value
            sets.append(f"#l{index} = :l{index}")
        adds = []
        for index, (name, delta) in enumerate(sorted(deltas.items())):
            names[f"#a{index}"] = name
            numbers[f"v{index}"] = delta
            adds.append(f"#a{index} :v{index}")
        expression = (f"SET {', '.join(sets)} " if sets else "") + f"ADD {', '.join(adds)}"
        writes.update({"pk": pk, "sk": sk}, expression, names=names, values=expression_values(**numbers))

    @staticmethod
    def put_stay(writes: Transaction, row: StayRow) -> None:
        writes.put(
            {
                "pk": row.pk,
                "sk": row.sk,
                "case_id": row.case_id,
                "state": row.state,
                "working_days": row.working_days,
                "entered_on": row.entered_on.isoformat(),
                "left_on": row.left_on.isoformat(),
            }
        )

    @staticmethod
    def delete_stay(writes: Transaction, row: StayRow) -> None:
        writes.delete({"pk": row.pk, "sk": row.sk})

    # --- reads -------------------------------------------------------------------------------

    def partition(self, pk: str) -> list[dict[str, Any]]:
        """Every row of one partition (one Query, paged by DynamoDB only past 1 MB)."""
        return list(
            self.query_all(KeyConditionExpression="pk = :pk", ExpressionAttributeValues=expression_values(pk=pk))
        )

    def row(self, pk: str, sk: str) -> dict[str, Any] | None:
        return self.get_item({"pk": pk, "sk": sk})

    def stays_from(self, pk: str, state: str, first_days: int) -> list[dict[str, Any]]:
        """The stays in `state` of `first_days` working days or more (one Query of the tail)."""
        return list(
            self.query_all(
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                ExpressionAttributeValues=expression_values(pk=pk, low=f"{state}#{first_days:05d}#", high=f"{state}#~"),
            )
        )
