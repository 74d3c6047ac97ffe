"""The catalogue's HTTP routes (paths fixed by template.yaml, CatalogApiFunction).

Public reads: search, item detail, change history, divisions, departments,
and the 不见面 / 见一次面 lists. Operator endpoints (drafts, publish, retire)
need a signed-in operator (`route(..., access=Access.OPERATOR)`). Each
route declares who may call it (`x-jszw-access`), its parameters, models and
the error codes it may answer with, so the OpenAPI spec documents it; errors
are the platform's problem+json body.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shared.catalog.codes import (
    BASIC_CODE_PATTERN,
    DIVISION_CODE_PATTERN,
    IMPLEMENTATION_CODE_PATTERN,
    ItemType,
    RegionLevel,
)
from shared.catalog.models import (
    ApplicantKind,
    Channel,
    Department,
    DepartmentId,
    ItemDetail,
    ItemSummary,
    ItemVersion,
    ListKind,
    Region,
    RegionList,
    Scene,
    SceneAnswers,
    SceneDefinition,
    SearchResults,
    Synonym,
)
from shared.catalog.service import CatalogService
from shared.codes.divisions import SCOPE_PREFIX_PATTERN
from shared.platform.idempotency import once
from shared.platform.observability import correlation_id
from shared.platform.pagination import DEFAULT_LIMIT, Page
from shared.platform.principal import Access, Principal
from shared.platform.public import lazy_module
from shared.platform.route_docs import Cursor, Limit
from shared.platform.route_docs import ok as _ok
from shared.platform.route_docs import problem as _problem
from shared.platform.routing import route

if TYPE_CHECKING:
    from shared.catalog import portal, scenes, writes
else:
    # the operator's request bodies, the scene guide and the portal's pages: named in their routes'
    # signatures only, which are resolved on those routes' first request (D-315), so the search, an item,
    # its versions and the region lists never create them (D-316)
    portal = lazy_module("shared.catalog.portal")
    scenes = lazy_module("shared.catalog.scenes")
    writes = lazy_module("shared.catalog.writes")

router = APIGatewayRouter()

ITEMS_TAG = "Service items 政务服务事项"
OPERATOR_TAG = "Catalogue management 事项管理"
DIVISIONS_TAG = "Divisions and departments 区划与部门"


_BAD_REQUEST = {400: _problem("Malformed request or cursor (malformed_json, invalid_cursor)")}
_INVALID = {422: _problem("Invalid parameters (validation_failed)")}
_UNAUTHORIZED = {
    401: _problem("No or invalid access token (unauthorized)"),
    403: _problem("The caller is not an operator (forbidden)"),
}
_OPERATOR = {**_UNAUTHORIZED, 413: _problem("Body larger than the limit (payload_too_large)")}

ItemCode = Annotated[
    str,
    Path(
        pattern=IMPLEMENTATION_CODE_PATTERN,
        description="实施编码: implementing department's USCC + exercise level + basic code (31 characters).",
        examples=["11320102010102043T4000117004000"],
    ),
]


@cache
def _service() -> CatalogService:
    return CatalogService()


# --- public reads -------------------------------------------------------------------------


@route(
    router,
    "GET",
    "/v1/items",
    summary="Search service items",
    description=(
        "One search over the published catalogue (C7): the items of a division **and every division below it** "
        "(default 320000: all of Jiangsu — province, cities, counties, townships, villages), or of one "
        "department, narrowed by keyword (name, tags, codes, department), item type, channel (no_visit 不见面 / "
        "visit_once 见一次面) and applicant kind. With keywords, results are ranked: exact name, then name "
        "prefix, then name substring, then matches elsewhere (tags, codes, department); within each class the "
        "divisions of `near` (the person's division and those above it, nearest first) come first, then the "
        "rest in division-code order. Paged with an opaque cursor; a page may be short when the search stops "
        "at its call budget, and `next_cursor` then continues it. Drafts and retired items are never listed."
    ),
    tags=[ITEMS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("A page of matching published items"), **_BAD_REQUEST, **_INVALID},
)
def search_items(
    q: Annotated[str | None, Query(max_length=100, description="Keywords; every word must match.")] = None,
    region: Annotated[
        str | None,
        Query(
            pattern=DIVISION_CODE_PATTERN,
            description="Division code at any level (e.g. 320000, 320102, 320115001): it and everything below it.",
        ),
    ] = None,
    department: Annotated[DepartmentId | None, Query(description="Department id, e.g. 320100-market.")] = None,
    near: Annotated[
        str | None,
        Query(
            pattern=DIVISION_CODE_PATTERN,
            description="The person's division (any level, e.g. 320115001): its items and those above it rank first.",
        ),
    ] = None,
    item_type: Annotated[ItemType | None, Query(alias="type", description="事项类型 code, e.g. 01 行政许可.")] = None,
    channel: Annotated[Channel | None, Query(description="no_visit 不见面 or visit_once 见一次面.")] = None,
    applicant_kind: Annotated[ApplicantKind | None, Query(description="Who may apply.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ItemSummary]:
    return _service().search(
        query=q,
        region_code=region,
        department_id=department,
        near=near,
        item_type=item_type.value if item_type else None,
        channel=channel,
        applicant_kind=applicant_kind,
        limit=limit,
        cursor=cursor,
    )


@route(
    router,
    "GET",
    "/v1/items/<item_code>",
    summary="Read a service item's guide",
    description=(
        "The published guide (办事指南) of one implementation: limits, fees, materials (with the e-licence "
        "type that can stand in), the application form's JSON Schema, channel and halls. A retired item is "
        "returned with status `retired`; drafts are never shown."
    ),
    tags=[ITEMS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={
        200: _ok("The item's guide"),
        404: _problem("No published item with this code (catalog.item_not_found)"),
        **_INVALID,
    },
)
def get_item(item_code: ItemCode) -> ItemDetail:
    return _service().get_item(item_code)


@route(
    router,
    "GET",
    "/v1/items/<item_code>/versions",
    summary="Change history of a service item",
    description="Every published and retired version, newest first: who, when, which fields changed and why.",
    tags=[ITEMS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={
        200: _ok("A page of versions, newest first"),
        404: _problem("Never published (catalog.item_not_found)"),
        **_BAD_REQUEST,
        **_INVALID,
    },
)
def item_versions(item_code: ItemCode, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[ItemVersion]:
    return _service().versions(item_code, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/regions",
    summary="List administrative divisions",
    description=(
        "Divisions of Jiangsu at five levels (GB/T 2260 province, city, county; statistical township and village "
        "codes below them): all, the children of `parent`, or those of one `level`."
    ),
    tags=[DIVISIONS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("A page of divisions in code order"), **_BAD_REQUEST, **_INVALID},
)
def list_regions(
    parent: Annotated[str | None, Query(pattern=DIVISION_CODE_PATTERN, description="Parent division code.")] = None,
    level: Annotated[
        RegionLevel | None, Query(description="province, city, county, township (乡镇/街道) or village (村/社区).")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[Region]:
    return _service().list_regions(parent_code=parent, level=level.value if level else None, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/departments",
    summary="List departments",
    description=(
        "Implementing departments, optionally those whose division code starts with `region` "
        "(`32` all of Jiangsu, `3201` Nanjing and its districts, `320115` Jiangning and its townships, "
        "`320115001` one township and its villages)."
    ),
    tags=[DIVISIONS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("A page of departments in division order"), **_BAD_REQUEST, **_INVALID},
)
def list_departments(
    region: Annotated[
        str | None, Query(pattern=SCOPE_PREFIX_PATTERN, description="Division code prefix (2, 4, 6, 9 or 12 digits).")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[Department]:
    return _service().list_departments(region_prefix=region, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/regions/<region_code>/lists/<list_kind>",
    summary="不见面 / 见一次面 list of a division",
    description=(
        "The published items of a division that need no visit (`no_visit`, 不见面) or at most one visit "
        "(`visit_once`, 见一次面) — C29. The same lists are published as open data."
    ),
    tags=[ITEMS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={
        200: _ok("The division and a page of its list"),
        404: _problem("Unknown division (catalog.region_not_found)"),
        **_BAD_REQUEST,
        **_INVALID,
    },
)
def region_list(
    region_code: Annotated[str, Path(pattern=DIVISION_CODE_PATTERN, description="GB/T 2260 division code.")],
    list_kind: Annotated[ListKind, Path(description="no_visit or visit_once.")],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> RegionList:
    return _service().region_list(region_code, list_kind, limit=limit, cursor=cursor)


# --- one search, hot searches, sub-halls (D-280) --------------------------------------------

DivisionCode = Annotated[str, Path(pattern=DIVISION_CODE_PATTERN, description="GB/T 2260 division code.")]


@route(
    router,
    "GET",
    "/v1/search",
    summary="Search scenes (一件事) and items in one list",
    description=(
        "The keywords (Chinese, full pinyin, initials, curated synonyms, one wrong character — as "
        "`/v1/items`) over the scenes of the division and those below it (first page only, first in the list) "
        "and its items, ranked as `/v1/items` ranks them. Paged by the items' cursor. A first-page search that "
        "found something counts for `/v1/search/hot`."
    ),
    tags=[ITEMS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("Scenes, then items"), **_BAD_REQUEST, **_INVALID},
)
def discover(
    q: Annotated[str | None, Query(max_length=100, description="Keywords; every word must match.")] = None,
    region: Annotated[
        str | None, Query(pattern=DIVISION_CODE_PATTERN, description="Division code: it and everything below it.")
    ] = None,
    near: Annotated[
        str | None, Query(pattern=DIVISION_CODE_PATTERN, description="The person's division: nearer items first.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> SearchResults:
    return _service().discover(query=q, region_code=region, near=near, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/search/hot",
    summary="Hot searches (热门搜索)",
    description=(
        "The queries searched most today and yesterday (Asia/Shanghai) through `/v1/search` that found something, "
        "most first; a query longer than 20 characters is not counted."
    ),
    tags=[ITEMS_TAG],
    access=Access.PUBLIC,
    responses={200: _ok("The hot searches"), **_INVALID},
)
def hot_searches(limit: Annotated[int, Query(ge=1, le=20, description="How many.")] = 10) -> portal.HotSearches:
    return _service().hot_searches(limit=limit)


@route(
    router,
    "GET",
    "/v1/regions/<region_code>/hall",
    summary="网上分厅: a division's catalogue view",
    description=(
        "A city's or county's online sub-hall at a stable URL: the division, its own departments, the scenes of "
        "it and the divisions below, and a first page of its items (continue with `/v1/items?region=`)."
    ),
    tags=[DIVISIONS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("The sub-hall"), 404: _problem("Unknown division (catalog.region_not_found)"), **_INVALID},
)
def sub_hall(region_code: DivisionCode, limit: Limit = DEFAULT_LIMIT) -> portal.SubHall:
    return _service().sub_hall(region_code, limit=limit)


@route(
    router,
    "GET",
    "/v1/departments/<department_id>/store",
    summary="旗舰店: a department's catalogue view",
    description=(
        "A department's flagship store at a stable URL: the department, the scenes that bundle its items and a "
        "first page of its items (continue with `/v1/items?department=`)."
    ),
    tags=[DIVISIONS_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={
        200: _ok("The store"),
        404: _problem("Unknown department (catalog.department_not_found)"),
        **_INVALID,
    },
)
def department_store(
    department_id: Annotated[str, Path(pattern=r"^[0-9]{6,12}-[a-z]{2,20}$", description="e.g. 320102-market.")],
    limit: Limit = DEFAULT_LIMIT,
) -> portal.DepartmentStore:
    return _service().department_store(department_id, limit=limit)


# --- operator writes ------------------------------------------------------------------------


@route(
    router,
    "POST",
    "/v1/items",
    status_code=201,
    summary="Add a service item implementation (draft)",
    description=(
        "Starts a new implementation (实施清单 entry) as draft revision 1. The implementation code must be the "
        "department's USCC + the exercise level of its division + the basic code; name, basic code, type and "
        "legal basis must equal the basic item's (三级四同) — the first implementation of a basic code defines "
        "them. Send `Idempotency-Key` to make retries safe."
    ),
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={
        201: _ok("The new draft, revision 1"),
        409: _problem("Code exists, or Idempotency-Key reused (catalog.item_exists, idempotency_key_reused)"),
        422: _problem(
            "Rules broken (catalog.unknown_region, catalog.unknown_department, catalog.code_mismatch, "
            "catalog.invalid_item, catalog.three_level_mismatch, validation_failed)"
        ),
        **_BAD_REQUEST,
        **_OPERATOR,
    },
)
def create_item(
    principal: Principal,
    body: Annotated[writes.NewItem, Body()],
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=128, description="Retries return the first result.")
    ] = None,
) -> writes.ItemDraft:
    actor = principal.subject_id

    def produce() -> dict[str, Any]:
        return _service().create_item(body, actor=actor).model_dump(mode="json")

    result = once(
        scope=f"catalog.items.create:{actor}",
        key=idempotency_key,
        payload=body.model_dump(mode="json"),
        produce=produce,
    )
    return writes.ItemDraft.model_validate(result)


@route(
    router,
    "GET",
    "/v1/items/<item_code>/draft",
    summary="Read the draft of a service item",
    description="The draft an operator is preparing, with its revision (for optimistic concurrency).",
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The draft"),
        404: _problem("No draft (catalog.draft_not_found)"),
        **_UNAUTHORIZED,
        **_INVALID,
    },
)
def get_draft(item_code: ItemCode) -> writes.ItemDraft:
    return _service().get_draft(item_code)


@route(
    router,
    "PUT",
    "/v1/items/<item_code>/draft",
    summary="Create or replace the draft of a service item",
    description=(
        "Replaces the whole guide of the draft. Send the `revision` you loaded; 0 starts a new draft from the "
        "published version. The published version stays live until the draft is published."
    ),
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The saved draft with its new revision"),
        404: _problem("Unknown item (catalog.item_not_found)"),
        409: _problem("Draft changed meanwhile (catalog.draft_conflict)"),
        422: _problem("Rules broken (catalog.invalid_item, catalog.three_level_mismatch, catalog.code_mismatch)"),
        **_BAD_REQUEST,
        **_OPERATOR,
    },
)
def put_draft(
    principal: Principal, item_code: ItemCode, body: Annotated[writes.DraftUpdate, Body()]
) -> writes.ItemDraft:
    actor = principal.subject_id
    return _service().save_draft(item_code, body, actor=actor)


@route(
    router,
    "POST",
    "/v1/items/<item_code>/publish",
    summary="Publish the draft",
    description=(
        "Makes the draft the live version: the head record, an immutable version snapshot and the "
        "`catalog.item_published` event are written in one transaction, and the draft is removed."
    ),
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The published version"),
        404: _problem("Unknown item (catalog.item_not_found)"),
        409: _problem("No draft, or it changed (catalog.no_draft, catalog.draft_conflict, catalog.draft_stale)"),
        422: _problem("三级四同 broken (catalog.three_level_mismatch)"),
        **_BAD_REQUEST,
        **_OPERATOR,
    },
)
def publish_item(
    principal: Principal,
    item_code: ItemCode,
    body: Annotated[
        writes.PublishRequest | None, Body(description="Optional: the reviewed revision and a note.")
    ] = None,
) -> ItemDetail:
    actor = principal.subject_id
    request = body or writes.PublishRequest()
    return _service().publish(item_code, request, actor=actor, correlation_id=correlation_id())


@route(
    router,
    "POST",
    "/v1/items/<item_code>/retire",
    summary="Retire a service item",
    description=(
        "Takes the item off search and the lists (取消/下线) with a reason; emits `catalog.item_retired`. "
        "Its detail and history stay readable."
    ),
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The retired item"),
        404: _problem("Unknown item (catalog.item_not_found)"),
        409: _problem("Not published (catalog.item_not_published)"),
        **_BAD_REQUEST,
        **_OPERATOR,
        **_INVALID,
    },
)
def retire_item(principal: Principal, item_code: ItemCode, body: Annotated[writes.RetireRequest, Body()]) -> ItemDetail:
    actor = principal.subject_id
    return _service().retire(item_code, body, actor=actor, correlation_id=correlation_id())


# --- curated synonyms (D-172) -----------------------------------------------------------

SynonymPathWord = Annotated[str, Path(min_length=1, max_length=20, pattern=r"^\S+$", examples=["驾照"])]


@route(
    router,
    "GET",
    "/v1/synonyms",
    summary="List the search synonyms",
    description="The synonyms operators curated for the item search (a search for `word` looks for `means`).",
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={200: _ok("One page of synonyms, in word order"), **_UNAUTHORIZED, **_BAD_REQUEST, **_INVALID},
)
def list_synonyms(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[Synonym]:
    return _service().list_synonyms(limit=limit, cursor=cursor)


@route(
    router,
    "PUT",
    "/v1/synonyms/<word>",
    summary="Set a search synonym",
    description=(
        "From now on a search whose keyword is `word` (e.g. 驾照) looks for `means` (e.g. 驾驶证) instead: "
        "no deploy, no re-indexing. Setting it again replaces it."
    ),
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The stored synonym (normalised)"),
        422: _problem("Not one word, or means no keyword (catalog.invalid_synonym, validation_failed)"),
        **_BAD_REQUEST,
        **_OPERATOR,
    },
)
def put_synonym(principal: Principal, word: SynonymPathWord, body: Annotated[writes.SynonymUpdate, Body()]) -> Synonym:
    return _service().put_synonym(word, body, actor=principal.subject_id)


@route(
    router,
    "DELETE",
    "/v1/synonyms/<word>",
    status_code=204,
    summary="Remove a search synonym",
    description="Searches for `word` look for the word itself again.",
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={204: _ok("Removed"), 404: _problem("No such synonym (catalog.synonym_not_found)"), **_UNAUTHORIZED},
)
def delete_synonym(principal: Principal, word: SynonymPathWord) -> None:
    _service().delete_synonym(word, actor=principal.subject_id)


# --- caps of a basic item (限高, C29, D-173) ----------------------------------------------


@route(
    router,
    "PUT",
    "/v1/basic-items/<basic_code>/caps",
    summary="Set the caps (限高) of a basic item",
    description=(
        "The most any implementation of this basic item (基本目录事项) may ask: materials, legal limit, total "
        "fees. From now on, creating or editing an implementation that exceeds a cap is refused in the same "
        "check as 三级四同 (422 `catalog.caps_exceeded`, one `catalog.exceeds_cap` error per cap naming it). "
        "Existing implementations are not re-checked until their next write."
    ),
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The basic item with its caps"),
        404: _problem("No implementation of this basic item yet (catalog.basic_item_not_found)"),
        **_BAD_REQUEST,
        **_OPERATOR,
        **_INVALID,
    },
)
def put_caps(
    principal: Principal,
    basic_code: Annotated[str, Path(pattern=BASIC_CODE_PATTERN, examples=["000117004000"])],
    body: Annotated[writes.ItemCaps, Body()],
) -> writes.BasicItem:
    return _service().set_caps(basic_code, body, actor=principal.subject_id)


# --- scenes (一件事, D-260) -------------------------------------------------------------

SCENES_TAG = "Scenes 一件事"
SceneId = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{6}-[a-z][a-z0-9-]{1,40}$",
        description="场景编号: the division's code, a dash and a name (`320102-restaurant`).",
        examples=["320102-restaurant"],
    ),
]


@route(
    router,
    "GET",
    "/v1/scenes",
    summary="List scenes (一件事)",
    description=(
        "The scenes (life and business events bundling the items they need) of the divisions whose code "
        "starts with `region` (`3201` Nanjing and its districts, `320102` Xuanwu), in id order."
    ),
    tags=[SCENES_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("A page of scenes"), **_BAD_REQUEST, **_INVALID},
)
def list_scenes(
    region: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{2}(?:[0-9]{2}){0,2}$", description="Division code prefix (2, 4 or 6 digits)."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[Scene]:
    return _service().list_scenes(region_prefix=region, limit=limit, cursor=cursor)


@route(
    router,
    "GET",
    "/v1/scenes/<scene_id>",
    summary="Get a scene (一件事)",
    description="The scene's questionnaire (情形引导) and the items its answers select among.",
    tags=[SCENES_TAG],
    access=Access.PUBLIC,
    cached=True,
    responses={200: _ok("The scene"), 404: _problem("No such scene (catalog.scene_not_found)"), **_INVALID},
)
def get_scene(scene_id: SceneId) -> Scene:
    return _service().get_scene(scene_id)


@route(
    router,
    "POST",
    "/v1/scenes/<scene_id>/guide",
    summary="Answer a scene's questionnaire",
    description=(
        "The items the answers select, each with its department, fees, limits and materials; the ONE combined "
        "form (each field once, with the items whose forms use it) and each shared material once. Reads only."
    ),
    tags=[SCENES_TAG],
    access=Access.PUBLIC,
    responses={
        200: _ok("The selected items, the combined form and materials"),
        404: _problem("No such scene (catalog.scene_not_found)"),
        422: _problem("A question unanswered or answered off its options (catalog.invalid_answers, validation_failed)"),
        **_BAD_REQUEST,
    },
)
def scene_guide(scene_id: SceneId, body: Annotated[SceneAnswers, Body()]) -> scenes.SceneGuide:
    return _service().scene_guide(scene_id, body)


@route(
    router,
    "PUT",
    "/v1/scenes/<scene_id>",
    summary="Create or replace a scene (一件事)",
    description=(
        "An operator defines the scene of the division its id starts with: questions with options, and the "
        "items (published in that division) each selected by answers. Each write is a new version."
    ),
    tags=[OPERATOR_TAG],
    access=Access.OPERATOR,
    responses={
        200: _ok("The scene as stored"),
        404: _problem("The scene id names no known division (catalog.region_not_found)"),
        409: _problem("Another operator wrote the scene meanwhile (version_conflict)"),
        422: _problem("Items not published in the division, rules naming unknown options (catalog.invalid_scene)"),
        **_BAD_REQUEST,
        **_OPERATOR,
    },
)
def put_scene(principal: Principal, scene_id: SceneId, body: Annotated[SceneDefinition, Body()]) -> Scene:
    return _service().put_scene(scene_id, body, actor=principal.subject_id)
