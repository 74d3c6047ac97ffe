"""CatalogTable access: the only module that knows its keys and indexes.

Layout (one table, the template's `CatalogTable`):

| record                       | pk                  | sk                       | indexes           |
|------------------------------|---------------------|--------------------------|-------------------|
| region 行政区划               | `REGION`            | `<code>`                 |                   |
| department 部门               | `DEPT`              | `<region_code>#<id>`     |                   |
| basic item 基本目录 (三级四同) | `BASIC#<basic>`     | `BASIC`                  |                   |
| implementation draft 草稿     | `IMPL#<code>`       | `DRAFT`                  |                   |
| published/retired head       | `IMPL#<code>`       | `HEAD`                   | gsi1, gsi2 (published only) |
| version snapshot 版本         | `IMPL#<code>`       | `V#0001`, `V#0002`, …    |                   |
| search term 检索词 (published) | `TERM#<term>`      | `<flag>#<region>#<code>` |                   |
| every published item         | `ITEMS#<province2>` | `A#<region>#<code>`      |                   |
| licence type (copy, D-101)   | `LTYPE#<type code>` | `LTYPE`                  |                   |
| outbox event                 | `OUTBOX#<first event id>` | `OUTBOX`                 | (stream → relay)  |

- gsi1: `gsi1pk = REGION#<region_code>`, `gsi1sk = <item_type>#<basic_code>#<implementation_code>`
  — search within a division, optionally narrowed to one type with begins_with.
- gsi2: `gsi2pk = DEPT#<department_id>`, `gsi2sk = <basic_code>#<implementation_code>`
  — a department's items.
- search terms (`shared.catalog.search_text`): one record per distinct term of
  a published item, written and removed in the same transaction as its head,
  carrying the item's summary, so a search reads nothing else. The region
  code in the sort key makes a subtree (`32`, `3201`, `320115`, `320115001`)
  one `begins_with`; the flag before it (P/N/O: where the term stands in the
  name) makes each ranking class a key range. `ITEMS#<province>` lists every
  published item the same way for a search without keywords.
Only a *published* head carries the index attributes and term records, so
searches never see drafts or retired items. Nothing here Scans.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel

from shared.catalog.codes import region_scope
from shared.catalog.config import catalog_settings
from shared.catalog.errors import DRAFT_CONFLICT, THREE_LEVEL_MISMATCH
from shared.catalog.licence_types import LicenceTypeCopies
from shared.catalog.models import (
    Department,
    ItemDetail,
    ItemSummary,
    ItemVersion,
    Region,
    Scene,
    Synonym,
)
from shared.catalog.search_text import (
    ELSEWHERE,
    NAME_LATER,
    NAME_PREFIX,
    lead_term,
    normalise,
    pinyin_forms,
    search_text,
    term_entries,
)
from shared.codes.divisions import ancestors_of
from shared.platform.aws import dynamodb
from shared.platform.dynamo import Repository, Transaction, from_item, to_item
from shared.platform.dynamo import values as expression_values
from shared.platform.errors import AppError, BadRequest, Conflict, ValidationFailed
from shared.platform.events import Envelope
from shared.platform.pagination import Page, decode_cursor, encode_cursor
from shared.platform.public import lazy_module

if TYPE_CHECKING:
    from shared.catalog import snapshots, writes
    from shared.catalog.writes import BasicItem, ItemCaps, ItemDraft
else:
    # the open-data file's shapes (the publisher's) and the operator's (writes and drafts): D-316
    snapshots = lazy_module("shared.catalog.snapshots")
    writes = lazy_module("shared.catalog.writes")

REGION_PARTITION = "REGION"
DEPARTMENT_PARTITION = "DEPT"
DRAFT_SK = "DRAFT"
HEAD_SK = "HEAD"
BASIC_SK = "BASIC"
VERSION_PREFIX = "V#"

_BATCH_WRITE_MAX = 25
_BATCH_GET_MAX = 100
# With a FilterExpression, each Query call evaluates this many index entries;
# large enough to fill a page in one or two calls, small enough that a rare
# keyword does not read a whole megabyte per call.
_FILTERED_QUERY_BATCH = 100
# A request stops after this many Query calls even if the page is not full;
# the cursor then resumes right after the last evaluated entry, so nothing
# is skipped, and one request's cost stays bounded.
_MAX_QUERY_CALLS_PER_PAGE = 8
# Term records a typo-tolerant retry reads per lead term (one Query page each).
_TYPO_BATCH = 300

# Parts of the guide stored as JSON text: nothing ever filters inside them, a
# map would drop JSON nulls (`"default": null` in a form schema), turn numbers
# into Decimals and count against DynamoDB's 32-level nesting limit, and one
# string attribute is cheaper to write, stream and read back than hundreds of
# nested ones.
_DOCUMENT_FIELDS = ("form_schema", "materials", "halls")
_SUMMARY_ATTRIBUTES = tuple(ItemSummary.model_fields)
# Term records per item: every term op of a re-publish (old removed + new
# written) must fit one transaction beside its 5 other items (≤ 100), so an
# item indexes at most this many; name terms come first, then tags, codes
# and the department. A term beyond the cap is still matched by the keyword
# filter, just never used to look an item up.
MAX_TERM_RECORDS = 47
TERM_PARTITION = "TERM#"
SYNONYM_PARTITION = "SYNONYM"
SCENE_PARTITION = "SCENE"  # sk = scene id, which starts with its division's code (D-260)
HOT_PARTITION = "HOT#"  # + the day; sk = the normalised query (D-280)
ALL_ITEMS_PARTITION = "ITEMS#"
ALL_ITEMS_FLAG = "A"
_TERM_KEYS = ("pk", "sk")
_TERM_ATTRIBUTES = (*_SUMMARY_ATTRIBUTES, "pk", "sk")
_NEAR_ATTRIBUTES = (*_SUMMARY_ATTRIBUTES, "search_text")

_INDEX_KEYS = {
    None: ("pk", "sk"),
    "gsi1": ("pk", "sk", "gsi1pk", "gsi1sk"),
    "gsi2": ("pk", "sk", "gsi2pk", "gsi2sk"),
}


def _item_key(code: str, sk: str) -> dict[str, str]:
    return {"pk": f"IMPL#{code}", "sk": sk}


def _basic_key(basic_code: str) -> dict[str, str]:
    return {"pk": f"BASIC#{basic_code}", "sk": BASIC_SK}


def _region_key(code: str) -> dict[str, str]:
    return {"pk": REGION_PARTITION, "sk": code}


def _department_key(region_code: str, department_id: str) -> dict[str, str]:
    return {"pk": DEPARTMENT_PARTITION, "sk": f"{region_code}#{department_id}"}


def version_sort_key(version: int) -> str:
    return f"{VERSION_PREFIX}{version:04d}"


def _record(model: BaseModel, key: Mapping[str, str], kind: str, **extra: Any) -> dict[str, Any]:
    data = model.model_dump(mode="json")
    for name in _DOCUMENT_FIELDS:
        if name in data:
            data[f"{name}_json"] = json.dumps(data.pop(name), ensure_ascii=False, separators=(",", ":"))
    return {**key, "kind": kind, **data, **extra}


def _from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(record)
    for name in _DOCUMENT_FIELDS:
        if f"{name}_json" in data:
            data[name] = json.loads(data.pop(f"{name}_json"))
    return data


def _head_record(item: ItemDetail) -> dict[str, Any]:
    """The head record; only a published head is visible to the indexes."""
    extra: dict[str, Any] = {"search_text": _search_text_of(item)}
    if item.status == "published":
        extra |= {
            "gsi1pk": f"REGION#{item.region_code}",
            "gsi1sk": f"{item.item_type.value}#{item.basic_code}#{item.implementation_code}",
            "gsi2pk": f"DEPT#{item.department_id}",
            "gsi2sk": f"{item.basic_code}#{item.implementation_code}",
        }
    return _record(item, _item_key(item.implementation_code, HEAD_SK), "item_head", **extra)


def _term_records(item: ItemDetail) -> list[dict[str, Any]]:
    """The search records of a published item (none for a retired one)."""
    if item.status != "published":
        return []
    summary = item.model_dump(mode="json", include=set(_SUMMARY_ATTRIBUTES))
    body = {
        **summary,
        "kind": "item_term",
        "name_norm": normalise(item.name),
        "search_text": _search_text_of(item),
    }
    tail = f"{item.region_code}#{item.implementation_code}"
    records = [{"pk": f"{ALL_ITEMS_PARTITION}{item.region_code[:2]}", "sk": f"{ALL_ITEMS_FLAG}#{tail}", **body}]
    others = [item.basic_code, item.implementation_code, item.department_name]
    for entry in term_entries(item.name, item.tags, others)[: MAX_TERM_RECORDS - 1]:
        records.append({"pk": f"{TERM_PARTITION}{entry.term}", "sk": f"{entry.flag}#{tail}", **body})
    return records


def _search_text_of(item: ItemDetail) -> str:
    fields = [item.name, item.basic_code, item.implementation_code, item.department_name, *item.tags]
    return search_text([*fields, *pinyin_forms([item.name, *item.tags])])


def _rank(name: str, phrase: str, has_keywords: bool) -> int:
    """Ranking class of a name for a query phrase: 0 exact, 1 prefix, 2 substring, 3 elsewhere."""
    if not has_keywords:
        return 0
    if name == phrase:
        return 0
    if name.startswith(phrase):
        return 1
    return 2 if phrase in name else 3


def _within_one(word: str, text: str) -> bool:
    """Whether `text` holds `word` or a string of its length with one character changed."""
    if word in text:
        return True
    size = len(word)
    return any(
        sum(a != b for a, b in zip(word, text[start : start + size], strict=True)) == 1
        for start in range(len(text) - size + 1)
    )


class WriteState(NamedTuple):
    """Everything a draft write or publish decides on, read in one BatchGetItem."""

    draft: ItemDraft | None
    head: ItemDetail | None
    basic: BasicItem | None
    department: Department | None = None
    region: Region | None = None


class ItemFilter(NamedTuple):
    """Search criteria after the service applied its defaults."""

    region_code: str | None
    department_id: str | None
    item_type: str | None
    keywords: Sequence[str]
    channel: str | None
    applicant_kind: str | None
    near: str | None = None  # the person's division, when known: nearer divisions rank first
    subtree: bool = True  # the division and everything below it; False: that division alone


class _Segment(NamedTuple):
    """One step of a ranked search: a key range of the term records (`pk`,
    `begins_with(sk, prefix)`) with its filter, or (pk None) the items of the
    person's own divisions of one ranking class, read from gsi1 and held in memory."""

    pk: str | None
    prefix: str
    clauses: tuple[tuple[str, str, Any], ...] = ()
    rank: int = 0


