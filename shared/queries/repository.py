"""The Queries table (the only module that knows its keys).

- `HOLDER#<p|e>#<subject id or USCC>` / `LOG#<at>#<id>`: one query log entry (查询记录),
  newest first by a Query on the holder's partition;
- same partition / `CACHE#<kind>`: the last answer, reused until `expires_at` (DynamoDB
  TTL on `ttl` deletes it later; reads check `expires_at`, TTL deletion lags).
Keys carry account ids and USCCs, never an ID number.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from shared.platform.aws import dynamodb
from shared.platform.clock import iso
from shared.platform.dynamo import Repository, to_item
from shared.platform.ids import new_id
from shared.queries.config import queries_settings
from shared.queries.models import QueryLogEntry

LOG = "LOG#"


def holder_partition(subject_id: str, uscc: str | None) -> str:
    return f"HOLDER#e#{uscc}" if uscc else f"HOLDER#p#{subject_id}"


class QueriesRepository(Repository):
    def configured_table(self) -> str:
        return queries_settings().queries_table

    def cached(self, holder: str, kind: str, at: dt.datetime) -> dict[str, Any] | None:
        item = self.get_item({"pk": holder, "sk": f"CACHE#{kind}"})
        if item is None or str(item["expires_at"]) <= iso(at):
            return None
        return {"data": json.loads(str(item["data"])), "fetched_at": dt.datetime.fromisoformat(str(item["fetched_at"]))}

    def remember(self, holder: str, kind: str, data: dict[str, Any], fetched_at: dt.datetime, ttl_s: int) -> None:
        expires = fetched_at + dt.timedelta(seconds=ttl_s)
        self._put(
            {
                "pk": holder,
                "sk": f"CACHE#{kind}",
                # as the department sent it (JSON text: numbers stay as they were, no Decimal)
                "data": json.dumps(data, ensure_ascii=False),
                "fetched_at": iso(fetched_at),
                "expires_at": iso(expires),
                "ttl": int(expires.timestamp()) + 60,
            }
        )

    def log(self, holder: str, entry: QueryLogEntry) -> None:
        self._put({"pk": holder, "sk": f"{LOG}{iso(entry.at)}#{new_id()}", **entry.model_dump(mode="json")})

    def _put(self, item: dict[str, Any]) -> None:
        dynamodb().put_item(TableName=self.table, Item=to_item(item))

    def log_page(self, holder: str, *, limit: int, cursor: str | None) -> tuple[list[QueryLogEntry], str | None]:
        items, next_cursor = self.query_page(
            index=None, partition=("pk", holder), limit=limit, cursor=cursor, sort_prefix=("sk", LOG)
        )
        return [QueryLogEntry.model_validate(i) for i in items], next_cursor
