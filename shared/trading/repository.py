"""The Trading table.

| item   | pk                    | sk       | notes |
|--------|-----------------------|----------|-------|
| notice | `NOTICE#<notice_id>`  | `NOTICE` | gsi1 `NOTICES` / `<division>#<published_at>#<id>`: the public list |
|        |                       |          | `search_text`: title and content folded for the keyword filter (D-306) |
|        |                       |          | gsi2 `KIND#<kind>` / the same sort key: one kind's list (D-311) |
|        |                       |          | gsi3, awarded only: `RESULTS` / `<division>#<awarded_at>#<id>` (D-311) |
| outbox | as every table (shared.platform.dynamo) | | |
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from shared.platform.dynamo import QueryFilter, Repository, Transaction, values
from shared.platform.errors import Conflict
from shared.platform.events import Envelope
from shared.trading.config import trading_settings
from shared.trading.errors import VERSION_CONFLICT
from shared.trading.models import Notice

PUBLIC_PARTITION = "NOTICES"
RESULTS_PARTITION = "RESULTS"


def folded(text: str) -> str:
    """What a keyword is matched in and with: NFKC (full-width letters and digits to ASCII),
    Latin letters lower-cased, runs of white space one space. DynamoDB's contains() is exact."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def _matching(term: str | None) -> QueryFilter | None:
    """The filter for a folded keyword; a notice stored before D-306 has no search text and is
    matched in its title and content as written."""
    if term is None:
        return None
    return QueryFilter(
        "contains(#s, :q) OR (attribute_not_exists(#s) AND (contains(#t, :q) OR contains(#c, :q)))",
        {"#s": "search_text", "#t": "title", "#c": "content"},
        {"q": term},
    )


def notice_key(notice_id: str) -> dict[str, str]:
    return {"pk": f"NOTICE#{notice_id}", "sk": "NOTICE"}


def stored(notice: Notice) -> dict[str, Any]:
    item = (
        notice.record()
        | notice_key(notice.notice_id)
        | {
            "kind_of_item": "notice",
            "gsi1pk": PUBLIC_PARTITION,
            "gsi1sk": f"{notice.region_code}#{notice.published_at.isoformat()}#{notice.notice_id}",
            "gsi2pk": f"KIND#{notice.kind.value}",
            # the title first, apart from the content, so that no match spans the two
            "search_text": f"{folded(notice.title)}\n{folded(notice.content)}",
        }
    )
    if notice.awarded_at is not None:  # only results are in gsi3
        item |= {
            "gsi3pk": RESULTS_PARTITION,
            "gsi3sk": f"{notice.region_code}#{notice.awarded_at.isoformat()}#{notice.notice_id}",
        }
    return item


class TradingRepository(Repository):
    def configured_table(self) -> str:
        return trading_settings().trading_table

    def notice(self, notice_id: str) -> Notice | None:
        item = self.get_item(notice_key(notice_id), consistent=True)
        return Notice.model_validate(item) if item else None

    def save(self, notice: Notice, *, expected_version: int | None, events: Sequence[Envelope]) -> Notice:
        """A new notice (`expected_version` None) or version `expected_version + 1` of one, with its events."""
        saved = notice if expected_version is None else notice.model_copy(update={"version": expected_version + 1})
        tx: Transaction = self.transaction()
        if expected_version is None:
            tx.put(stored(saved), condition="attribute_not_exists(pk)")
        else:
            tx.put(
                stored(saved),
                condition="#v = :v",
                names={"#v": "version"},
                values=values(v=expected_version),
                on_conflict=Conflict(VERSION_CONFLICT),
            )
        for envelope in events:
            tx.emit(envelope)
        tx.commit()
        return saved

    def public(
        self, division_prefix: str, *, kind: str | None, term: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Notice], str | None]:
        """Notices of the division and below, newest first within each division; of one kind and
        containing the folded keyword `term` if given."""
        index, partition = ("gsi2", ("gsi2pk", f"KIND#{kind}")) if kind else ("gsi1", ("gsi1pk", PUBLIC_PARTITION))
        rows, following = self.query_page(
            index=index,
            partition=partition,
            limit=limit,
            cursor=cursor,
            sort_prefix=("gsi1sk", division_prefix),
            where=_matching(term),
        )
        return [Notice.model_validate(row) for row in rows], following

    def results(
        self, division_prefix: str, *, term: str | None = None, limit: int, cursor: str | None
    ) -> tuple[list[Notice], str | None]:
        """Awarded notices of the division and below, newest result first within each division;
        containing the folded keyword `term` if given."""
        rows, following = self.query_page(
            index="gsi3",
            partition=("gsi3pk", RESULTS_PARTITION),
            limit=limit,
            cursor=cursor,
            sort_prefix=("gsi3sk", division_prefix),
            where=_matching(term),
        )
        return [Notice.model_validate(row) for row in rows], following
