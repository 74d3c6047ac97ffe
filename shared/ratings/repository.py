"""RatingsTable access: the only module that knows its keys and indexes.

| record                      | pk                          | sk               | index keys |
|-----------------------------|-----------------------------|------------------|------------|
| invitation (one per target) | `TARGET#<kind>#<id>`        | `INVITE`         | gsi1 (when the rater has an account) |
| one rating per person       | `TARGET#<kind>#<id>`        | `RATER#<subject>` or `RATER#link` | |
| rating (current revision)   | `RATING#<rating_id>`        | `HEAD`           | gsi1, gsi2, gsi3 |
| revision (a fact)           | `RATING#<rating_id>`        | `REV#<n>`        | |
| rectification order 整改单   | `RECT#<order_id>`           | `RECT`           | gsi2, gsi3, gsi1 once closed |
| score counters              | `SCORE#<department>#<month>`| `SCORE`          | gsi1 |
| pending appeal (index only) | `APPEAL#<rating_id>`        | `APPEAL`         | gsi3 |
| counted event (dedupe)      | `COUNTED#<event id>`        | `COUNTED`        | (TTL 30 days) |
| outbox                      | `OUTBOX#<first event id>`   | `OUTBOX`         | (TTL 7 days; stream → relay) |

Indexes (generic attributes, each record fills what it needs):
- gsi1: a person's invitations `INVITEE#<subject>` and ratings `RATER#<subject>` (newest
  first, the user center); the public exposure column `EXPOSURE` (closed orders, newest
  first); the public counts of a month `SCORES#<month>` / `<region_code>#<department>`
  (a region prefix is a `begins_with`).
- gsi2: a department's ratings `DEPT#<department>` and orders `DEPTRECT#<department>`.
- gsi3: a month's ratings `MONTH#<month>` and orders `RECTS#<month>`, sorted by
  `<region_code>#…` so a supervisor's region prefix is a `begins_with`; pending
  appeals `APPEALS` / `<region_code>#<filed_at>#<rating_id>`.

Nothing is ever Scanned: every listing is one Query of one partition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.platform.aws import dynamodb
from shared.platform.clock import now
from shared.platform.dynamo import Repository, Transaction
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import Conflict, NotFound
from shared.platform.events import Envelope
from shared.ratings.config import ratings_settings
from shared.ratings.errors import (
    ALREADY_CHANGED,
    ALREADY_RATED,
    CHANGED_CONCURRENTLY,
    LINK_INVALID,
)
from shared.ratings.models import Invitation, Level, Rating, RatingRevision, Rectification, RectificationState

HEAD = "HEAD"
INVITE = "INVITE"
RECT = "RECT"
SCORE = "SCORE"
COUNTED_RETENTION = timedelta(days=30)
"""Longer than any redelivery: SQS keeps a message 4 days, the outbox 7."""

CLOSED_STATES = {RectificationState.CLOSED}


class AlreadyRated(Conflict):
    default_code = ALREADY_RATED


class AlreadyChanged(Conflict):
    default_code = ALREADY_CHANGED


class StaleRecord(Conflict):
    default_code = CHANGED_CONCURRENTLY


class AlreadyInvited(Conflict):
    """The target has its invitation (a redelivered event)."""


class AlreadyCounted(Conflict):
    """The rating event was counted before (a redelivered event)."""


class LinkUsed(NotFound):
    default_code = LINK_INVALID


def target_pk(kind: str, target_id: str) -> str:
    return f"TARGET#{kind}#{target_id}"


def rating_pk(rating_id: str) -> str:
    return f"RATING#{rating_id}"


def order_pk(order_id: str) -> str:
    return f"RECT#{order_id}"


def score_key(department_id: str, month: str) -> dict[str, str]:
    return {"pk": f"SCORE#{department_id}#{month}", "sk": SCORE}


def scores_partition(month: str) -> str:
    return f"SCORES#{month}"


def _invitation_record(invitation: Invitation) -> dict[str, Any]:
    record = invitation.model_dump(mode="json") | {
        "pk": target_pk(invitation.target_kind, invitation.target_id),
        "sk": INVITE,
        "kind_of_record": "invitation",
    }
    if invitation.rater_subject_id:
        record |= {
            "gsi1pk": f"INVITEE#{invitation.rater_subject_id}",
            "gsi1sk": f"{record['invited_at']}#{invitation.target_kind}#{invitation.target_id}",
        }
    return record


def _rating_record(rating: Rating) -> dict[str, Any]:
    record = rating.model_dump(mode="json")
    given = f"{record['given_at']}#{rating.rating_id}"
    record |= {
        "pk": rating_pk(rating.rating_id),
        "sk": HEAD,
        "kind_of_record": "rating",
        "gsi2pk": f"DEPT#{rating.department_id}",
        "gsi2sk": given,
        "gsi3pk": f"MONTH#{rating.month}",
        "gsi3sk": f"{rating.region_code}#{given}",
    }
    if rating.rater_subject_id:
        record |= {"gsi1pk": f"RATER#{rating.rater_subject_id}", "gsi1sk": given}
    if rating.handler_subject_id:
        record |= {"gsi4pk": f"HANDLER#{rating.handler_subject_id}", "gsi4sk": given}
    return record


def _revision_record(revision: RatingRevision) -> dict[str, Any]:
    return revision.model_dump(mode="json") | {
        "pk": rating_pk(revision.rating_id),
        "sk": f"REV#{revision.revision}",
        "kind_of_record": "rating_revision",
    }


def _appeal_index(rating: Rating) -> dict[str, str]:
    """The pending-appeal entry supervisors list (an index entry, removed once decided;
    the appeal itself stays on the rating)."""
    assert rating.appeal is not None
    return {
        "gsi3pk": "APPEALS",
        "gsi3sk": f"{rating.region_code}#{rating.appeal.filed_at.isoformat()}#{rating.rating_id}",
    }


def _order_record(order: Rectification) -> dict[str, Any]:
    record = order.model_dump(mode="json")
    opened = f"{record['opened_at']}#{order.order_id}"
    record |= {
        "pk": order_pk(order.order_id),
        "sk": RECT,
        "kind_of_record": "rectification",
        "gsi2pk": f"DEPTRECT#{order.department_id}",
        "gsi2sk": opened,
        "gsi3pk": f"RECTS#{order.month}",
        "gsi3sk": f"{order.region_code}#{opened}",
    }
    if order.state in CLOSED_STATES and order.closed_reason != "appeal_upheld":
        # the exposure column: rectified 差评, newest first (an upheld appeal is no 差评 to expose)
        record |= {"gsi1pk": "EXPOSURE", "gsi1sk": f"{record['closed_at']}#{order.order_id}"}
    return record


@dataclass(frozen=True)
class ScoreChange:
    """Atomic additions to one department-month counter record."""

    department_id: str
    region_code: str
    month: str
    deltas: dict[str, int]


def _add_to_counters(transaction: Transaction, score: ScoreChange) -> None:
    """ADDs (atomic, commutative) on the department-month record; the index keys name the
    department, region and month (one short expression: cheap to apply)."""
    names = {f"#c{i}": name for i, name in enumerate(score.deltas)}
    adds = ", ".join(f"#c{i} :d{i}" for i in range(len(score.deltas)))
    transaction.update(
        score_key(score.department_id, score.month),
        f"SET gsi1pk = :index, gsi1sk = :sort ADD {adds}",
        names=names,
        values=expression_values(
            index=scores_partition(score.month),
            sort=f"{score.region_code}#{score.department_id}",
            **{f"d{i}": delta for i, delta in enumerate(score.deltas.values())},
        ),
    )


def counter_identity(record: dict[str, Any]) -> tuple[str, str, str]:
    """(department, region, month) of a counter record, from its index keys."""
    region, _, department = str(record["gsi1sk"]).partition("#")
    return department, region, str(record["gsi1pk"]).removeprefix("SCORES#")


class RatingsRepository(Repository):
    def configured_table(self) -> str:
        return ratings_settings().ratings_table

    # --- invitations ----------------------------------------------------------------------

    def invite(self, invitation: Invitation, events: Sequence[Envelope]) -> bool:
        """The target's invitation and its events; False when it exists (nothing written)."""
        transaction = self.transaction()
        transaction.put(
            _invitation_record(invitation), condition="attribute_not_exists(pk)", on_conflict=AlreadyInvited()
        )
        for event in events:
            transaction.emit(event)
        try:
            transaction.commit()
        except AlreadyInvited:
            return False
        return True

    def invitation(self, kind: str, target_id: str) -> Invitation | None:
        item = self.get_item({"pk": target_pk(kind, target_id), "sk": INVITE}, consistent=True)
        return Invitation.model_validate(item) if item else None

    def set_link(self, invitation: Invitation) -> None:
        """A new one-time link (the previous unused one stops working)."""
        dynamodb().update_item(
            TableName=self.table,
            Key={"pk": {"S": target_pk(invitation.target_kind, invitation.target_id)}, "sk": {"S": INVITE}},
            UpdateExpression="SET link_hash = :hash, link_expires_at = :expires",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=expression_values(
                hash=invitation.link_hash,
                expires=invitation.link_expires_at.isoformat() if invitation.link_expires_at else None,
            ),
        )

    def rater_marker(self, kind: str, target_id: str, rater: str) -> str | None:
        item = self.get_item({"pk": target_pk(kind, target_id), "sk": f"RATER#{rater}"}, consistent=True)
        return str(item["rating_id"]) if item else None

    # --- ratings --------------------------------------------------------------------------

    def rate(
        self,
        rating: Rating,
        revision: RatingRevision,
        *,
        rater: str,
        link_hash: str | None,
        order: Rectification | None,
        events: Sequence[Envelope],
    ) -> None:
        """A first rating: the one-per-person marker (`AlreadyRated` when it exists), the
        rating, its first revision, the link used up (for a link rating), the order a
        差评 opens and the events — one transaction."""
        transaction = self.transaction()
        transaction.put(
            {
                "pk": target_pk(rating.target_kind, rating.target_id),
                "sk": f"RATER#{rater}",
                "kind_of_record": "rater_marker",
                "rating_id": rating.rating_id,
            },
            condition="attribute_not_exists(pk)",
            on_conflict=AlreadyRated(),
        )
        transaction.put(_rating_record(rating), condition="attribute_not_exists(pk)")
        transaction.put(_revision_record(revision), condition="attribute_not_exists(pk)")
        if link_hash is not None:
            # single use: the hash is removed in the same transaction, so a second use finds none
            transaction.update(
                {"pk": target_pk(rating.target_kind, rating.target_id), "sk": INVITE},
                "REMOVE link_hash, link_expires_at",
                condition="link_hash = :hash",
                values=expression_values(hash=link_hash),
                on_conflict=LinkUsed(),
            )
        if order is not None:
            transaction.put(_order_record(order), condition="attribute_not_exists(pk)")
        for event in events:
            transaction.emit(event)
        transaction.commit()

    def rating(self, rating_id: str) -> Rating | None:
        item = self.get_item({"pk": rating_pk(rating_id), "sk": HEAD}, consistent=True)
        return Rating.model_validate(item) if item else None

    def revisions(self, rating_id: str) -> list[RatingRevision]:
        items = self.query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=expression_values(pk=rating_pk(rating_id), prefix="REV#"),
            ConsistentRead=True,
        )
        return [RatingRevision.model_validate(item) for item in items]

    def save(
        self,
        *,
        rating: Rating | None = None,
        rating_version: int | None = None,
        revision: RatingRevision | None = None,
        order: Rectification | None = None,
        order_version: int | None = None,
        score: ScoreChange | None = None,
        appeal_entry: tuple[Rating, bool] | None = None,
        events: Sequence[Envelope] = (),
    ) -> None:
        """One step: the rating and/or the order, each conditional on the version read
        (`order_version` None: a new order), a new revision (`AlreadyChanged` when it
        exists), a score counter update, the pending-appeal entry put (True) or removed
        (False) and the events — one transaction."""
        transaction = self.transaction()
        if rating is not None:
            transaction.put(
                _rating_record(rating),
                condition="version = :expected",
                values=expression_values(expected=rating_version),
                on_conflict=StaleRecord(),
            )
        if revision is not None:
            transaction.put(
                _revision_record(revision), condition="attribute_not_exists(pk)", on_conflict=AlreadyChanged()
            )
        if order is not None:
            if order_version is None:
                transaction.put(_order_record(order), condition="attribute_not_exists(pk)")
            else:
                transaction.put(
                    _order_record(order),
                    condition="version = :expected",
                    values=expression_values(expected=order_version),
                    on_conflict=StaleRecord(),
                )
        if score is not None:
            _add_to_counters(transaction, score)
        if appeal_entry is not None:
            appealed, pending = appeal_entry
            key = {"pk": f"APPEAL#{appealed.rating_id}", "sk": "APPEAL"}
            if pending:
                transaction.put(key | _appeal_index(appealed) | {"rating_id": appealed.rating_id})
            else:
                transaction.delete(key)
        for event in events:
            transaction.emit(event)
        transaction.commit()

    def ratings_page(
        self, index: str, partition: str, *, limit: int, cursor: str | None, prefix: str | None = None
    ) -> tuple[list[Rating], str | None]:
        items, next_cursor = self.query_page(
            index=index,
            partition=(f"{index}pk", partition),
            limit=limit,
            cursor=cursor,
            sort_prefix=(f"{index}sk", prefix) if prefix else None,
        )
        return [Rating.model_validate(item) for item in items], next_cursor

    def invitations_page(
        self, subject_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Invitation], str | None]:
        items, next_cursor = self.query_page(
            index="gsi1", partition=("gsi1pk", f"INVITEE#{subject_id}"), limit=limit, cursor=cursor
        )
        return [Invitation.model_validate(item) for item in items], next_cursor

    # --- rectification orders ------------------------------------------------------------

    def pending_appeals(self, region_prefix: str, *, limit: int, cursor: str | None) -> tuple[list[str], str | None]:
        """Rating ids with an appeal waiting for a decision, in a region (gsi3 `APPEALS`)."""
        items, next_cursor = self.query_page(
            index="gsi3",
            partition=("gsi3pk", "APPEALS"),
            limit=limit,
            cursor=cursor,
            newest_first=False,
            sort_prefix=("gsi3sk", region_prefix),
        )
        return [str(item["rating_id"]) for item in items], next_cursor

    def ratings_by_id(self, rating_ids: Sequence[str]) -> dict[str, Rating]:
        items = self.get_items([{"pk": rating_pk(i), "sk": HEAD} for i in rating_ids])
        return {str(item["rating_id"]): Rating.model_validate(item) for item in items}

    def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, Rectification]:
        items = self.get_items([{"pk": order_pk(i), "sk": RECT} for i in order_ids])
        return {str(item["order_id"]): Rectification.model_validate(item) for item in items}

    def rated_markers(self, targets: Sequence[tuple[str, str]], rater: str) -> set[tuple[str, str]]:
        """Which of `targets` the rater has rated (one BatchGetItem)."""
        keys = [{"pk": target_pk(kind, target_id), "sk": f"RATER#{rater}"} for kind, target_id in targets]
        found = self.get_items(keys, projection="pk")
        rated = {str(item["pk"]) for item in found}
        return {(kind, target_id) for kind, target_id in targets if target_pk(kind, target_id) in rated}

    def order(self, order_id: str) -> Rectification | None:
        item = self.get_item({"pk": order_pk(order_id), "sk": RECT}, consistent=True)
        return Rectification.model_validate(item) if item else None

    def orders_page(
        self, index: str, partition: str, *, limit: int, cursor: str | None, prefix: str | None = None
    ) -> tuple[list[Rectification], str | None]:
        items, next_cursor = self.query_page(
            index=index,
            partition=(f"{index}pk", partition),
            limit=limit,
            cursor=cursor,
            sort_prefix=(f"{index}sk", prefix) if prefix else None,
        )
        return [Rectification.model_validate(item) for item in items], next_cursor

    # --- score counters -------------------------------------------------------------------

    def count(self, event_id: str, score: ScoreChange) -> bool:
        """Apply one rating event to its department-month counters, once: the event's
        marker and the atomic ADDs in one transaction; False when counted before. A
        redelivery is usually caught by one read (cheaper than a refused transaction);
        the marker's condition is what guarantees it."""
        marker = {"pk": f"COUNTED#{event_id}", "sk": "COUNTED"}
        if self.get_item(marker, consistent=True):
            return False
        transaction = self.transaction()
        transaction.put(
            marker
            | {
                "kind_of_record": "counted",
                "expires_at": int((now() + COUNTED_RETENTION).timestamp()),
            },
            condition="attribute_not_exists(pk)",
            on_conflict=AlreadyCounted(),
        )
        _add_to_counters(transaction, score)
        try:
            transaction.commit()
        except AlreadyCounted:
            return False
        return True

    def counters(self, department_id: str, month: str) -> dict[str, Any] | None:
        return self.get_item(score_key(department_id, month), consistent=True)

    def counters_page(
        self, month: str, *, region_prefix: str | None, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        return self.query_page(
            index="gsi1",
            partition=("gsi1pk", scores_partition(month)),
            limit=limit,
            cursor=cursor,
            newest_first=False,
            sort_prefix=("gsi1sk", region_prefix) if region_prefix else None,
        )

    def department_ratings(self, department_id: str) -> list[Rating]:
        """Every rating of a department (the counters' rebuild check reads it: one
        partition of gsi2)."""
        items = self.query_all(
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :pk",
            ExpressionAttributeValues=expression_values(pk=f"DEPT#{department_id}"),
        )
        return [Rating.model_validate(item) for item in items]


LEVEL_ATTRIBUTES = {level: f"n_{level.value}" for level in Level}
"""The counter attribute of each level on a department-month record."""
