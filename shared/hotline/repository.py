"""HotlineTable access: the only module that knows its keys and indexes.

| record                   | pk                      | sk                       | index keys |
|--------------------------|-------------------------|--------------------------|------------|
| ticket 工单               | `TICKET#<ticket_id>`    | `TICKET`                 | gsi1, gsi2, gsi3 (below) |
| timeline entry           | `TICKET#<ticket_id>`    | `TL#<seq:06d>`           | |
| open-matter marker       | `DEDUPE#<hash>`         | `OPEN`                   | (one requester, matter, place) |
| matter category 事项分类  | `CATEGORIES`            | `<code>`                 | |
| routing rule 派单规则      | `ROUTING`               | `RULE#<category>#<prefix>` | |
| dispatch desk 派单席      | `ROUTING`               | `DESK#<prefix>`          | |
| FAQ entry (head)         | `FAQS`                  | `<faq_id>`               | |
| FAQ version              | `FAQ#<faq_id>`          | `V#<version:06d>`        | |
| Open311 partner          | `PARTNER#<sha256(key)>` | `PARTNER`                | |
| answer text sent         | `SMS#<ticket_id>`       | `<round>`                | (TTL 30 days) |
| outbox                   | `OUTBOX#<first event id>`     | `OUTBOX`                 | (TTL 7 days; stream → relay) |

Indexes:
- gsi1 "tickets of a department", newest first: `DEPT#<department_id>` / `<created_at>#<ticket_id>`; a
  co-handling department gets no entry (it reads the ticket it was named on by id).
- gsi2 "my tickets": `REQ#<subject_id>` / `<created_at>#<ticket_id>` (signed-in requesters); tickets filed
  through Open311 partners: `OPEN311` / `<created_at>#<ticket_id>` (the public request list).
- gsi3 "due for closing" while answered: `FOLLOWUP#<shard>` / `<rating_due_on>#<ticket_id>` — the follow-up
  closer reads each shard up to today (never a Scan); "waiting for a supervisor" while escalated:
  `ESCALATED` / `<department_region_code>#<ticket_id>`, read by region prefix.

Routing reads every candidate rule and desk of a ticket in one BatchGetItem (the keys are
known: category and parent × every prefix of the region), so the table stays editable
without a deploy and routing costs one call however many rules there are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from shared.hotline.config import hotline_settings
from shared.hotline.errors import CHANGED_CONCURRENTLY, FAQ_REVISION
from shared.hotline.models import DispatchDesk, FaqEntry, MatterCategory, RoutingRule, Ticket, TimelineEntry
from shared.hotline.states import Channel, TicketState
from shared.platform.clock import now
from shared.platform.dynamo import Repository, shard_of
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope

TICKET_SK = "TICKET"
TIMELINE_PREFIX = "TL#"
ROUTING_PK = "ROUTING"
FAQS_PK = "FAQS"
CATEGORIES_PK = "CATEGORIES"


class StaleTicket(Conflict):
    default_code = CHANGED_CONCURRENTLY


class MatterOpen(Conflict):
    """The requester already has an open ticket about this matter and place."""

    default_code = CHANGED_CONCURRENTLY


def ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def dedupe_key(dedupe: str) -> dict[str, str]:
    return {"pk": f"DEDUPE#{dedupe}", "sk": "OPEN"}


def rule_key(category_code: str, region_prefix: str) -> dict[str, str]:
    return {"pk": ROUTING_PK, "sk": f"RULE#{category_code}#{region_prefix}"}


def desk_key(region_prefix: str) -> dict[str, str]:
    return {"pk": ROUTING_PK, "sk": f"DESK#{region_prefix}"}


def partner_key(api_key: str) -> dict[str, str]:
    return {"pk": f"PARTNER#{hashlib.sha256(api_key.encode()).hexdigest()}", "sk": "PARTNER"}


def ticket_record(ticket: Ticket, shards: int) -> dict[str, Any]:
    record = ticket.model_dump(mode="json")
    created = f"{record['created_at']}#{ticket.ticket_id}"
    record |= {"pk": ticket_pk(ticket.ticket_id), "sk": TICKET_SK, "kind_of_record": "ticket"}
    if ticket.department_id:
        record |= {"gsi1pk": f"DEPT#{ticket.department_id}", "gsi1sk": created}
    if ticket.requester.subject_id:
        record |= {"gsi2pk": f"REQ#{ticket.requester.subject_id}", "gsi2sk": created}
    elif ticket.channel is Channel.OPEN311:
        record |= {"gsi2pk": "OPEN311", "gsi2sk": created}
    if ticket.state is TicketState.ANSWERED and ticket.rating_due_on:
        shard = shard_of(ticket.ticket_id, shards)
        record |= {"gsi3pk": f"FOLLOWUP#{shard}", "gsi3sk": f"{ticket.rating_due_on.isoformat()}#{ticket.ticket_id}"}
    elif ticket.state is TicketState.ESCALATED:
        record |= {"gsi3pk": "ESCALATED", "gsi3sk": f"{ticket.department_region_code or ''}#{ticket.ticket_id}"}
    return record


def timeline_record(ticket_id: str, entry: TimelineEntry) -> dict[str, Any]:
    return entry.model_dump(mode="json") | {
        "pk": ticket_pk(ticket_id),
        "sk": f"{TIMELINE_PREFIX}{entry.seq:06d}",
        "kind_of_record": "timeline",
    }


class HotlineRepository(Repository):
    def configured_table(self) -> str:
        return hotline_settings().hotline_table

    @property
    def shards(self) -> int:
        return hotline_settings().follow_up_shards

    # --- tickets ---------------------------------------------------------------------------

    def save(
        self,
        ticket: Ticket,
        *,
        expected_version: int | None,
        entries: Sequence[TimelineEntry],
        events: Sequence[Envelope],
        open_marker: str | None = None,
        close_marker: str | None = None,
    ) -> None:
        """One step: the ticket (new, or conditional on `expected_version`), its new timeline
        entries, its events and the open-matter marker's write or removal, in one transaction."""
        transaction = self.transaction()
        if expected_version is None:
            transaction.put(ticket_record(ticket, self.shards), condition="attribute_not_exists(pk)")
        else:
            transaction.put(
                ticket_record(ticket, self.shards),
                condition="version = :expected",
                values=expression_values(expected=expected_version),
                on_conflict=StaleTicket(),
            )
        for entry in entries:
            transaction.put(timeline_record(ticket.ticket_id, entry), condition="attribute_not_exists(pk)")
        if open_marker:
            transaction.put(
                dedupe_key(open_marker) | {"ticket_id": ticket.ticket_id, "kind_of_record": "open_matter"},
                condition="attribute_not_exists(pk)",
                on_conflict=MatterOpen(),
            )
        if close_marker:
            transaction.delete(dedupe_key(close_marker))
        for event in events:
            transaction.emit(event)
        transaction.commit()

    def get(self, ticket_id: str) -> Ticket | None:
        item = self.get_item({"pk": ticket_pk(ticket_id), "sk": TICKET_SK}, consistent=True)
        return Ticket.model_validate(item) if item else None

    def open_ticket_for(self, dedupe: str) -> str | None:
        item = self.get_item(dedupe_key(dedupe), consistent=True)
        return str(item["ticket_id"]) if item else None

    def timeline(self, ticket_id: str) -> list[TimelineEntry]:
        items = self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=expression_values(pk=ticket_pk(ticket_id), prefix=TIMELINE_PREFIX),
            ConsistentRead=True,
        )
        return [TimelineEntry.model_validate(item) for item in items]

    def page(self, index: str, partition: str, *, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]:
        items, next_cursor = self.query_page(
            index=index, partition=(f"{index}pk", partition), limit=limit, cursor=cursor
        )
        return [Ticket.model_validate(item) for item in items], next_cursor

    def due_for_closing(self, shard: int, today: str) -> list[Ticket]:
        """Answered tickets of one shard whose rating limit ended before `today` (gsi3)."""
        items = self.query_all(
            IndexName="gsi3",
            KeyConditionExpression="gsi3pk = :pk AND gsi3sk < :until",
            ExpressionAttributeValues=expression_values(pk=f"FOLLOWUP#{shard}", until=today),
        )
        return [Ticket.model_validate(item) for item in items]

    def escalated(self, region_prefix: str, *, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]:
        items, next_cursor = self.query_page(
            index="gsi3",
            partition=("gsi3pk", "ESCALATED"),
            limit=limit,
            cursor=cursor,
            newest_first=False,
            sort_prefix=("gsi3sk", region_prefix),
        )
        return [Ticket.model_validate(item) for item in items], next_cursor

    # --- routing ---------------------------------------------------------------------------

    def routing_candidates(
        self, categories: Iterable[str], prefixes: Iterable[str]
    ) -> tuple[list[RoutingRule], list[DispatchDesk]]:
        """Every rule for (category, prefix) and every desk for a prefix: one BatchGetItem."""
        prefixes = list(prefixes)
        keys = [rule_key(c, p) for c in categories for p in prefixes] + [desk_key(p) for p in prefixes]
        rules: list[RoutingRule] = []
        desks: list[DispatchDesk] = []
        for item in self.get_items(keys, consistent=True):
            if str(item["sk"]).startswith("RULE#"):
                rules.append(RoutingRule.model_validate(item))
            else:
                desks.append(DispatchDesk.model_validate(item))
        return rules, desks

    def put_rule(self, rule: RoutingRule) -> None:
        self.transaction().put(
            rule_key(rule.category_code, rule.region_prefix) | rule.model_dump(mode="json") | {"kind_of_record": "rule"}
        ).commit()

    def delete_rule(self, category_code: str, region_prefix: str) -> bool:
        from botocore.exceptions import ClientError

        from shared.platform.aws import dynamodb
        from shared.platform.dynamo import to_item

        try:
            dynamodb().delete_item(
                TableName=self.table,
                Key=to_item(rule_key(category_code, region_prefix)),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def put_desk(self, desk: DispatchDesk) -> None:
        self.transaction().put(
            desk_key(desk.region_prefix) | desk.model_dump(mode="json") | {"kind_of_record": "desk"}
        ).commit()

    def routing_table(self) -> tuple[list[RoutingRule], list[DispatchDesk]]:
        rules: list[RoutingRule] = []
        desks: list[DispatchDesk] = []
        for item in self.query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues=expression_values(pk=ROUTING_PK)
        ):
            if str(item["sk"]).startswith("RULE#"):
                rules.append(RoutingRule.model_validate(item))
            else:
                desks.append(DispatchDesk.model_validate(item))
        return rules, desks

    # --- matter categories -------------------------------------------------------------------

    def categories(self) -> list[MatterCategory]:
        """The whole category table (a few dozen rows): one Query."""
        return [
            MatterCategory.model_validate(item)
            for item in self.query_all(
                KeyConditionExpression="pk = :pk", ExpressionAttributeValues=expression_values(pk=CATEGORIES_PK)
            )
        ]

    def put_category(self, category: MatterCategory) -> None:
        self.transaction().put(
            {"pk": CATEGORIES_PK, "sk": category.code}
            | category.model_dump(mode="json")
            | {"kind_of_record": "category"}
        ).commit()

    # --- FAQ -------------------------------------------------------------------------------

    def faqs(self) -> list[FaqEntry]:
        return [
            FaqEntry.model_validate(item)
            for item in self.query_all(
                KeyConditionExpression="pk = :pk", ExpressionAttributeValues=expression_values(pk=FAQS_PK)
            )
        ]

    def faq(self, faq_id: str) -> FaqEntry | None:
        item = self.get_item({"pk": FAQS_PK, "sk": faq_id}, consistent=True)
        return FaqEntry.model_validate(item) if item else None

    def faq_versions(self, faq_id: str) -> list[FaqEntry]:
        return [
            FaqEntry.model_validate(item)
            for item in self.query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :v)",
                ExpressionAttributeValues=expression_values(pk=f"FAQ#{faq_id}", v="V#"),
            )
        ]

    def save_faq(self, entry: FaqEntry) -> None:
        """The new head (conditional on the version it replaces) and its version record."""
        transaction = self.transaction()
        head = {"pk": FAQS_PK, "sk": entry.faq_id} | entry.model_dump(mode="json") | {"kind_of_record": "faq"}
        if entry.version == 1:
            transaction.put(head, condition="attribute_not_exists(pk)", on_conflict=Conflict(FAQ_REVISION))
        else:
            transaction.put(
                head,
                condition="version = :previous",
                values=expression_values(previous=entry.version - 1),
                on_conflict=Conflict(FAQ_REVISION),
            )
        transaction.put(
            {"pk": f"FAQ#{entry.faq_id}", "sk": f"V#{entry.version:06d}"}
            | entry.model_dump(mode="json")
            | {"kind_of_record": "faq_version"},
            condition="attribute_not_exists(pk)",
        )
        transaction.commit()

    # --- texts to account-less requesters -----------------------------------------------------

    def claim_text(self, ticket_id: str, round_: int) -> bool:
        """Mark the answer text of `round_` as sent; False when it was already."""
        expires = int(now().timestamp()) + 30 * 86_400
        try:
            self.transaction().put(
                {"pk": f"SMS#{ticket_id}", "sk": str(round_), "kind_of_record": "text", "expires_at": expires},
                condition="attribute_not_exists(pk)",
            ).commit()
        except Conflict:
            return False
        return True

    def release_text(self, ticket_id: str, round_: int) -> None:
        self.transaction().delete({"pk": f"SMS#{ticket_id}", "sk": str(round_)}).commit()

    # --- Open311 partners -------------------------------------------------------------------

    def partner(self, api_key: str) -> dict[str, Any] | None:
        return self.get_item(partner_key(api_key))

    def put_partner(self, api_key: str, partner_id: str, name: str) -> None:
        self.transaction().put(
            partner_key(api_key) | {"partner_id": partner_id, "name": name, "kind_of_record": "partner"},
            condition="attribute_not_exists(pk)",
        ).commit()
