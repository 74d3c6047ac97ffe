"""The monitoring and scorecard records of the Supervision table (D-125, D-127).

| record                 | pk                           | sk               |
|------------------------|------------------------------|------------------|
| case track             | `MONCASE#<case_id>`          | `TRACK`          |
| counted subject track  | `MONSUBJ#<kind>:<id>`        | `TRACK`          |
| counter row            | `MON#<region>`               | `<scope>#<row>` (below) |
| scoring rule version   | `SCRULE`                     | `v#<00001>`, and `CURRENT` |
| month scorecard        | `SCORECARD#<region>`         | `<yyyy-mm>`      |

A counter row holds one number attribute per counter (`state.in_review`,
`due.legal.2026-12-04`, `decided`, …), moved only by ADD, and `label` (the department
id, item name or child region). `<row>` is `dept#<id>`, `item#<code>` or
`sub#<child>#<shard>`; `<scope>` sorts so that a day's rows (`2026-12-06`) come before
their month's (`2026-12~`) and every dated row before the live ones (`~live`): a
region's view — today, this month, now — is ONE Query, `sk >= <today>` (D-208).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError

from shared.platform.aws import dynamodb
from shared.platform.dynamo import Repository, from_item, to_item
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.supervision.config import supervision_settings
from shared.supervision.monitoring import LIVE, Row

DUE_PREFIX = "due."  # a live row's due-date buckets: `due.<limit>.<yyyy-mm-dd>`
_SPENT_ROWS = 10_000


def _bucket_day(name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(name.rsplit(".", 1)[-1])
    except ValueError:
        return dt.date.max  # not a dated bucket: never removed


TRACK_SK = "TRACK"
RULE_PK = "SCRULE"
RULE_CURRENT = "CURRENT"
_RULE_MOVED = "supervision.rule_version_taken"


def counter_pk(region_code: str) -> str:
    return f"MON#{region_code}"


def scope_key(scope: str) -> str:
    """The sort-key prefix of a scope: a day as it is, a month then `~`, live last."""
    if scope == LIVE:
        return "~live"
    return f"{scope}~" if len(scope) == len("2026-12") else scope


def rule_sk(version: int) -> str:
    return f"v#{version:05d}"


class MonitoringStore(Repository):
    def __init__(self, table: str | None = None) -> None:
        super().__init__(table)
        # rows (pk, sk) → due-date buckets their last ADD showed spent (0, dated before that day)
        self._spent: dict[tuple[str, str], frozenset[str]] = {}

    def configured_table(self) -> str:
        return supervision_settings().supervision_table

    # --- case tracks ------------------------------------------------------------------------

    def track_items(self, pks: list[str]) -> dict[str, tuple[dict[str, Any], int]]:
        """Several tracks and their revisions by pk (consistent BatchGetItem; absent ones left out)."""
        found = self.get_items([{"pk": pk, "sk": TRACK_SK} for pk in pks], consistent=True)
        return {str(item["pk"]): (dict(item["track"]), int(item["rev"])) for item in found}

    def track_item(self, pk: str) -> tuple[dict[str, Any] | None, int]:
        item = self.get_item({"pk": pk, "sk": TRACK_SK}, consistent=True)
        if item is None:
            return None, 0
        return dict(item["track"]), int(item["rev"])

    def put_track(self, pk: str, track: Mapping[str, Any], rev: int) -> bool:
        """The new track, only over revision `rev` (optimistic: a concurrent delivery wins, this
        one retries): one conditional PutItem; False when the track moved."""
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "Item": to_item({"pk": pk, "sk": TRACK_SK, "rev": rev + 1, "track": dict(track)}),
            "ConditionExpression": "attribute_not_exists(pk)" if rev == 0 else "#rev = :rev",
        }
        if rev:
            arguments["ExpressionAttributeNames"] = {"#rev": "rev"}
            arguments["ExpressionAttributeValues"] = expression_values(rev=rev)
        try:
            dynamodb().put_item(**arguments)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # --- counter rows -----------------------------------------------------------------------

    def add(self, row: Row, scope: str, deltas: Mapping[str, int], label: str, today: dt.date) -> None:
        """ADD each delta to the row (created on first use), and keep its label: one UpdateItem.

        A live row's due-date buckets (`due.legal.2026-12-04`) stay at 0 once their cases are
        decided, one more a day, and every ADD is billed on the whole row: the ADD answers with
        the row (`ALL_NEW`: no read units), and the next ADD to it from this process REMOVEs the
        buckets it showed at 0 for a day before `today`, which no new case can enter — on the
        condition that they are still 0 or gone; if one moved meanwhile, the plain ADD is made."""
        key = {"pk": counter_pk(row.region_code), "sk": f"{scope_key(scope)}#{row.key}"}
        names = {"#label": "label"}
        parts = []
        numbers: dict[str, Any] = {"label": label}
        for index, (name, delta) in enumerate(sorted(deltas.items())):
            names[f"#a{index}"] = name
            numbers[f"v{index}"] = delta
            parts.append(f"#a{index} :v{index}")
        expression = f"SET #label = :label ADD {', '.join(parts)}"
        spent = sorted(self._spent.pop((key["pk"], key["sk"]), frozenset()) - set(deltas))
        arguments: dict[str, Any] = {
            "TableName": self.table,
            "Key": to_item(key),
            "ReturnValues": "ALL_NEW",
        }
        response: Mapping[str, Any] | None = None
        if spent:
            gone = {f"#z{index}": name for index, name in enumerate(spent)}
            try:
                response = dynamodb().update_item(
                    **arguments,
                    UpdateExpression=f"{expression} REMOVE {', '.join(gone)}",
                    ConditionExpression=" AND ".join(f"(attribute_not_exists({z}) OR {z} = :zero)" for z in gone),
                    ExpressionAttributeNames=names | gone,
                    ExpressionAttributeValues=expression_values(**numbers, zero=0),
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
        if response is None:
            response = dynamodb().update_item(
                **arguments,
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=expression_values(**numbers),
            )
        self._remember_spent(key, from_item(response.get("Attributes") or {}), today)

    def _remember_spent(self, key: Mapping[str, str], stored: Mapping[str, Any], today: dt.date) -> None:
        """The row's due-date buckets at 0 for a day before `today` (what the next ADD removes)."""
        if len(self._spent) >= _SPENT_ROWS:
            self._spent.clear()  # a bound on memory: forgetting only leaves zeros for later
        spent = frozenset(
            name
            for name, value in stored.items()
            if value == 0 and name.startswith(DUE_PREFIX) and _bucket_day(name) < today
        )
        if spent:
            self._spent[(key["pk"], key["sk"])] = spent

    def rows(self, region_code: str, scope: str) -> list[dict[str, Any]]:
        """Every counter row of one scope of a region (one Query), `sk` as the row's key."""
        prefix = f"{scope_key(scope)}#"
        found = self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=expression_values(pk=counter_pk(region_code), prefix=prefix),
        )
        return [{**row, "sk": str(row["sk"])[len(prefix) :]} for row in found]

    def recount_items(self, scope_prefix: str) -> Iterator[dict[str, Any]]:
        """Every track (case and counted subject) and every counter row whose sort key starts with
        `scope_prefix` (`2026-12` for a month's and its days' rows, `~live`): one paginated Scan of
        the table, for the operator's recount (D-265); nothing else reads the table whole."""
        paginator = dynamodb().get_paginator("scan")
        pages = paginator.paginate(
            TableName=self.table,
            FilterExpression="(sk = :track AND (begins_with(pk, :case) OR begins_with(pk, :subject)))"
            " OR (begins_with(pk, :counter) AND begins_with(sk, :scope))",
            ExpressionAttributeValues=expression_values(
                track=TRACK_SK, case="MONCASE#", subject="MONSUBJ#", counter="MON#", scope=scope_prefix
            ),
            ConsistentRead=True,
        )
        for page in pages:
            yield from (from_item(item) for item in page.get("Items", []))

    def correct_row(
        self, key: Mapping[str, str], label: str, corrected: Mapping[str, int], stored: Mapping[str, Any]
    ) -> bool:
        """Set the attributes in `corrected` to their values and the label, only if each still holds
        what `stored` says (absent when not in it): an ADD landing meanwhile on one of them makes
        this a no-op (False); ADDs to the row's other attributes are kept."""
        names = {"#label": "label"}
        numbers: dict[str, Any] = {"label": label}
        sets, removed, conditions = ["#label = :label"], [], []
        for index, (name, value) in enumerate(sorted(corrected.items())):
            names[f"#a{index}"] = name
            if value:
                numbers[f"v{index}"] = value
                sets.append(f"#a{index} = :v{index}")
            else:  # a figure of 0 is an absent one to every reader: kept off the billed row
                removed.append(f"#a{index}")
            if name in stored:
                numbers[f"o{index}"] = stored[name]
                conditions.append(f"#a{index} = :o{index}")
            else:
                conditions.append(f"attribute_not_exists(#a{index})")
        try:
            dynamodb().update_item(
                TableName=self.table,
                Key=to_item(dict(key)),
                UpdateExpression=f"SET {', '.join(sets)}" + (f" REMOVE {', '.join(removed)}" if removed else ""),
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=expression_values(**numbers),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def view_rows(self, region_code: str, today: dt.date) -> dict[str, list[dict[str, Any]]]:
        """The rows of `today`, of its month and live, by scope (ONE Query; `sk` as the row's key).
        Rows of later dates, if an event ever carried one, are read and left out."""
        wanted = {scope_key(scope): scope for scope in (today.isoformat(), today.isoformat()[:7], LIVE)}
        found: dict[str, list[dict[str, Any]]] = {scope: [] for scope in wanted.values()}
        for row in self.query_all(
            KeyConditionExpression="pk = :pk AND sk >= :from",
            ExpressionAttributeValues=expression_values(pk=counter_pk(region_code), **{"from": today.isoformat()}),
        ):
            prefix, _, key = str(row["sk"]).partition("#")
            if prefix in wanted:
                found[wanted[prefix]].append({**row, "sk": key})
        return found

    # --- scoring rules ----------------------------------------------------------------------

    def current_rule(self) -> dict[str, Any] | None:
        pointer = self.get_item({"pk": RULE_PK, "sk": RULE_CURRENT}, consistent=True)
        if pointer is None:
            return None
        return self.rule(int(pointer["version"]))

    def rule(self, version: int) -> dict[str, Any] | None:
        item = self.get_item({"pk": RULE_PK, "sk": rule_sk(version)})
        return item["rule"] if item else None

    def rule_versions(self) -> list[dict[str, Any]]:
        return [
            item["rule"]
            for item in self.query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :v)",
                ExpressionAttributeValues=expression_values(pk=RULE_PK, v="v#"),
                ScanIndexForward=False,
            )
        ]

    def publish_rule(self, rule: Mapping[str, Any], version: int, at: dt.datetime) -> None:
        """Version `version` becomes current, only if the current one is `version - 1` (one publisher wins)."""
        writes = self.transaction()
        writes.put(
            {"pk": RULE_PK, "sk": rule_sk(version), "rule": dict(rule), "published_at": at.isoformat()},
            condition="attribute_not_exists(pk)",
            on_conflict=Conflict(_RULE_MOVED),
        )
        writes.put(
            {"pk": RULE_PK, "sk": RULE_CURRENT, "version": version},
            condition="attribute_not_exists(pk)" if version == 1 else "version = :previous",
            values=None if version == 1 else expression_values(previous=version - 1),
            on_conflict=Conflict(_RULE_MOVED),
        )
        writes.commit()

    # --- month scorecards -------------------------------------------------------------------

    def scorecard(self, region_code: str, month: str) -> dict[str, Any] | None:
        return self.get_item({"pk": f"SCORECARD#{region_code}", "sk": month}, consistent=True)

    def scorecards_between(self, region_code: str, first: str, last: str) -> list[dict[str, Any]]:
        """The region's stored months from `first` to `last` (one Query; consistent: a re-score
        reads the month it has just written as the next month's history)."""
        return list(
            self.query_all(
                KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
                ExpressionAttributeValues=expression_values(pk=f"SCORECARD#{region_code}", first=first, last=last),
                ConsistentRead=True,
            )
        )

    def put_scorecard(self, record: Mapping[str, Any]) -> None:
        writes = self.transaction()
        writes.put({**record, "pk": f"SCORECARD#{record['region_code']}", "sk": record["month"]})
        writes.commit()
