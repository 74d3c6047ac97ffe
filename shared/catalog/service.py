"""The catalogue's rules: what may be written, published, retired and found.

No boto3 here: storage is `CatalogRepository`, passed in (tests may pass
their own). The rules, in the order a write meets them:

1. the division exists (GB/T 2260) and the department belongs to it;
2. the codes agree: the implementation code (实施编码) = the department's USCC
   + the exercise level of the division's level + the basic code (基本编码),
   whose type digits equal the item type;
3. the guide is sound: promised ≤ legal limit, 即办件 promise 0 days,
   conditional materials say when, material slots are unique, a 见一次面 item
   names a hall inside its division, the form is a valid JSON Schema;
4. 三级四同: name, basic code, type and legal basis equal the basic item
   (created by the first implementation and checked again inside every write
   transaction through its fingerprint).

Versioning: draft (revision counter) → publish (head + immutable version
snapshot + outbox event, one transaction) → retire (likewise). Only the
published head is indexed, so search never shows drafts or retired items.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from shared.catalog.codes import (
    EXERCISE_LEVEL_OF_REGION,
    ITEM_TYPE_NAMES,
    ImplementationCode,
    is_valid_uscc,
    parent_region,
    parse_basic_code,
    parse_implementation_code,
    region_level,
    region_scope,
)
from shared.catalog.errors import (
    BASIC_ITEM_NOT_FOUND,
    CAPS_EXCEEDED,
    CODE_MISMATCH,
    DEPARTMENT_NOT_FOUND,
    DRAFT_CONFLICT,
    DRAFT_DROPS_FIELDS,
    DRAFT_NOT_FOUND,
    DRAFT_STALE,
    FIELD_BASIC_CODE_MISMATCH,
    FIELD_CONDITION_REQUIRED,
    FIELD_DIFFERS_FROM_BASIC,
    FIELD_DROPPED,
    FIELD_DUPLICATE_SLOT,
    FIELD_DUPLICATE_VALUE,
    FIELD_EXCEEDS_CAP,
    FIELD_HALL_OUTSIDE_REGION,
    FIELD_HALL_REQUIRED,
    FIELD_IMMEDIATE_LIMIT,
    FIELD_INVALID_BASIC_CODE,
    FIELD_INVALID_FORM_SCHEMA,
    FIELD_INVALID_IDENTITY_BINDING,
    FIELD_INVALID_IMPLEMENTATION_CODE,
    FIELD_INVALID_USCC,
    FIELD_ITEM_TYPE_MISMATCH,
    FIELD_LEVEL_MISMATCH,
    FIELD_NOT_A_CURRENT_DIVISION,
    FIELD_NOT_CLEARABLE,
    FIELD_PROMISED_EXCEEDS_LEGAL,
    FIELD_RETIRED_LICENCE_TYPE,
    FIELD_UNKNOWN_LICENCE_TYPE,
    FIELD_USCC_MISMATCH,
    FIELD_WRONG_PARENT,
    INVALID_ANSWERS,
    INVALID_DEPARTMENT,
    INVALID_ITEM,
    INVALID_REGION,
    INVALID_SCENE,
    INVALID_SYNONYM,
    ITEM_EXISTS,
    ITEM_NOT_FOUND,
    ITEM_NOT_PUBLISHED,
    NO_DRAFT,
    REGION_NOT_FOUND,
    SCENE_NOT_FOUND,
    SYNONYM_NOT_FOUND,
    THREE_LEVEL_MISMATCH,
    UNKNOWN_DEPARTMENT,
    UNKNOWN_REGION,
)
from shared.catalog.form_identity import identity_binding_problems
from shared.catalog.models import (
    CONTENT_FIELDS,
    Department,
    ItemContent,
    ItemDetail,
    ItemSummary,
    ItemVersion,
    ListKind,
    Region,
    RegionList,
    Scene,
    SceneAnswers,
    SceneDefinition,
    SearchHit,
    SearchResults,
    Synonym,
    scene_hit,
)
from shared.catalog.repository import CatalogRepository, ItemFilter, WriteState
from shared.catalog.search_text import keywords, normalise
from shared.codes.divisions import is_current_division
from shared.platform.clock import now, today_in_shanghai
from shared.platform.config import province_settings
from shared.platform.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.platform.observability import logger
from shared.platform.pagination import Page
from shared.platform.principal import region_prefix
from shared.platform.public import lazy_module
from shared.platform.strict_json import INT64_MAX, INT64_MIN

if TYPE_CHECKING:
    from shared.catalog import events, portal, scenes, snapshots, writes
    from shared.catalog.scenes import SceneGuide
    from shared.catalog.writes import (
        BasicItem,
        DraftUpdate,
        ItemCaps,
        ItemDraft,
        NewDepartment,
        NewItem,
        PublishRequest,
        RetireRequest,
        SynonymUpdate,
    )
else:
    # only writes emit events (the events module registers its types as it loads, before any is written)
    # and only a scene's definition or questionnaire needs the scene rules, only the portal's pages their
    # shapes, only open data its snapshot's, only writes the operator's shapes: each loads on first use (D-316)
    events = lazy_module("shared.catalog.events")
    portal = lazy_module("shared.catalog.portal")
    snapshots = lazy_module("shared.catalog.snapshots")
    writes = lazy_module("shared.catalog.writes")
    scenes = lazy_module("shared.catalog.scenes")

_CONTENT = set(CONTENT_FIELDS)
SCENES_PER_SEARCH = 20  # scenes of the division looked at per search (a division has a handful)
HOT_QUERY_MAX_CHARACTERS = 20
HOT_DAYS_KEPT = 8  # counters expire (TTL) after a week and a day
# guide fields a body may leave out (they have defaults), with the default as the API shows it
_DEFAULTED: dict[str, Any] = {
    name: info.get_default(call_default_factory=True)
    for name, info in ItemContent.model_fields.items()
    if not info.is_required()
}
_MAX_FORM_SCHEMA_DEPTH = 20  # DynamoDB nests at most 32 levels; the item itself uses a few
_ACCEPTED_SCHEMA_DIALECTS = frozenset(
    {
        "https://json-schema.org/draft/2020-12/schema",
        "http://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft-07/schema#",
    }
)


# --- pure rules ---------------------------------------------------------------------


def fingerprint(basic_code: str, name: str, item_type: str, legal_basis: str) -> str:
    """A digest of the four 三级四同 fields, compared inside write transactions."""
    canonical = json.dumps([basic_code, name, item_type, legal_basis], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def three_level_differences(basic_code: str, content: ItemContent, basic: BasicItem) -> list[FieldError]:
    """One error per 三级四同 field that differs from the basic item, naming the expected value."""
    given = {
        "name": content.name,
        "basic_code": basic_code,
        "item_type": content.item_type.value,
        "legal_basis": content.legal_basis,
    }
    expected = {
        "name": basic.name,
        "basic_code": basic.basic_code,
        "item_type": basic.item_type.value,
        "legal_basis": basic.legal_basis,
    }
    return [
        FieldError(field=name, code=FIELD_DIFFERS_FROM_BASIC, params={"expected": expected[name]})
        for name in ("name", "basic_code", "item_type", "legal_basis")
        if given[name] != expected[name]
    ]


def cap_violations(content: ItemContent, caps: ItemCaps | None) -> list[FieldError]:
    """One error per cap (限高) the guide exceeds, naming the cap, its limit and the guide's value."""
    if caps is None:
        return []
    given = {
        "max_materials": ("materials", len(content.materials)),
        "max_legal_limit_days": ("legal_limit_days", content.legal_limit_days),
        "max_fee_fen": ("fees", sum(fee.amount_fen for fee in content.fees)),
    }
    errors: list[FieldError] = []
    for cap, (field, value) in given.items():
        limit = getattr(caps, cap)
        if limit is not None and value > limit:
            errors.append(
                FieldError(field=field, code=FIELD_EXCEEDS_CAP, params={"cap": cap, "limit": limit, "given": value})
            )
    return errors


