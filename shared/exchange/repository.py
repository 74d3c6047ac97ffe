"""The only module that knows the Exchange table's keys.

| item | pk | sk |
|---|---|---|
| a message applied (replay guard) | `MSG#<partner>#<message_id>` | `MSG` |
| a partner's message log head | `LOG#<partner>` | `HEAD` (seq, hash) |
| one log entry (raw message, hash-chained) | `LOG#<partner>` | `E#<seq, 10 digits>` |
| a parked message (never applied) | `PARKED#<partner>` | `<received_at>#<id>` |

Recording an applied message is one transaction: the replay guard (must not
exist), the head moved from the seq we read (else someone appended: re-read),
the new entry. Nothing here is ever updated or deleted except the head.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.exchange import errors
from shared.exchange.config import exchange_settings
from shared.platform.dynamo import Repository, values
from shared.platform.errors import Conflict
from shared.platform.hashchain import GENESIS_HASH, ChainCheck, check_chain, link_hash

REPLAYED = Conflict(errors.REPLAYED)
LOG_MOVED = Conflict(errors.LOG_MOVED)
MAX_RAW = 64_000
"""SQS messages are at most 256 KB; a department message is a few hundred bytes."""


@dataclass(frozen=True)
class LogEntry:
    seq: int
    message_id: str
    kind: str
    case_id: str
    received_at: str
    raw: str
    prev_hash: str
    hash: str

    def fields(self, partner: str) -> dict[str, Any]:
        return {
            "partner": partner,
            "seq": self.seq,
            "message_id": self.message_id,
            "kind": self.kind,
            "case_id": self.case_id,
            "received_at": self.received_at,
            "raw": self.raw,
        }


def _entry(item: dict[str, Any]) -> LogEntry:
    return LogEntry(
        seq=int(item["seq"]),
        message_id=item["message_id"],
        kind=item["kind"],
        case_id=item["case_id"],
        received_at=item["received_at"],
        raw=item["raw"],
        prev_hash=item["prev_hash"],
        hash=item["hash"],
    )


class ExchangeRepository(Repository):
    def configured_table(self) -> str:
        return exchange_settings().exchange_table

    def seen(self, partner: str, message_id: str) -> bool:
        return self.get_item({"pk": f"MSG#{partner}#{message_id}", "sk": "MSG"}, consistent=True) is not None

    def head(self, partner: str) -> tuple[int, str]:
        item = self.get_item({"pk": f"LOG#{partner}", "sk": "HEAD"}, consistent=True)
        return (int(item["seq"]), str(item["hash"])) if item else (0, GENESIS_HASH)

    def record(
        self, partner: str, *, message_id: str, kind: str, case_id: str, received_at: str, raw: str, state: str
    ) -> LogEntry:
        """Append the applied message to the partner's log and guard its id against replays.
        Raises `REPLAYED` when the id is already recorded, `LOG_MOVED` when another append won."""
        seq, prev = self.head(partner)
        entry = LogEntry(seq + 1, message_id, kind, case_id, received_at, raw[:MAX_RAW], prev, "")
        entry = LogEntry(**{**entry.__dict__, "hash": link_hash(entry.fields(partner), prev)})
        head_condition = "attribute_not_exists(pk)" if seq == 0 else "seq = :seq"
        (
            self.transaction()
            .put(
                {"pk": f"MSG#{partner}#{message_id}", "sk": "MSG", "seq": entry.seq, "state": state},
                condition="attribute_not_exists(pk)",
                on_conflict=REPLAYED,
            )
            .put(
                {"pk": f"LOG#{partner}", "sk": "HEAD", "seq": entry.seq, "hash": entry.hash},
                condition=head_condition,
                values=values(seq=seq) if seq else None,
                on_conflict=LOG_MOVED,
            )
            .put(
                {"pk": f"LOG#{partner}", "sk": f"E#{entry.seq:010d}", **entry.__dict__},
                condition="attribute_not_exists(pk)",
                on_conflict=LOG_MOVED,
            )
            .commit()
        )
        return entry

    def park(self, partner: str, *, parked_id: str, received_at: str, reason: str, message_id: str, raw: str) -> None:
        self.transaction().put(
            {
                "pk": f"PARKED#{partner}",
                "sk": f"{received_at}#{parked_id}",
                "reason": reason,
                "message_id": message_id,
                "raw": raw[:MAX_RAW],
                "received_at": received_at,
            },
            condition="attribute_not_exists(pk)",
        ).commit()

    def parked(self, partner: str) -> list[dict[str, Any]]:
        return list(
            self.query_all(KeyConditionExpression="pk = :pk", ExpressionAttributeValues=values(pk=f"PARKED#{partner}"))
        )

    def log(self, partner: str) -> list[LogEntry]:
        items = self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
            ExpressionAttributeValues=values(pk=f"LOG#{partner}", e="E#"),
        )
        return [_entry(i) for i in items]

    def verify_log(self, partner: str) -> ChainCheck:
        _, head = self.head(partner)
        return check_chain(
            self.log(partner),
            head,
            seq=lambda e: e.seq,
            prev_hash=lambda e: e.prev_hash,
            stored_hash=lambda e: e.hash,
            fields=lambda e: e.fields(partner),
        )