class _Expression:
    """Builds a FilterExpression with its placeholder names and values."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def _placeholders(self, attribute: str, value: Any) -> tuple[str, str]:
        index = len(self.values)
        self.names[f"#f{index}"] = attribute
        self.values.update(expression_values(**{f"f{index}": value}))
        return f"#f{index}", f":f{index}"

    def equals(self, attribute: str, value: Any) -> None:
        name, placeholder = self._placeholders(attribute, value)
        self.clauses.append(f"{name} = {placeholder}")

    def contains(self, attribute: str, value: Any) -> None:
        name, placeholder = self._placeholders(attribute, value)
        self.clauses.append(f"contains({name}, {placeholder})")

    def add(self, template: str, attribute: str, value: Any) -> None:
        """A clause written with `{name}` and `{value}` (a list gives `{value}` as `:a, :b`)."""
        if isinstance(value, list | tuple):
            index = len(self.values)
            self.names[f"#f{index}"] = attribute
            holders = []
            for position, each in enumerate(value):
                self.values.update(expression_values(**{f"f{index}_{position}": each}))
                holders.append(f":f{index}_{position}")
            self.clauses.append(template.format(name=f"#f{index}", value=", ".join(holders)))
            return
        name, placeholder = self._placeholders(attribute, value)
        self.clauses.append(template.format(name=name, value=placeholder))

    @property
    def text(self) -> str | None:
        return " AND ".join(self.clauses) or None


class CatalogRepository(Repository):
    def configured_table(self) -> str:
        return catalog_settings().catalog_table

    # --- the catalogue's copy of the licence-type directory (D-101) ------------------

    def licence_type_statuses(self, codes: Iterable[str]) -> dict[str, str]:
        """`active` or `retired` per code, as the last `licence_type.changed` seen said; a code
        never seen is absent (one BatchGetItem)."""
        keys = [{"pk": f"LTYPE#{code}", "sk": "LTYPE"} for code in sorted(set(codes))]
        return {str(row["pk"]).removeprefix("LTYPE#"): str(row["status"]) for row in self.get_items(keys)}

    def record_licence_type(self, code: str, *, name: str, status: str, version: int) -> bool:
        """Keep the newest version seen; False when the stored copy is as new or newer."""
        return LicenceTypeCopies(self._table).record(code, name=name, status=status, version=version)

    # --- regions ------------------------------------------------------------------

    def put_regions(self, regions: Sequence[Region]) -> None:
        records = [_record(region, _region_key(region.code), "region") for region in regions]
        self._batch_put(records)

    def get_regions(self, codes: Iterable[str]) -> dict[str, Region]:
        """The divisions among `codes` that exist, by code (BatchGetItem, 100 keys a call)."""
        keys = [_region_key(code) for code in sorted(set(codes))]
        regions = (Region.model_validate(row) for row in self.get_items(keys, consistent=True))
        return {region.code: region for region in regions}

    def get_region(self, code: str) -> Region | None:
        raw = self.get_item(_region_key(code))
        return Region.model_validate(raw) if raw else None

    def list_regions(
        self, *, parent_code: str | None, level: str | None, limit: int, cursor: str | None
    ) -> Page[Region]:
        condition = "pk = :pk"
        key_values: dict[str, Any] = {"pk": REGION_PARTITION}
        prefix = ""
        if parent_code:
            # children share the parent's scope prefix; the filter drops the parent itself
            prefix = region_scope(parent_code)
            condition += " AND begins_with(sk, :prefix)"
            key_values["prefix"] = prefix
        expression = _Expression()
        if parent_code:
            expression.equals("parent_code", parent_code)
        if level:
            expression.equals("level", level)
        rows, next_key = self._query_page(
            index=None,
            key_condition=condition,
            key_values=key_values,
            expression=expression,
            limit=limit,
            cursor=cursor,
            partition={"pk": REGION_PARTITION},
            projection=None,
            sort_prefix=("sk", prefix),
        )
        return Page[Region](items=[Region.model_validate(row) for row in rows], next_cursor=encode_cursor(next_key))

    # --- departments --------------------------------------------------------------

    def put_departments(self, departments: Sequence[Department]) -> None:
        records = [
            _record(department, _department_key(department.region_code, department.id), "department")
            for department in departments
        ]
        self._batch_put(records)

    def department_names(self, region_code: str, department_ids: Sequence[str]) -> dict[str, str]:
        """Names of the departments registered at one division, by id (one BatchGetItem)."""
        if not department_ids:
            return {}
        rows = self._batch_get([_department_key(region_code, d) for d in dict.fromkeys(department_ids)])
        return {str(row["id"]): str(row["name"]) for row in rows.values()}

    def implements(self, department_id: str, basic_code: str) -> bool:
        """Whether the department has a published implementation of the basic item (gsi2)."""
        response = dynamodb().query(
            TableName=self.table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :pk AND begins_with(gsi2sk, :basic)",
            ExpressionAttributeValues=expression_values(pk=f"DEPT#{department_id}", basic=f"{basic_code}#"),
            Limit=1,
        )
        return bool(response.get("Items"))

    def list_departments(self, *, region_prefix: str | None, limit: int, cursor: str | None) -> Page[Department]:
        condition = "pk = :pk"
        key_values: dict[str, Any] = {"pk": DEPARTMENT_PARTITION}
        if region_prefix:
            condition += " AND begins_with(sk, :prefix)"
            key_values["prefix"] = region_prefix
        rows, next_key = self._query_page(
            index=None,
            key_condition=condition,
            key_values=key_values,
            expression=_Expression(),
            limit=limit,
            cursor=cursor,
            partition={"pk": DEPARTMENT_PARTITION},
            projection=None,
            sort_prefix=("sk", region_prefix or ""),
        )
        return Page[Department](
            items=[Department.model_validate(row) for row in rows], next_cursor=encode_cursor(next_key)
        )

    def set_caps(self, basic_code: str, caps: ItemCaps, event: Callable[[BasicItem], Envelope]) -> BasicItem | None:
        """Replace a basic item's caps and bump their revision, with `event(new basic item)`
        in the same transaction; None when there is no such basic item. The write is
        conditional on the revision read, so two operators racing get one 409, not a
        lost update with an event that misstates it."""
        found = self.get_item(_basic_key(basic_code), consistent=True)
        if found is None:
            return None
        basic = writes.BasicItem.model_validate(found)
        changed = basic.model_copy(update={"caps": caps, "caps_revision": basic.caps_revision + 1})
        self.transaction().update(
            _basic_key(basic_code),
            "SET caps = :caps, caps_revision = :next",
            condition="attribute_exists(pk) AND (attribute_not_exists(caps_revision) OR caps_revision = :read)",
            values=expression_values(
                caps=caps.model_dump(mode="json"), next=changed.caps_revision, read=basic.caps_revision
            ),
        ).emit(event(changed)).commit()
        return changed

    # --- scenes (一件事, D-260): one partition, sorted by id = division code + name ----------

    def get_scene(self, scene_id: str, *, consistent: bool = False) -> Scene | None:
        raw = self.get_item({"pk": SCENE_PARTITION, "sk": scene_id}, consistent=consistent)
        return Scene.model_validate(_from_record(raw)) if raw else None

    def put_scene(self, scene: Scene, event: Envelope, *, previous_version: int) -> None:
        """Write the scene's new version with its event; refused (409) when another
        operator wrote it since `previous_version` was read."""
        condition = "attribute_not_exists(pk)" if previous_version == 0 else "version = :previous"
        record = {"pk": SCENE_PARTITION, "sk": scene.scene_id, "kind": "scene", **scene.model_dump(mode="json")}
        # what a keyword search matches a scene against (D-280): its words and their pinyin, like an item's
        words = [scene.name, *scene.tags, scene.description or ""]
        record["search_text"] = search_text([*words, *pinyin_forms([scene.name, *scene.tags])])
        self.transaction().put(
            record,
            condition=condition,
            values=expression_values(previous=previous_version) if previous_version else None,
        ).emit(event).commit()

    def matching_scenes(self, region_prefix: str, words: Sequence[str], *, limit: int) -> list[Scene]:
        """The scenes under `region_prefix` whose search text holds every keyword: one Query
        (a division has a handful of scenes; the filter runs in DynamoDB)."""
        expression = _Expression()
        for word in words:
            expression.contains("search_text", word)
        rows, _ = self._query_page(
            index=None,
            key_condition="pk = :pk AND begins_with(sk, :prefix)",
            key_values={"pk": SCENE_PARTITION, "prefix": region_prefix},
            expression=expression,
            limit=limit,
            cursor=None,
            partition={"pk": SCENE_PARTITION},
            projection=None,
            sort_prefix=("sk", region_prefix),
        )
        return [Scene.model_validate(_from_record(row)) for row in rows]

    # --- hot searches (D-280): one counter per day and query, the day's top by a GSI ------

    def count_search(self, query: str, day: str, *, expires_at: int) -> None:
        """One more search for `query` on `day` (one UpdateItem; ADD is atomic)."""
        dynamodb().update_item(
            TableName=self.table,
            Key=to_item({"pk": f"{HOT_PARTITION}{day}", "sk": query}),
            UpdateExpression="ADD hot_count :one SET hot_day = :day, query_text = :query, expires_at = :expires",
            ExpressionAttributeValues=to_item({":one": 1, ":day": day, ":query": query, ":expires": expires_at}),
        )

    def hot_searches(self, day: str, *, limit: int) -> list[tuple[str, int]]:
        """The day's most searched queries, most first: one Query on the `hot` index."""
        response = dynamodb().query(
            TableName=self.table,
            IndexName="hot",
            KeyConditionExpression="hot_day = :day",
            ExpressionAttributeValues=to_item({":day": day}),
            ScanIndexForward=False,
            Limit=limit,
        )
        rows = [from_item(row) for row in response.get("Items", [])]
        return [(str(row["query_text"]), int(row["hot_count"])) for row in rows]

    def get_department(self, department_id: str) -> Department | None:
        raw = self.get_item(_department_key(department_id.split("-", 1)[0], department_id))
        return Department.model_validate(raw) if raw else None

    def list_scenes(self, *, region_prefix: str | None, limit: int, cursor: str | None) -> Page[Scene]:
        """The scenes of the divisions under `region_prefix` (one Query on the partition)."""
        rows, next_key = self.query_page(
            index=None,
            partition=("pk", SCENE_PARTITION),
            limit=limit,
            cursor=cursor,
            newest_first=False,
            sort_prefix=("sk", region_prefix) if region_prefix else None,
        )
        return Page[Scene](items=[Scene.model_validate(_from_record(row)) for row in rows], next_cursor=next_key)

    def get_heads(self, implementation_codes: Sequence[str]) -> dict[str, ItemDetail]:
        """The published (or retired) heads among `implementation_codes`: one BatchGetItem."""
        found = self._batch_get([_item_key(code, HEAD_SK) for code in dict.fromkeys(implementation_codes)])
        heads = (ItemDetail.model_validate(_from_record(row)) for row in found.values())
        return {head.implementation_code: head for head in heads}

    # --- curated synonyms (D-172): one partition, one row per word -------------------

    def synonyms_of(self, words: Sequence[str]) -> dict[str, str]:
        """What each keyword stands for, where an operator said so: one BatchGetItem."""
        if not words:
            return {}
        found = self._batch_get([{"pk": SYNONYM_PARTITION, "sk": word} for word in dict.fromkeys(words)])
        return {str(row["sk"]): str(row["means"]) for row in found.values()}

    def put_synonym(self, synonym: Synonym, event: Envelope) -> None:
        record = {"pk": SYNONYM_PARTITION, "sk": synonym.word, "kind": "synonym", **synonym.model_dump()}
        self.transaction().put(record).emit(event).commit()

    def delete_synonym(self, word: str, event: Envelope, *, missing: AppError) -> None:
        """Remove the row with its event; `missing` is raised when there was no such row."""
        self.transaction().delete(
            {"pk": SYNONYM_PARTITION, "sk": word}, condition="attribute_exists(pk)", on_conflict=missing
        ).emit(event).commit()

    def list_synonyms(self, *, limit: int, cursor: str | None) -> Page[Synonym]:
        rows, next_key = self._query_page(
            index=None,
            key_condition="pk = :pk",
            key_values={"pk": SYNONYM_PARTITION},
            expression=_Expression(),
            limit=limit,
            cursor=cursor,
            partition={"pk": SYNONYM_PARTITION},
            projection=None,
        )
        return Page[Synonym](items=[Synonym.model_validate(row) for row in rows], next_cursor=encode_cursor(next_key))

    # --- items: reads ----------------------------------------------------------------

    def load_write_state(
        self,
        implementation_code: str,
        *,
        basic_code: str,
        department: tuple[str, str] | None = None,
    ) -> WriteState:
        """Draft, head and basic item (and the department and region when given
        as `(region_code, department_id)`), strongly consistent, in one BatchGetItem."""
        keys = {
            "draft": _item_key(implementation_code, DRAFT_SK),
            "head": _item_key(implementation_code, HEAD_SK),
            "basic": _basic_key(basic_code),
        }
        if department is not None:
            region_code, department_id = department
            keys["department"] = _department_key(region_code, department_id)
            keys["region"] = _region_key(region_code)
        found = self._batch_get(list(keys.values()))

        def pick(name: str) -> dict[str, Any] | None:
            key = keys.get(name)
            return found.get((key["pk"], key["sk"])) if key else None

        draft, head, basic = pick("draft"), pick("head"), pick("basic")
        department_row, region_row = pick("department"), pick("region")
        return WriteState(
            draft=writes.ItemDraft.model_validate(_from_record(draft)) if draft else None,
            head=ItemDetail.model_validate(_from_record(head)) if head else None,
            basic=writes.BasicItem.model_validate(basic) if basic else None,
            department=Department.model_validate(department_row) if department_row else None,
            region=Region.model_validate(region_row) if region_row else None,
        )

    def get_head(self, implementation_code: str, *, consistent: bool = False) -> ItemDetail | None:
        raw = self.get_item(_item_key(implementation_code, HEAD_SK), consistent=consistent)
        return ItemDetail.model_validate(_from_record(raw)) if raw else None

    def get_draft(self, implementation_code: str) -> ItemDraft | None:
        raw = self.get_item(_item_key(implementation_code, DRAFT_SK), consistent=True)
        return writes.ItemDraft.model_validate(_from_record(raw)) if raw else None

    def search(self, criteria: ItemFilter, *, limit: int, cursor: str | None) -> Page[ItemSummary]:
        expression = _Expression()
        for word in criteria.keywords:
            expression.contains("search_text", word)
        if criteria.channel:
            expression.equals("channel", criteria.channel)
        if criteria.applicant_kind:
            expression.contains("applicant_kinds", criteria.applicant_kind)

        if criteria.department_id:
            # a department's items: gsi2, narrowed by filters (its sort key starts with the basic code)
            partition = {"gsi2pk": f"DEPT#{criteria.department_id}"}
            if criteria.region_code:
                expression.equals("region_code", criteria.region_code)
            if criteria.item_type:
                expression.equals("item_type", criteria.item_type)
            rows, next_key = self._query_page(
                index="gsi2",
                key_condition="gsi2pk = :pk",
                key_values={"pk": partition["gsi2pk"]},
                expression=expression,
                limit=limit,
                cursor=cursor,
                partition=partition,
                projection=_SUMMARY_ATTRIBUTES,
            )
            return Page[ItemSummary](
                items=[ItemSummary.model_validate(row) for row in rows], next_cursor=encode_cursor(next_key)
            )
        if not criteria.region_code:
            raise ValueError("a search needs a region or a department")
        if criteria.subtree:
            return self._ranked_search(criteria, limit=limit, cursor=cursor)
        # one division only (its 不见面 / 见一次面 lists): its gsi1 partition, in type and code order
        partition = {"gsi1pk": f"REGION#{criteria.region_code}"}
        condition = "gsi1pk = :pk"
        key_values = {"pk": partition["gsi1pk"]}
        type_prefix = ""
        if criteria.item_type:
            type_prefix = f"{criteria.item_type}#"
            condition += " AND begins_with(gsi1sk, :type_prefix)"
            key_values["type_prefix"] = type_prefix
        rows, next_key = self._query_page(
            index="gsi1",
            key_condition=condition,
            key_values=key_values,
            expression=expression,
            limit=limit,
            cursor=cursor,
            partition=partition,
            projection=_SUMMARY_ATTRIBUTES,
            sort_prefix=("gsi1sk", type_prefix),
        )
        return Page[ItemSummary](
            items=[ItemSummary.model_validate(row) for row in rows], next_cursor=encode_cursor(next_key)
        )

    # --- ranked search over a region and everything below it -------------------------

    def _ranked_search(self, criteria: ItemFilter, *, limit: int, cursor: str | None) -> Page[ItemSummary]:
        """Published items of a division's subtree, ranked: exact name, name
        prefix, name substring, elsewhere (tags, codes, department); within each
        class the person's own division and those above it first (nearest
        first), then the rest of the subtree in code order.

        Calls: the ranking classes are key ranges of the lead term's records
        (or of `ITEMS#` without keywords); a page walks them in order, at most
        `_MAX_QUERY_CALLS_PER_PAGE` Query calls, plus one gsi1 Query per
        division of the person's chain (≤ 5) when `near` is given and the page
        reaches a near slice. The cursor names the step and the key (or offset)
        to resume at, and is bound to these criteria.
        """
        region_code = criteria.region_code or ""
        scope = region_scope(region_code)
        chain = [code for code in ancestors_of(criteria.near) if code.startswith(scope)] if criteria.near else []
        words = list(criteria.keywords)
        phrase = "".join(words)
        common: list[tuple[str, str, Any]] = [("contains({name}, {value})", "search_text", word) for word in words]
        if criteria.channel:
            common.append(("{name} = {value}", "channel", criteria.channel))
        if criteria.item_type:
            common.append(("{name} = {value}", "item_type", criteria.item_type))
        if criteria.applicant_kind:
            common.append(("contains({name}, {value})", "applicant_kinds", criteria.applicant_kind))
        away = [("NOT ({name} IN ({value}))", "region_code", chain)] if chain else []

        # (class, key ranges of that class): each range is (pk, flag, class-specific clauses)
        ranges: list[tuple[int, list[tuple[str, str, list[tuple[str, str, Any]]]]]]
        if not words:
            everything = f"{ALL_ITEMS_PARTITION}{region_code[:2]}"
            ranges = [(0, [(everything, ALL_ITEMS_FLAG, [])])]
        else:
            term = f"{TERM_PARTITION}{lead_term(words[0])}"
            lead = lead_term(words[0])
            ranges = [
                (0, [(term, NAME_PREFIX, [("{name} = {value}", "name_norm", phrase)])]),
                (
                    1,
                    [
                        (
                            term,
                            NAME_PREFIX,
                            [
                                ("begins_with({name}, {value})", "name_norm", phrase),
                                ("{name} <> {value}", "name_norm", phrase),
                            ],
                        )
                    ],
                ),
                (
                    2,
                    [
                        (
                            term,
                            NAME_LATER,
                            [
                                ("contains({name}, {value})", "name_norm", phrase),
                                ("NOT begins_with({name}, {value})", "name_norm", phrase),
                            ],
                        )
                    ],
                ),
                (
                    3,
                    [
                        (term, NAME_PREFIX, [("NOT contains({name}, {value})", "name_norm", phrase)]),
                        (
                            term,
                            NAME_LATER,
                            [
                                ("NOT contains({name}, {value})", "name_norm", phrase),
                                # an item whose name starts with the lead term was listed from its P record
                                ("NOT begins_with({name}, {value})", "name_norm", lead),
                            ],
                        ),
                        (term, ELSEWHERE, []),
                    ],
                ),
            ]
        segments: list[_Segment] = []
        for rank, parts in ranges:
            if chain:
                segments.append(_Segment(pk=None, prefix="", rank=rank))
            for pk, flag, clauses in parts:
                segments.append(_Segment(pk=pk, prefix=f"{flag}#{scope}", clauses=(*common, *clauses, *away)))

        fingerprint = hashlib.sha256(
            json.dumps([scope, chain, words, criteria.channel, criteria.item_type, criteria.applicant_kind]).encode()
        ).hexdigest()[:12]
        step, resume = self._search_position(cursor, fingerprint, segments)
        near_rows: list[tuple[int, dict[str, Any]]] | None = None
        rows: list[dict[str, Any]] = []
        calls = 0
        while step < len(segments) and len(rows) < limit:
            segment = segments[step]
            wanted = limit - len(rows)
            if segment.pk is None:
                if near_rows is None:
                    near_rows = self._near_items(chain, [*common], phrase, words)
                ranked = [row for rank, row in near_rows if rank == segment.rank]
                offset = int(resume or 0)
                rows.extend(ranked[offset : offset + wanted])
                if offset + wanted < len(ranked):
                    return self._ranked_page(rows, fingerprint, step, str(offset + wanted))
                step, resume = step + 1, None
                continue
            if calls == _MAX_QUERY_CALLS_PER_PAGE:
                break
            expression = _Expression()
            for template, attribute, value in segment.clauses:
                expression.add(template, attribute, value)
            request: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
                "ExpressionAttributeValues": {
                    **expression_values(pk=segment.pk, prefix=segment.prefix),
                    **expression.values,
                },
                "ProjectionExpression": ", ".join(f"#p{i}" for i in range(len(_TERM_ATTRIBUTES))),
                "ExpressionAttributeNames": {
                    "#pk": "pk",
                    "#sk": "sk",
                    **{f"#p{i}": attribute for i, attribute in enumerate(_TERM_ATTRIBUTES)},
                    **expression.names,
                },
                "Limit": max(wanted, _FILTERED_QUERY_BATCH) if expression.text else wanted,
            }
            if expression.text:
                request["FilterExpression"] = expression.text
            if resume:
                request["ExclusiveStartKey"] = to_item({"pk": segment.pk, "sk": resume})
            response = dynamodb().query(**request)
            calls += 1
            page = [from_item(raw) for raw in response.get("Items", [])]
            if len(page) > wanted:
                rows.extend(page[:wanted])
                return self._ranked_page(rows, fingerprint, step, rows[-1]["sk"])
            rows.extend(page)
            last = response.get("LastEvaluatedKey")
            if last is None:
                step, resume = step + 1, None
            else:
                resume = str(from_item(last)["sk"])
        if step >= len(segments):
            if not rows and cursor is None and words:
                rows = self._near_misses(words, scope, common[len(words) :], limit)
            return Page[ItemSummary](items=[ItemSummary.model_validate(row) for row in rows], next_cursor=None)
        return self._ranked_page(rows, fingerprint, step, resume)

    def _near_misses(
        self, words: Sequence[str], scope: str, filters: list[tuple[str, str, Any]], limit: int
    ) -> list[dict[str, Any]]:
        """Typo tolerance (D-171), only when the exact search found nothing: the
        items whose search text holds every keyword or a string one character
        away from it. One wrong character spoils at most two adjacent grams, so
        the first keyword's first gram or its last (or, for three characters,
        its first character) still finds the item: at most two Queries of
        `_TYPO_BATCH` records each, on the term partitions, filtered to the
        scope; the edit distance is judged here, DynamoDB cannot."""
        first = normalise(words[0])
        if first.isascii() or len(first) < 3:
            return []
        leads = dict.fromkeys([first[:2], first[-2:] if len(first) > 3 else first[0]])
        found: dict[str, tuple[int, dict[str, Any]]] = {}
        for lead in leads:
            expression = _Expression()
            if scope:
                expression.add("begins_with({name}, {value})", "region_code", scope)
            for template, attribute, value in filters:
                expression.add(template, attribute, value)
            request: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeValues": {**expression_values(pk=f"{TERM_PARTITION}{lead}"), **expression.values},
                "ExpressionAttributeNames": {
                    "#pk": "pk",
                    **{f"#p{i}": attribute for i, attribute in enumerate(_NEAR_ATTRIBUTES)},
                    **expression.names,
                },
                "ProjectionExpression": ", ".join(f"#p{i}" for i in range(len(_NEAR_ATTRIBUTES))),
                "Limit": _TYPO_BATCH,
            }
            if expression.text:
                request["FilterExpression"] = expression.text
            response = dynamodb().query(**request)
            for raw in response.get("Items", []):
                row = from_item(raw)
                if all(_within_one(word, str(row["search_text"])) for word in words):
                    rank = _rank(normalise(str(row["name"])), first, True)
                    found.setdefault(str(row["implementation_code"]), (rank, row))
        ranked = sorted(found.values(), key=lambda pair: (pair[0], pair[1]["region_code"], pair[1]["name"]))
        return [{key: row[key] for key in _SUMMARY_ATTRIBUTES if key in row} for _, row in ranked[:limit]]

    @staticmethod
    def _ranked_page(rows: list[dict[str, Any]], fingerprint: str, step: int, resume: str | None) -> Page[ItemSummary]:
        position: dict[str, Any] = {"h": fingerprint, "g": step}
        if resume:
            position["k"] = resume
        return Page[ItemSummary](
            items=[ItemSummary.model_validate(row) for row in rows], next_cursor=encode_cursor(position)
        )

    @staticmethod
    def _search_position(cursor: str | None, fingerprint: str, segments: Sequence[_Segment]) -> tuple[int, str | None]:
        """Where a ranked search resumes; refuses a cursor made for other criteria."""
        position = decode_cursor(cursor, must_match={"h": fingerprint})
        if position is None:
            return 0, None
        step = position.get("g")
        resume = position.get("k")
        if not isinstance(step, int) or not 0 <= step < len(segments) or set(position) - {"h", "g", "k"}:
            raise BadRequest("invalid_cursor")
        if resume is not None:
            segment = segments[step]
            if not isinstance(resume, str) or (
                (segment.pk is None and not resume.isdigit())
                or (segment.pk is not None and not resume.startswith(segment.prefix))
            ):
                raise BadRequest("invalid_cursor")
        return step, resume

    def _near_items(
        self, chain: Sequence[str], common: list[tuple[str, str, Any]], phrase: str, words: Sequence[str]
    ) -> list[tuple[int, dict[str, Any]]]:
        """The matching published items of the person's divisions (one gsi1
        partition each, nearest first), each with its ranking class."""
        expression = _Expression()
        for template, attribute, value in common:
            expression.add(template, attribute, value)
        found: list[tuple[int, dict[str, Any]]] = []
        for code in chain:
            cursor: str | None = None
            while True:
                rows, next_key = self._query_page(
                    index="gsi1",
                    key_condition="gsi1pk = :pk",
                    key_values={"pk": f"REGION#{code}"},
                    expression=expression,
                    limit=_FILTERED_QUERY_BATCH,
                    cursor=cursor,
                    partition={"gsi1pk": f"REGION#{code}"},
                    projection=_NEAR_ATTRIBUTES,
                )
                found.extend((_rank(normalise(str(row["name"])), phrase, bool(words)), row) for row in rows)
                cursor = encode_cursor(next_key)
                if cursor is None:
                    break
        return found

    def published_in_region(self, region_code: str) -> Iterator[snapshots.OpenDataItem]:
        """Every published implementation of a division, in index order (for open data)."""
        cursor: str | None = None
        while True:
            rows, next_key = self._query_page(
                index="gsi1",
                key_condition="gsi1pk = :pk",
                key_values={"pk": f"REGION#{region_code}"},
                expression=_Expression(),
                limit=100,
                cursor=cursor,
                partition={"gsi1pk": f"REGION#{region_code}"},
                projection=tuple(snapshots.OpenDataItem.model_fields),
            )
            yield from (snapshots.OpenDataItem.model_validate(row) for row in rows)
            cursor = encode_cursor(next_key)
            if cursor is None:
                return

    def list_versions(self, implementation_code: str, *, limit: int, cursor: str | None) -> Page[ItemVersion]:
        """The change history, newest first."""
        pk = f"IMPL#{implementation_code}"
        rows, next_key = self._query_page(
            index=None,
            key_condition="pk = :pk AND begins_with(sk, :prefix)",
            key_values={"pk": pk, "prefix": VERSION_PREFIX},
            expression=_Expression(),
            limit=limit,
            cursor=cursor,
            partition={"pk": pk},
            projection=tuple(ItemVersion.model_fields),
            sort_prefix=("sk", VERSION_PREFIX),
            newest_first=True,
        )
        return Page[ItemVersion](
            items=[ItemVersion.model_validate(row) for row in rows], next_cursor=encode_cursor(next_key)
        )

    # --- items: writes (each one transaction) ---------------------------------------

    def save_draft(
        self,
        draft: ItemDraft,
        *,
        expected_revision: int,
        basic: BasicItem,
        create_basic: bool,
        require_no_head: AppError | None = None,
        on_draft_conflict: AppError | None = None,
    ) -> None:
        """Write the draft, guarded by its revision and by the basic item's fingerprint.

        `expected_revision` 0 means no draft may exist yet. When `create_basic`
        the basic item is created with the draft (first implementation);
        otherwise a condition check proves it still has the same four fields.
        `require_no_head` (the error to raise) refuses when a published head exists.
        """
        code = draft.implementation_code
        transaction = self.transaction()
        if expected_revision == 0:
            transaction.put(
                _record(draft, _item_key(code, DRAFT_SK), "item_draft"),
                condition="attribute_not_exists(pk)",
                on_conflict=on_draft_conflict or Conflict(DRAFT_CONFLICT),
            )
        else:
            transaction.put(
                _record(draft, _item_key(code, DRAFT_SK), "item_draft"),
                condition="#revision = :revision",
                names={"#revision": "revision"},
                values=expression_values(revision=expected_revision),
                on_conflict=on_draft_conflict or Conflict(DRAFT_CONFLICT),
            )
        if require_no_head is not None:
            transaction.check(_item_key(code, HEAD_SK), "attribute_not_exists(pk)", on_conflict=require_no_head)
        self._guard_basic(transaction, basic, create=create_basic)
        transaction.commit()

    def publish(
        self,
        item: ItemDetail,
        entry: ItemVersion,
        *,
        draft_revision: int,
        previous_version: int,
        basic: BasicItem,
        create_basic: bool,
        event: Envelope,
        previous: ItemDetail | None = None,
    ) -> None:
        """Head + version snapshot + draft removal + 三级四同 guard + search terms
        (the previous head's stale ones removed) + outbox event, all or nothing."""
        code = item.implementation_code
        transaction = self.transaction()
        self._put_head(transaction, item, previous_version)
        self._replace_terms(transaction, previous, item)
        self._put_version(transaction, item, entry)
        transaction.delete(
            _item_key(code, DRAFT_SK),
            condition="#revision = :revision",
            names={"#revision": "revision"},
            values=expression_values(revision=draft_revision),
            on_conflict=Conflict(DRAFT_CONFLICT),
        )
        self._guard_basic(transaction, basic, create=create_basic)
        transaction.emit(event)
        transaction.commit()

    def retire(
        self,
        item: ItemDetail,
        entry: ItemVersion,
        *,
        previous_version: int,
        event: Envelope,
        previous: ItemDetail | None = None,
    ) -> None:
        """Head without index attributes + version snapshot + search terms removed + outbox event."""
        transaction = self.transaction()
        self._put_head(transaction, item, previous_version)
        self._replace_terms(transaction, previous, item)
        self._put_version(transaction, item, entry)
        transaction.emit(event)
        transaction.commit()

    def _put_head(self, transaction: Transaction, item: ItemDetail, previous_version: int) -> None:
        if previous_version == 0:
            transaction.put(_head_record(item), condition="attribute_not_exists(pk)")
        else:
            transaction.put(
                _head_record(item),
                condition="#version = :version",
                names={"#version": "version"},
                values=expression_values(version=previous_version),
            )

    def reindex(self, item: ItemDetail) -> None:
        """Write the search records of a published head (back-fill for heads
        published before the term index existed; idempotent)."""
        self._batch_put(_term_records(item))

    @staticmethod
    def _replace_terms(transaction: Transaction, previous: ItemDetail | None, item: ItemDetail) -> None:
        records = _term_records(item)
        current = {(record["pk"], record["sk"]) for record in records}
        for record in records:
            transaction.put(record)
        for record in _term_records(previous) if previous is not None else []:
            if (record["pk"], record["sk"]) not in current:
                transaction.delete({"pk": record["pk"], "sk": record["sk"]})

    def _put_version(self, transaction: Transaction, item: ItemDetail, entry: ItemVersion) -> None:
        record = _record(
            entry,
            _item_key(item.implementation_code, version_sort_key(entry.version)),
            "item_version",
            # the version's full guide, kept as one immutable JSON document
            snapshot_json=item.model_dump_json(),
        )
        transaction.put(record, condition="attribute_not_exists(pk)")

    def _guard_basic(self, transaction: Transaction, basic: BasicItem, *, create: bool) -> None:
        if create:
            # Two first implementations racing: the loser retries and is then
            # compared with the winner's four fields.
            transaction.put(
                _record(basic, _basic_key(basic.basic_code), "basic_item"),
                condition="attribute_not_exists(pk)",
                on_conflict=Conflict("version_conflict"),
            )
        else:
            # the caps read are still the caps (D-173): a cap tightened meanwhile refuses the write
            transaction.check(
                _basic_key(basic.basic_code),
                "fingerprint = :fingerprint AND (attribute_not_exists(caps_revision) OR caps_revision = :caps)",
                values=expression_values(fingerprint=basic.fingerprint, caps=basic.caps_revision),
                on_conflict=ValidationFailed(THREE_LEVEL_MISMATCH),
            )

    # --- low-level helpers -------------------------------------------------------------

    def _put(self, record: Mapping[str, Any]) -> None:
        dynamodb().put_item(TableName=self.table, Item=to_item(record))

    def _batch_put(self, records: Sequence[Mapping[str, Any]]) -> None:
        for start in range(0, len(records), _BATCH_WRITE_MAX):
            pending: list[Any] = [
                {"PutRequest": {"Item": to_item(record)}} for record in records[start : start + _BATCH_WRITE_MAX]
            ]
            while pending:
                response = dynamodb().batch_write_item(RequestItems={self.table: pending})
                pending = list(response.get("UnprocessedItems", {}).get(self.table, []))

    def _batch_get(self, keys: Sequence[Mapping[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(item["pk"], item["sk"]): item for item in self.get_items(keys, consistent=True)}

    def _query_page(
        self,
        *,
        index: str | None,
        key_condition: str,
        key_values: Mapping[str, Any],
        expression: _Expression,
        limit: int,
        cursor: str | None,
        partition: Mapping[str, str],
        projection: Sequence[str] | None,
        sort_prefix: tuple[str, str] | None = None,
        newest_first: bool = False,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` matching rows and the key to resume after the last one.

        With a filter, DynamoDB may return fewer matches than asked, so this
        keeps querying until the page is full or the partition ends. When it
        stops inside a page, the cursor is the key of the last row it returns
        (not DynamoDB's LastEvaluatedKey), so the rows after it that matched
        are neither skipped nor repeated on the next page.
        """
        key_names = _INDEX_KEYS[index]
        start = self._start_key(cursor, partition, key_names, sort_prefix)
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": {**expression_values(**key_values), **expression.values},
            "ScanIndexForward": not newest_first,
        }
        if index:
            request["IndexName"] = index
        names = dict(expression.names)
        if projection:
            wanted = list(dict.fromkeys([*key_names, *projection]))
            request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(wanted)))
            names |= {f"#p{i}": attribute for i, attribute in enumerate(wanted)}
        if names:
            request["ExpressionAttributeNames"] = names
        if expression.text:
            request["FilterExpression"] = expression.text

        rows: list[dict[str, Any]] = []
        for _ in range(_MAX_QUERY_CALLS_PER_PAGE):
            wanted_now = limit - len(rows)
            request["Limit"] = max(wanted_now, _FILTERED_QUERY_BATCH) if expression.text else wanted_now
            if start:
                request["ExclusiveStartKey"] = to_item(start)
            response = dynamodb().query(**request)
            page = [from_item(raw) for raw in response.get("Items", [])]
            last_evaluated = response.get("LastEvaluatedKey")
            if len(page) > wanted_now:
                rows.extend(page[:wanted_now])
                return rows, {name: rows[-1][name] for name in key_names}
            rows.extend(page)
            if last_evaluated is None:
                return rows, None
            start = from_item(last_evaluated)
            if len(rows) == limit:
                return rows, start
        return rows, start

    @staticmethod
    def _start_key(
        cursor: str | None,
        partition: Mapping[str, str],
        key_names: Sequence[str],
        sort_prefix: tuple[str, str] | None,
    ) -> dict[str, Any] | None:
        """The cursor's key, refused unless it belongs to this very query."""
        key = decode_cursor(cursor, must_match=partition)
        if key is None:
            return None
        if set(key) != set(key_names) or not all(isinstance(value, str) for value in key.values()):
            raise BadRequest("invalid_cursor")
        if sort_prefix is not None:
            attribute, prefix = sort_prefix
            if not str(key[attribute]).startswith(prefix):
                raise BadRequest("invalid_cursor")
        return key