def code_errors(
    implementation_code: str, basic_code: str, content: ItemContent, department: Department, region: Region
) -> list[FieldError]:
    """Do the implementation code, basic code, department, division and type agree?"""
    errors: list[FieldError] = []
    try:
        basic = parse_basic_code(basic_code)
    except ValueError:
        errors.append(FieldError(field="basic_code", code=FIELD_INVALID_BASIC_CODE))
        basic = None
    if basic is not None and basic.item_type != content.item_type:
        errors.append(
            FieldError(field="item_type", code=FIELD_ITEM_TYPE_MISMATCH, params={"expected": basic.item_type.value})
        )
    try:
        code: ImplementationCode | None = parse_implementation_code(implementation_code)
    except ValueError:
        errors.append(FieldError(field="implementation_code", code=FIELD_INVALID_IMPLEMENTATION_CODE))
        code = None
    if code is None:
        return errors
    if str(code.basic_code) != basic_code:
        errors.append(
            FieldError(field="implementation_code", code=FIELD_BASIC_CODE_MISMATCH, params={"expected": basic_code})
        )
    if code.uscc != department.uscc:
        errors.append(
            FieldError(field="implementation_code", code=FIELD_USCC_MISMATCH, params={"expected": department.uscc})
        )
    expected_level = EXERCISE_LEVEL_OF_REGION[region.level]
    if code.exercise_level != expected_level:
        errors.append(
            FieldError(field="implementation_code", code=FIELD_LEVEL_MISMATCH, params={"expected": int(expected_level)})
        )
    return errors


def form_schema_problem(schema: Mapping[str, Any]) -> str | None:
    """Why `schema` is not a usable application form, or None when it is.

    It must be an object schema in Draft-07 or 2020-12 that fastjsonschema
    compiles. References must stay inside the document: fastjsonschema would
    otherwise fetch remote `$ref`s, which would let an operator make the
    service call arbitrary URLs.
    """
    if schema.get("type") != "object":
        return "the top-level type must be object"
    dialect = schema.get("$schema")
    if dialect is not None and dialect not in _ACCEPTED_SCHEMA_DIALECTS:
        return "$schema must be Draft 2020-12 or Draft-07"
    problem = _local_references_only(schema, depth=0) or _numbers_bounded(schema, "")
    if problem:
        return problem
    import fastjsonschema  # write path only: kept out of the cold start

    try:
        fastjsonschema.compile(dict(schema), handlers=_REFUSE_REMOTE, use_default=False)
    except Exception as exc:  # any failure to compile means the definition is unusable
        return str(exc)[:200] or type(exc).__name__
    return None


def _refuse_remote(uri: str) -> Any:
    raise ValueError(f"remote reference not allowed: {uri}")


_REFUSE_REMOTE = {scheme: _refuse_remote for scheme in ("http", "https", "file", "ftp", "data", "urn")}


def _local_references_only(node: Any, *, depth: int) -> str | None:
    if depth > _MAX_FORM_SCHEMA_DEPTH:
        return f"nested deeper than {_MAX_FORM_SCHEMA_DEPTH} levels"
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"$ref", "$dynamicRef", "$recursiveRef"} and not (
                isinstance(value, str) and value.startswith("#")
            ):
                return f"{key} must point inside the schema (start with #)"
            if key == "$id" and isinstance(value, str) and ":" in value:
                return "$id must not be an absolute URI"
            problem = _local_references_only(value, depth=depth + 1)
            if problem:
                return problem
    elif isinstance(node, list):
        for value in node:
            problem = _local_references_only(value, depth=depth + 1)
            if problem:
                return problem
    return None


def _numbers_bounded(node: Any, where: str) -> str | None:
    """Every integer or number field has a lower and an upper bound within a signed
    64-bit integer: amounts in fen are stored as DynamoDB numbers and summed as
    int64 downstream, and an unbounded field took 10^18 fen (issue 22). The
    bounds are the field's documented range and its per-field ceiling."""
    if isinstance(node, list):
        for value in node:
            problem = _numbers_bounded(value, where)
            if problem:
                return problem
        return None
    if not isinstance(node, dict):
        return None
    declared = node.get("type")
    kinds = {k for k in (declared if isinstance(declared, list) else [declared]) if isinstance(k, str)}
    if kinds & {"integer", "number"}:
        low = _bound(node.get("minimum", node.get("exclusiveMinimum")))
        high = _bound(node.get("maximum", node.get("exclusiveMaximum")))
        name = where or "the form"
        if low is None or high is None:
            return f"{name}: an integer or number field needs a minimum and a maximum"
        if not INT64_MIN <= low <= high <= INT64_MAX:
            return f"{name}: its bounds must lie within a signed 64-bit integer"
    for key, value in node.items():
        if isinstance(value, dict | list) and key not in {"enum", "const", "examples", "default"}:
            problem = _numbers_bounded(value, f"{where}.{key}" if where else key)
            if problem:
                return problem
    return None


def _bound(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def content_errors(content: ItemContent, region_code: str) -> list[FieldError]:
    """The guide's own rules (limits, materials, halls, form)."""
    errors: list[FieldError] = []
    if content.promised_limit_days > content.legal_limit_days:
        errors.append(
            FieldError(
                field="promised_limit_days",
                code=FIELD_PROMISED_EXCEEDS_LEGAL,
                params={"legal": content.legal_limit_days},
            )
        )
    if content.immediate != (content.promised_limit_days == 0):
        errors.append(FieldError(field="promised_limit_days", code=FIELD_IMMEDIATE_LIMIT))
    seen_slots: set[str] = set()
    for index, material in enumerate(content.materials):
        if material.requirement == "conditional" and not material.condition:
            errors.append(FieldError(field=f"materials.{index}.condition", code=FIELD_CONDITION_REQUIRED))
        if material.slot_id in seen_slots:
            errors.append(
                FieldError(
                    field=f"materials.{index}.slot_id", code=FIELD_DUPLICATE_SLOT, params={"slot_id": material.slot_id}
                )
            )
        seen_slots.add(material.slot_id)
    if content.channel == "visit_once" and not content.halls:
        errors.append(FieldError(field="halls", code=FIELD_HALL_REQUIRED))
    scope = region_scope(region_code)
    for index, hall in enumerate(content.halls):
        if not hall.region_code.startswith(scope):
            errors.append(FieldError(field=f"halls.{index}.region_code", code=FIELD_HALL_OUTSIDE_REGION))
    if len(set(content.applicant_kinds)) != len(content.applicant_kinds):
        errors.append(FieldError(field="applicant_kinds", code=FIELD_DUPLICATE_VALUE))
    problem = form_schema_problem(content.form_schema)
    if problem:
        errors.append(FieldError(field="form_schema", code=FIELD_INVALID_FORM_SCHEMA, params={"reason": problem}))
    errors.extend(identity_binding_errors(content.form_schema))
    return errors


def identity_binding_errors(schema: Mapping[str, Any]) -> list[FieldError]:
    """Misused `x-identity` keywords (shared.catalog.form_identity), one error per field."""
    return [
        FieldError(field=where, code=FIELD_INVALID_IDENTITY_BINDING, params={"reason": why})
        for where, why in identity_binding_problems(schema)
    ]


def content_of(model: ItemContent) -> dict[str, Any]:
    """Only the editable guide fields, as JSON-able data."""
    return model.model_dump(mode="json", include=_CONTENT)


def changed_fields(before: ItemContent | None, after: ItemContent) -> list[str]:
    """Names of guide fields that differ (all of them when there is no earlier version)."""
    if before is None:
        return list(CONTENT_FIELDS)
    old, new = content_of(before), content_of(after)
    return [name for name in CONTENT_FIELDS if old.get(name) != new.get(name)]


def _now() -> datetime:
    """The platform clock at whole seconds, as the API shows times (RFC 3339)."""
    return now().replace(microsecond=0)


def dropped_fields(base: ItemContent | None, update: DraftUpdate) -> list[FieldError]:
    """Fields `base` sets that the full-replace body leaves out without naming them in `clear_fields`.

    The PUT replaces the whole guide, so an omitted field falls back to its default: an editor's
    key list that forgot `result_licence_type_code` once stopped an item issuing its licence."""
    errors = [
        FieldError(field=f"clear_fields.{index}", code=FIELD_NOT_CLEARABLE)
        for index, name in enumerate(update.clear_fields)
        if name not in _DEFAULTED
    ]
    if base is None:
        return errors
    current = content_of(base)
    for name, default in _DEFAULTED.items():
        if name in update.model_fields_set or name in update.clear_fields or current.get(name) == default:
            continue
        shown = json.dumps(current.get(name), ensure_ascii=False)
        errors.append(FieldError(field=name, code=FIELD_DROPPED, params={"current": shown[:80]}))
    return errors


def _refuse(code: str, errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(code, errors=errors)


# --- the service ------------------------------------------------------------------------


class CatalogService:
    """Use cases of the service catalogue (C7, C16, C22, C29)."""

    def __init__(self, repository: CatalogRepository | None = None) -> None:
        self.repository = repository or CatalogRepository()

    # --- divisions and departments --------------------------------------------------

    def register_regions(self, regions: Sequence[Region]) -> int:
        """Store divisions (seed and maintenance): each code must be a division in
        use this year (GB/T 2260; townships and villages under a current county),
        and its level and parent must fit the code."""
        errors: list[FieldError] = []
        year = today_in_shanghai().year
        for index, region in enumerate(regions):
            if not is_current_division(region.code, year):
                errors.append(FieldError(field=f"{index}.code", code=FIELD_NOT_A_CURRENT_DIVISION))
            if region_level(region.code) != region.level:
                errors.append(FieldError(field=f"{index}.level", code="field.invalid"))
            if region.parent_code != parent_region(region.code):
                errors.append(
                    FieldError(
                        field=f"{index}.parent_code",
                        code=FIELD_WRONG_PARENT,
                        params={"expected": parent_region(region.code) or "-"},
                    )
                )
        _refuse(INVALID_REGION, errors)
        self.repository.put_regions(regions)
        return len(regions)

    def register_departments(self, departments: Sequence[NewDepartment]) -> list[Department]:
        """Store departments (seed and maintenance): valid USCCs in existing divisions."""
        errors = [
            FieldError(field=f"{index}.uscc", code=FIELD_INVALID_USCC)
            for index, new in enumerate(departments)
            if not is_valid_uscc(new.uscc)
        ]
        _refuse(INVALID_DEPARTMENT, errors)
        regions = self.repository.get_regions({new.region_code for new in departments})
        for new in departments:
            if new.region_code not in regions:
                raise ValidationFailed(UNKNOWN_REGION, params={"region_code": new.region_code})
        stored = [
            Department(
                id=new.id,
                name=new.name,
                uscc=new.uscc,
                region_code=new.region_code,
                level=regions[new.region_code].level,
                sector=new.sector,
            )
            for new in departments
        ]
        self.repository.put_departments(stored)
        return stored

    def list_regions(
        self, *, parent_code: str | None, level: str | None, limit: int, cursor: str | None
    ) -> Page[Region]:
        return self.repository.list_regions(parent_code=parent_code, level=level, limit=limit, cursor=cursor)

    def list_departments(self, *, region_prefix: str | None, limit: int, cursor: str | None) -> Page[Department]:
        return self.repository.list_departments(region_prefix=region_prefix, limit=limit, cursor=cursor)

    # --- reading items ---------------------------------------------------------------

    def get_item(self, implementation_code: str) -> ItemDetail:
        """The published (or retired) guide of one implementation: one read."""
        item = self.repository.get_head(implementation_code)
        if item is None:
            raise NotFound(ITEM_NOT_FOUND)
        return item

    def search(
        self,
        *,
        query: str | None,
        region_code: str | None,
        department_id: str | None,
        item_type: str | None,
        channel: str | None,
        applicant_kind: str | None,
        limit: int,
        cursor: str | None,
        near: str | None = None,
    ) -> Page[ItemSummary]:
        """Published items of a division and every division below it (the served
        province, PROVINCE_CODE, by default), ranked — exact name, name prefix, name substring,
        elsewhere; within each, the person's division `near` and those above it
        first — or the items of one department."""
        criteria = self._criteria(query, region_code, department_id, item_type, channel, applicant_kind, near=near)
        return self.repository.search(criteria, limit=limit, cursor=cursor)

    def _criteria(
        self,
        query: str | None,
        region_code: str | None,
        department_id: str | None,
        item_type: str | None = None,
        channel: str | None = None,
        applicant_kind: str | None = None,
        *,
        near: str | None = None,
    ) -> ItemFilter:
        return ItemFilter(
            region_code=region_code or (None if department_id else province_settings().province_code),
            department_id=department_id,
            item_type=item_type,
            keywords=self._with_synonyms(keywords(query)),
            channel=channel,
            applicant_kind=applicant_kind,
            near=near,
        )

    # --- one search, hot searches, sub-halls (D-280) -------------------------------------

    def discover(
        self, *, query: str | None, region_code: str | None, near: str | None, limit: int, cursor: str | None
    ) -> SearchResults:
        """Scenes and items in one list: on the first page, the scenes of the division (and
        those below) whose words or pinyin hold every keyword (one Query), then the items as
        `search` ranks them. A first-page search that found something counts for the hot list."""
        criteria = self._criteria(query, region_code, None, near=near)
        items = self.repository.search(criteria, limit=limit, cursor=cursor)
        scenes: list[Scene] = []
        if criteria.keywords and cursor is None:
            prefix = region_prefix((criteria.region_code or province_settings().province_code)[:6])
            scenes = self.repository.matching_scenes(prefix, criteria.keywords, limit=SCENES_PER_SEARCH)
            if scenes or items.items:
                self.count_search(query or "")
        return SearchResults(
            results=[SearchHit(kind="scene", scene=scene_hit(scene)) for scene in scenes]
            + [SearchHit(kind="item", item=item) for item in items.items],
            next_cursor=items.next_cursor,
        )

    def count_search(self, query: str) -> None:
        """One more search for the normalised query today; a long query is not counted (a hot
        list of sentences helps nobody), and a failed count never fails the search."""
        text = normalise(query)
        if not text or len(text) > HOT_QUERY_MAX_CHARACTERS:
            return
        expires = int((now() + dt.timedelta(days=HOT_DAYS_KEPT)).timestamp())
        try:
            self.repository.count_search(text, today_in_shanghai().isoformat(), expires_at=expires)
        except ClientError:
            logger().warning("hot search not counted", exc_info=True)

    def hot_searches(self, *, limit: int) -> portal.HotSearches:
        """Today's and yesterday's most searched queries (two Queries on the `hot` index)."""
        today = today_in_shanghai()
        totals: dict[str, int] = {}
        for day in (today, today - dt.timedelta(days=1)):
            for text, count in self.repository.hot_searches(day.isoformat(), limit=limit):
                totals[text] = totals.get(text, 0) + count
        ranked = sorted(totals.items(), key=lambda entry: (-entry[1], entry[0]))[:limit]
        return portal.HotSearches(items=[portal.HotSearch(query=text, count=count) for text, count in ranked])

    def sub_hall(self, region_code: str, *, limit: int) -> portal.SubHall:
        """网上分厅 of a division: GetItem, a Query of its departments, the item search, a Query of scenes."""
        region = self.repository.get_region(region_code)
        if region is None:
            raise NotFound(REGION_NOT_FOUND)
        departments = self.repository.list_departments(region_prefix=region_code, limit=100, cursor=None)
        items = self.repository.search(self._criteria(None, region_code, None), limit=limit, cursor=None)
        scenes = self.repository.list_scenes(region_prefix=region_prefix(region_code[:6]), limit=100, cursor=None)
        return portal.SubHall(
            region=region,
            departments=departments.items,
            scenes=[scene_hit(scene) for scene in scenes.items],
            items=items.items,
            items_next_cursor=items.next_cursor,
        )

    def department_store(self, department_id: str, *, limit: int) -> portal.DepartmentStore:
        """旗舰店 of a department: GetItem, the item search, a Query of its division's scenes (those
        bundling one of its items: an implementation code starts with its department's USCC)."""
        department = self.repository.get_department(department_id)
        if department is None:
            raise NotFound(DEPARTMENT_NOT_FOUND)
        items = self.repository.search(self._criteria(None, None, department_id), limit=limit, cursor=None)
        scenes = self.repository.list_scenes(region_prefix=department.region_code, limit=100, cursor=None)
        own = [s for s in scenes.items if any(i.implementation_code.startswith(department.uscc) for i in s.items)]
        return portal.DepartmentStore(
            department=department,
            scenes=[scene_hit(scene) for scene in own],
            items=items.items,
            items_next_cursor=items.next_cursor,
        )

    def set_caps(self, basic_code: str, caps: ItemCaps, *, actor: str | None = None) -> BasicItem:
        """Set the caps (限高) of a basic item; implementations are held to them
        from their next write on (existing ones are not re-checked)."""
        basic = self.repository.set_caps(basic_code, caps, lambda changed: events.caps_set(changed, actor=actor))
        if basic is None:
            raise NotFound(BASIC_ITEM_NOT_FOUND)
        return basic

    def _with_synonyms(self, words: list[str]) -> list[str]:
        """The keywords with each curated synonym replaced by what it means (one
        BatchGetItem per search that has keywords)."""
        meanings = self.repository.synonyms_of(words)
        return keywords(" ".join(meanings.get(word, word) for word in words)) if meanings else words

    # --- scenes (一件事, D-260) ----------------------------------------------------------

    def put_scene(self, scene_id: str, definition: SceneDefinition, *, actor: str) -> Scene:
        """Create or replace a scene: its items must be published in the division its id
        starts with, its rules name its own questions and options."""
        region_code = scene_id[:6]
        if self.repository.get_region(region_code) is None:
            raise NotFound(REGION_NOT_FOUND)
        heads = self.repository.get_heads([item.implementation_code for item in definition.items])
        _refuse(INVALID_SCENE, scenes.definition_errors(definition, heads, region_code))
        previous = self.repository.get_scene(scene_id, consistent=True)
        version = previous.version if previous else 0
        scene = Scene(
            **definition.model_dump(),
            scene_id=scene_id,
            region_code=region_code,
            version=version + 1,
            updated_at=now(),
            updated_by=actor,
        )
        self.repository.put_scene(scene, events.scene_set(scene), previous_version=version)
        return scene

    def get_scene(self, scene_id: str) -> Scene:
        scene = self.repository.get_scene(scene_id)
        if scene is None:
            raise NotFound(SCENE_NOT_FOUND)
        return scene

    def list_scenes(self, *, region_prefix: str | None, limit: int, cursor: str | None) -> Page[Scene]:
        return self.repository.list_scenes(region_prefix=region_prefix, limit=limit, cursor=cursor)

    def scene_guide(self, scene_id: str, answers: SceneAnswers) -> SceneGuide:
        """The questionnaire answered: the items it selects with their fees, limits and
        materials, the one combined form and each shared material once."""
        scene = self.get_scene(scene_id)
        _refuse(INVALID_ANSWERS, scenes.answer_errors(scene, answers.answers))
        heads = self.repository.get_heads(scenes.selected_codes(scene, answers.answers))
        published = {code: head for code, head in heads.items() if head.status == "published"}
        names = self.repository.department_names(
            scene.region_code, sorted({h.department_id for h in published.values()})
        )
        return scenes.guide(scene, answers.answers, published, names)

    def list_synonyms(self, *, limit: int, cursor: str | None) -> Page[Synonym]:
        return self.repository.list_synonyms(limit=limit, cursor=cursor)

    def put_synonym(self, word: str, update: SynonymUpdate, *, actor: str) -> Synonym:
        """Curate a synonym (operators, no deploy): searches for `word` look for `means`."""
        normalised = keywords(word)
        means = " ".join(keywords(update.means))
        if len(normalised) != 1 or not means:
            raise ValidationFailed(INVALID_SYNONYM)
        synonym = Synonym(word=normalised[0], means=means, updated_by=actor)
        self.repository.put_synonym(synonym, events.synonym_set(synonym))
        return synonym

    def delete_synonym(self, word: str, *, actor: str | None = None) -> None:
        found = keywords(word)
        if not found:
            raise NotFound(SYNONYM_NOT_FOUND)
        self.repository.delete_synonym(
            found[0], events.synonym_removed(found[0], actor=actor), missing=NotFound(SYNONYM_NOT_FOUND)
        )

    def region_list(self, region_code: str, list_kind: ListKind, *, limit: int, cursor: str | None) -> RegionList:
        """A division's 不见面 or 见一次面 list (C29)."""
        region = self.repository.get_region(region_code)
        if region is None:
            raise NotFound(REGION_NOT_FOUND)
        criteria = ItemFilter(
            region_code=region_code,
            department_id=None,
            item_type=None,
            keywords=[],
            channel=list_kind,
            applicant_kind=None,
            subtree=False,
        )
        page = self.repository.search(criteria, limit=limit, cursor=cursor)
        return RegionList(region=region, list_kind=list_kind, items=page.items, next_cursor=page.next_cursor)

    def region_snapshot(self, region_code: str) -> snapshots.RegionSnapshot:
        """Both lists of a division from the current catalogue, for open data."""
        region = self.repository.get_region(region_code)
        if region is None:
            raise NotFound(REGION_NOT_FOUND)
        items = list(self.repository.published_in_region(region_code))
        return snapshots.RegionSnapshot(
            region=region,
            generated_at=_now(),
            item_count=len(items),
            lists=snapshots.RegionSnapshotLists(
                no_visit=[item for item in items if item.channel == "no_visit"],
                visit_once=[item for item in items if item.channel == "visit_once"],
            ),
        )

    def versions(self, implementation_code: str, *, limit: int, cursor: str | None) -> Page[ItemVersion]:
        """The change history (变更记录), newest first."""
        page = self.repository.list_versions(implementation_code, limit=limit, cursor=cursor)
        if not page.items and cursor is None:
            raise NotFound(ITEM_NOT_FOUND)
        return page

    def get_draft(self, implementation_code: str) -> ItemDraft:
        draft = self.repository.get_draft(implementation_code)
        if draft is None:
            raise NotFound(DRAFT_NOT_FOUND)
        return draft

    # --- writing items -------------------------------------------------------------------

    def create_item(self, new: NewItem, *, actor: str) -> ItemDraft:
        """Start a new implementation (实施清单 entry) as a draft, revision 1."""
        state = self.repository.load_write_state(
            new.implementation_code, basic_code=new.basic_code, department=(new.region_code, new.department_id)
        )
        if state.region is None:
            raise ValidationFailed(
                UNKNOWN_REGION,
                params={"region_code": new.region_code},
                errors=[FieldError(field="region_code", code=UNKNOWN_REGION, params={"region_code": new.region_code})],
            )
        if state.department is None:
            params = {"department_id": new.department_id, "region_code": new.region_code}
            raise ValidationFailed(
                UNKNOWN_DEPARTMENT,
                params=params,
                errors=[FieldError(field="department_id", code=UNKNOWN_DEPARTMENT, params=params)],
            )
        exists = Conflict(ITEM_EXISTS, params={"implementation_code": new.implementation_code})
        if state.draft is not None or state.head is not None:
            raise exists
        mismatches = code_errors(new.implementation_code, new.basic_code, new, state.department, state.region)
        _refuse(CODE_MISMATCH, mismatches)
        _refuse(INVALID_ITEM, content_errors(new, new.region_code))
        basic = self._checked_basic(new.implementation_code, new.basic_code, new, state)

        moment = _now()
        draft = writes.ItemDraft.model_validate(
            {
                **content_of(new),
                "implementation_code": new.implementation_code,
                "basic_code": new.basic_code,
                "department_id": state.department.id,
                "department_name": state.department.name,
                "region_code": state.region.code,
                "region_name": state.region.name,
                "exercise_level": int(EXERCISE_LEVEL_OF_REGION[state.region.level]),
                "revision": 1,
                "based_on_version": 0,
                "changed_fields": changed_fields(None, new),
                "note": new.note,
                "created_at": moment,
                "updated_at": moment,
                "updated_by": actor,
            }
        )
        self.repository.save_draft(
            draft,
            expected_revision=0,
            basic=basic,
            create_basic=state.basic is None,
            require_no_head=exists,
            on_draft_conflict=exists,
        )
        return draft

    def save_draft(self, implementation_code: str, update: DraftUpdate, *, actor: str) -> ItemDraft:
        """Create (revision 0) or replace the draft; the published version stays live meanwhile."""
        state = self._write_state(implementation_code)
        identity = state.draft or state.head
        if identity is None:
            raise NotFound(ITEM_NOT_FOUND)
        current_revision = state.draft.revision if state.draft else 0
        if update.revision != current_revision:
            raise Conflict(DRAFT_CONFLICT)
        basic_type = parse_basic_code(identity.basic_code).item_type
        if update.item_type != basic_type:
            raise ValidationFailed(
                CODE_MISMATCH,
                errors=[FieldError(field="item_type", code=FIELD_ITEM_TYPE_MISMATCH, params={"expected": basic_type})],
            )
        _refuse(INVALID_ITEM, content_errors(update, identity.region_code))
        _refuse(DRAFT_DROPS_FIELDS, dropped_fields(state.draft or state.head, update))
        basic = self._checked_basic(implementation_code, identity.basic_code, update, state)
        if state.draft is not None:
            based_on_version = state.draft.based_on_version
        else:  # a new draft starts from the published version
            based_on_version = state.head.version if state.head else 0

        moment = _now()
        draft = writes.ItemDraft.model_validate(
            {
                **content_of(update),
                "implementation_code": identity.implementation_code,
                "basic_code": identity.basic_code,
                "department_id": identity.department_id,
                "department_name": identity.department_name,
                "region_code": identity.region_code,
                "region_name": identity.region_name,
                "exercise_level": identity.exercise_level,
                "revision": current_revision + 1,
                "based_on_version": based_on_version,
                "changed_fields": changed_fields(state.head, update),
                "note": update.note,
                "created_at": state.draft.created_at if state.draft else moment,
                "updated_at": moment,
                "updated_by": actor,
            }
        )
        self.repository.save_draft(
            draft, expected_revision=current_revision, basic=basic, create_basic=state.basic is None
        )
        return draft

    def publish(
        self, implementation_code: str, request: PublishRequest, *, actor: str, correlation_id: str | None = None
    ) -> ItemDetail:
        """Make the draft the live version: head + version snapshot + event, atomically."""
        state = self._write_state(implementation_code)
        draft = state.draft
        if draft is None:
            if state.head is None:
                raise NotFound(ITEM_NOT_FOUND)
            raise Conflict(NO_DRAFT)
        if request.revision is not None and request.revision != draft.revision:
            raise Conflict(DRAFT_CONFLICT)
        previous_version = state.head.version if state.head else 0
        if draft.based_on_version != previous_version:
            raise Conflict(DRAFT_STALE)
        basic = self._checked_basic(implementation_code, draft.basic_code, draft, state)
        _refuse(INVALID_ITEM, self._unknown_licence_types(draft))
        # a draft saved before the binding rule existed is checked again here
        _refuse(INVALID_ITEM, identity_binding_errors(draft.form_schema))

        moment = _now()
        version = previous_version + 1
        item = ItemDetail.model_validate(
            {
                **content_of(draft),
                **draft.model_dump(include={"implementation_code", "basic_code", "department_id", "department_name"}),
                **draft.model_dump(include={"region_code", "region_name", "exercise_level"}),
                "co_departments": self._co_departments(draft),
                "status": "published",
                "version": version,
                "item_type_name": ITEM_TYPE_NAMES[draft.item_type][0],
                "fee_total_fen": sum(fee.amount_fen for fee in draft.fees),
                "published_at": moment,
                "updated_at": moment,
            }
        )
        entry = ItemVersion(
            version=version,
            action="published",
            name=item.name,
            at=moment,
            by=actor,
            note=request.note or draft.note,
            changed_fields=changed_fields(state.head, draft),
        )
        self.repository.publish(
            item,
            entry,
            draft_revision=draft.revision,
            previous_version=previous_version,
            basic=basic,
            create_basic=state.basic is None,
            event=events.item_published(item, correlation_id=correlation_id),
            previous=state.head,
        )
        return item

    def _co_departments(self, draft: ItemDraft) -> list[dict[str, str]]:
        """Each co-department's name as registered at the item's division, so cases and
        their joint opinions name departments, not ids (an unregistered one keeps its id)."""
        ids = list(dict.fromkeys(draft.co_department_ids))
        names = self.repository.department_names(draft.region_code, ids)
        return [{"department_id": d, "name": names.get(d, d)} for d in ids]

    def retire(
        self, implementation_code: str, request: RetireRequest, *, actor: str, correlation_id: str | None = None
    ) -> ItemDetail:
        """Take a published item off the lists (取消/下线); its history stays readable."""
        head = self.repository.get_head(implementation_code, consistent=True)
        if head is None:
            raise NotFound(ITEM_NOT_FOUND)
        if head.status != "published":
            raise Conflict(ITEM_NOT_PUBLISHED)
        moment = _now()
        item = head.model_copy(
            update={
                "status": "retired",
                "version": head.version + 1,
                "retired_at": moment,
                "retire_reason": request.reason,
                "updated_at": moment,
            }
        )
        entry = ItemVersion(
            version=item.version,
            action="retired",
            name=item.name,
            at=moment,
            by=actor,
            note=request.reason,
            changed_fields=["status"],
        )
        self.repository.retire(
            item,
            entry,
            previous_version=head.version,
            event=events.item_retired(item, correlation_id=correlation_id),
            previous=head,
        )
        return item

    # --- helpers --------------------------------------------------------------------------

    def _unknown_licence_types(self, content: ItemContent) -> list[FieldError]:
        """Licence types the directory does not know or has retired, as the catalogue's copy of it
        says (kept from `licence_type.changed` by licence_type_projector, D-101)."""
        candidates = [("result_licence_type_code", content.result_licence_type_code)] + [
            (f"materials.{i}.licence_type_code", m.licence_type_code) for i, m in enumerate(content.materials)
        ]
        named = [(field, code) for field, code in candidates if code]
        if not named:
            return []
        statuses = self.repository.licence_type_statuses(code for _, code in named)
        refused: list[FieldError] = []
        for field, code in named:
            status = statuses.get(code)
            if status is None:
                refused.append(FieldError(field=field, code=FIELD_UNKNOWN_LICENCE_TYPE, params={"code": code}))
            elif status != "active":
                refused.append(FieldError(field=field, code=FIELD_RETIRED_LICENCE_TYPE, params={"code": code}))
        return refused

    def record_licence_type(self, code: str, *, name: str, status: str, version: int) -> bool:
        """A licence type as the licences context's directory now has it (`licence_type.changed`);
        False when the copy already had this version or a newer one."""
        return self.repository.record_licence_type(code, name=name, status=status, version=version)

    def _write_state(self, implementation_code: str) -> WriteState:
        try:
            code = parse_implementation_code(implementation_code)
        except ValueError:
            raise NotFound(ITEM_NOT_FOUND) from None
        return self.repository.load_write_state(implementation_code, basic_code=str(code.basic_code))

    @staticmethod
    def _checked_basic(implementation_code: str, basic_code: str, content: ItemContent, state: WriteState) -> BasicItem:
        """The basic item to guard the write with: the stored one (after 三级四同 passes) or a new one."""
        if state.basic is not None:
            # 三级四同 and 限高 in one check: the same stored basic item, the same guard at commit
            _refuse(THREE_LEVEL_MISMATCH, three_level_differences(basic_code, content, state.basic))
            _refuse(CAPS_EXCEEDED, cap_violations(content, state.basic.caps))
            return state.basic
        return writes.BasicItem(
            basic_code=basic_code,
            name=content.name,
            item_type=content.item_type,
            legal_basis=content.legal_basis,
            fingerprint=fingerprint(basic_code, content.name, content.item_type.value, content.legal_basis),
            created_at=_now(),
            created_by_implementation=implementation_code,
        )


def department_name(region_code: str, department_id: str) -> str | None:
    """The name of a department registered at a division, or None (one GetItem-sized read)."""
    return CatalogRepository().department_names(region_code, [department_id]).get(department_id)


def departments_in(region_prefix: str) -> list[Department]:
    """Every department registered inside a division prefix (`32`: the whole province), page by page."""
    service, found, cursor = CatalogService(), list[Department](), None
    while True:
        page = service.list_departments(region_prefix=region_prefix, limit=100, cursor=cursor)
        found.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            return found


def departments_implementing(basic_code: str, department_ids: Sequence[str]) -> set[str]:
    """Which of the departments already have a published implementation of the basic item
    (one Query of the department's items index each, stopping at the first)."""
    repository = CatalogRepository()
    return {d for d in department_ids if repository.implements(d, basic_code)}


def claim_item(new: NewItem, *, actor: str) -> str:
    """Create the implementation a department claims a basic item with (事项认领; 三级四同 and every
    other rule of `create_item`) and return its code. Safe to retry: when the same department's
    draft or item already exists under the code, that code is the answer."""
    service = CatalogService()
    try:
        return service.create_item(new, actor=actor).implementation_code
    except Conflict as exc:
        if exc.code != ITEM_EXISTS:
            raise
        state = service.repository.load_write_state(new.implementation_code, basic_code=new.basic_code)
        existing = state.draft or state.head
        if existing is None or existing.department_id != new.department_id:
            raise
        return existing.implementation_code
