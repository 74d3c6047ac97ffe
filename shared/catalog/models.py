"""The catalogue's shapes: the request and response bodies every path of catalog_api needs
(search, an item, its versions, regions, departments, lists, scenes), and the records other
contexts may read through the service. Nothing else crosses its edge. Shapes only some routes
need live beside them and load with those routes' first request (D-316): the operator's write
bodies in `writes`, the scene guide in `scenes`, the portal's pages in `portal`, the open-data
file in `snapshots`.

Terms: 事项 service item; 基本目录 basic item (the same at every level, 三级四同);
实施清单 implementation (one department's way of doing it in one division);
办事指南 the guide users read (materials, limits, fees, halls).
"""

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.catalog.codes import (
    BASIC_CODE_PATTERN,
    DIVISION_CODE_PATTERN,
    IMPLEMENTATION_CODE_PATTERN,
    ItemType,
    RegionLevel,
)

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
RegionCode = Annotated[str, Field(pattern=DIVISION_CODE_PATTERN, examples=["320102"])]
DepartmentId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{2,47}$", examples=["320100-market"])]
Uscc = Annotated[str, Field(pattern=r"^[0-9A-HJ-NP-RTUWXY]{18}$", examples=["11320102010102043T"])]
ImplementationCodeText = Annotated[
    str, Field(pattern=IMPLEMENTATION_CODE_PATTERN, examples=["11320102010102043T4000117004000"])
]
BasicCodeText = Annotated[str, Field(pattern=BASIC_CODE_PATTERN, examples=["000117004000"])]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]

Channel = Literal["no_visit", "visit_once"]
"""办理渠道: `no_visit` 不见面 (fully online, results by courier) or `visit_once` 见一次面."""
ListKind = Channel
ApplicantKind = Literal["natural_person", "legal_person", "other_organization"]
"""服务对象: 自然人 / 法人 / 其他组织."""
FeeTiming = Literal["before_acceptance", "after_approval"]
"""收费环节: fees paid before the department accepts, or after approval (before the result)."""
LicenceTypeCode = Annotated[str, Field(pattern=r"^[0-9A-HJ-NP-RTUWXY]{18}[0-9]{3}$")]
"""证照类型代码 (GB/T 36903): the defining body's USCC + a 3-digit sequence."""
ItemStatus = Literal["published", "retired"]
VersionAction = Literal["published", "retired"]
MAX_REVISION = 1_000_000  # drafts are revised by hand; the bound documents the range


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


class _Input(BaseModel):
    """Request bodies refuse unknown fields so typos surface as 422, not silently."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


# --- regions and departments ---------------------------------------------------


class Region(_Shape):
    """行政区划 (GB/T 2260)."""

    code: RegionCode
    name: ShortText
    level: RegionLevel
    parent_code: RegionCode | None = None


class Department(_Shape):
    """实施部门: a government department at one division, known by its USCC."""

    id: DepartmentId
    name: ShortText
    uscc: Uscc
    region_code: RegionCode
    level: RegionLevel
    sector: Annotated[str, Field(pattern=r"^[a-z_]{2,40}$", examples=["market_regulation"])] | None = Field(
        default=None, description="Line of work (条线), e.g. public_security 公安, civil_affairs 民政."
    )


# --- the guide's parts -------------------------------------------------------------


class Fee(_Input):
    """收费项目: money in integer fen, always CNY."""

    name: ShortText
    amount_fen: int = Field(ge=0, le=100_000_000_00, description="Amount in fen (分).")
    currency: Literal["CNY"] = "CNY"
    non_tax: bool = Field(default=False, description="True for non-tax revenue (非税收入) collected by the treasury.")


class Material(_Input):
    """申请材料: one slot the applicant fills; an e-licence may stand in for it."""

    slot_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["business_licence"])]
    name: ShortText
    kind: Literal["original", "copy", "electronic"] = Field(description="原件 / 复印件 / 电子材料.")
    requirement: Literal["required", "conditional"] = Field(
        description="必要 / 情形材料 (needed only when `condition` applies)."
    )
    condition: LongText | None = Field(default=None, description="When a conditional material is needed (适用情形).")
    accepted_formats: list[Annotated[str, Field(pattern=r"^[a-z0-9]{2,5}$")]] = Field(
        default_factory=lambda: ["pdf", "jpg", "png", "ofd"], max_length=10
    )
    max_size_bytes: int | None = Field(default=10 * 1024 * 1024, ge=1, le=100 * 1024 * 1024)
    licence_type_code: LicenceTypeCode | None = Field(
        default=None,
        description="E-licence type (证照类型代码: defining body's USCC + 3 digits) that can replace the material.",
    )


class Hall(_Input):
    """办理大厅 where a visit-once item is handled."""

    name: ShortText
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    region_code: RegionCode
    phone: Annotated[str, Field(pattern=r"^[0-9+\-() ]{3,30}$")]
    hours: ShortText = Field(examples=["工作日 9:00-12:00，13:30-17:00"])


class ItemContent(_Input):
    """What an operator edits: the implementation's guide (办事指南).

    `name`, `item_type` and `legal_basis` (with the basic code) must equal the
    basic item at every level (三级四同); everything else may vary locally.
    """

    name: ShortText
    item_type: ItemType = Field(description="事项类型: 01 行政许可 … 10 其他行政权力, 20 公共服务.")
    legal_basis: LongText = Field(description="设定依据, e.g. 《中华人民共和国食品安全法》第三十五条.")
    legal_limit_days: int = Field(ge=1, le=365, description="法定办结时限, working days.")
    promised_limit_days: int = Field(ge=0, le=365, description="承诺办结时限, working days (0 for 即办件).")
    fees: list[Fee] = Field(default_factory=list, max_length=20)
    fee_timing: FeeTiming = Field(
        default="after_approval",
        description="When the fees are paid (C10): before_acceptance 受理前 or after_approval 准予许可后.",
    )
    result_licence_type_code: LicenceTypeCode | None = Field(
        default=None,
        description="E-licence type an approval of this item produces (证照类型代码, C11); none for no licence.",
    )
    renewal_item_code: ImplementationCodeText | None = Field(
        default=None,
        description=(
            "延续 (行政许可法 第50条): the item through which a holder renews a licence this item issued; "
            "the holder starts it from the licence (POST /v1/cases/renewals). None: not renewable online."
        ),
    )
    renewal_lead_days: int = Field(
        default=30,
        ge=0,
        le=366,
        description=(
            "On a renewal item: a renewal is applied for at least this many days before the licence expires "
            "(Art. 50: 30 unless a law, regulation or rule the item's legal basis names says otherwise)."
        ),
    )
    materials: list[Material] = Field(default_factory=list, max_length=60)
    form_schema: dict[str, Any] = Field(
        description="The application form as a JSON Schema object (Draft 2020-12 or Draft-07)."
    )
    channel: Channel
    halls: list[Hall] = Field(default_factory=list, max_length=20)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    applicant_kinds: list[ApplicantKind] = Field(min_length=1, max_length=3)
    joint: bool = Field(default=False, description="联办事项: handled jointly by several departments.")
    lead_department_id: DepartmentId | None = None
    co_department_ids: list[DepartmentId] = Field(default_factory=list, max_length=20)
    immediate: bool = Field(default=False, description="即办件: decided on the spot.")


CONTENT_FIELDS: tuple[str, ...] = tuple(ItemContent.model_fields)
THREE_LEVEL_FIELDS: tuple[str, ...] = ("name", "basic_code", "item_type", "legal_basis")
"""三级四同: the four fields identical at province, city and county."""


# --- what readers get ------------------------------------------------------------


class ItemIdentity(_Shape):
    implementation_code: str
    basic_code: str
    department_id: str
    department_name: str
    region_code: str
    region_name: str
    exercise_level: int = Field(description="行使层级: 2 province, 3 city, 4 county, 5 township, 6 village.")


class CoDepartment(_Shape):
    """A co-department of a joint item, by id and name (as registered when the item was published)."""

    department_id: str
    name: str


class ItemDetail(ItemContent, ItemIdentity):
    """A published (or retired) implementation as users see it: the full guide."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    co_departments: list[CoDepartment] = Field(
        default_factory=list,
        description=(
            "联办: the co-departments with their names, in the order of co_department_ids "
            "(a department not registered at the item's division is named by its id)."
        ),
    )

    status: ItemStatus
    version: int
    item_type_name: str
    fee_total_fen: int
    published_at: AwareDatetime
    updated_at: AwareDatetime
    retired_at: AwareDatetime | None = None
    retire_reason: str | None = None


class ItemSummary(_Shape):
    """One search hit: enough to list it and decide whether to open it."""

    implementation_code: str
    basic_code: str
    name: str
    item_type: ItemType
    item_type_name: str
    department_id: str
    department_name: str
    region_code: str
    region_name: str
    exercise_level: int
    channel: Channel
    immediate: bool
    legal_limit_days: int
    promised_limit_days: int
    fee_total_fen: int
    applicant_kinds: list[ApplicantKind]
    tags: list[str]
    version: int


class ItemVersion(_Shape):
    """One entry of the change history (变更记录): who, when, what changed, why."""

    version: int
    action: VersionAction
    name: str
    at: AwareDatetime
    by: str
    note: str | None = None
    changed_fields: list[str]


class RegionList(_Shape):
    """A division's 不见面 or 见一次面 list (C29)."""

    region: Region
    list_kind: ListKind
    items: list[ItemSummary]
    next_cursor: str | None = None


# --- curated synonyms (D-172) -----------------------------------------------------------


class Synonym(_Shape):
    """An operator-curated synonym: a search for `word` searches `means` instead."""

    word: str
    means: str
    updated_by: str | None = None


# --- scenes (一件事, issue 18, D-260) ----------------------------------------------------

SceneIdText = Annotated[
    str, Field(pattern=r"^[0-9]{6}-[a-z][a-z0-9-]{1,40}$", examples=["320102-restaurant"], description="场景编号")
]
QuestionId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,30}$", examples=["business_form"])]


class SceneQuestion(_Input):
    """One question of the scene's questionnaire (情形引导), answered by choosing one option."""

    question_id: QuestionId
    text: ShortText
    options: list[ShortText] = Field(min_length=2, max_length=10)


class SceneItem(_Input):
    """An item of the scene and the answers that select it."""

    implementation_code: ImplementationCodeText
    when: dict[QuestionId, list[ShortText]] = Field(
        default_factory=dict,
        max_length=10,
        description="Selected when, for every question named, the answer is one of those listed; empty: always.",
    )


class SceneDefinition(_Input):
    """What an operator writes: the questionnaire and the items it selects among."""

    name: ShortText
    description: LongText | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    questions: list[SceneQuestion] = Field(default_factory=list, max_length=10)
    items: list[SceneItem] = Field(min_length=1, max_length=20)


class Scene(SceneDefinition):
    """A scene (一件事) of one division: a life or business event bundling the items it needs."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    scene_id: str
    region_code: str
    version: int
    updated_at: AwareDatetime
    updated_by: str


class SceneAnswers(_Input):
    answers: dict[QuestionId, ShortText] = Field(
        default_factory=dict, max_length=10, description="question_id → the chosen option; every question answered."
    )


# --- one search, hot searches, sub-halls (D-280) --------------------------------------------


class SceneHit(_Shape):
    """A scene in a search result or a hall: open it at `/v1/scenes/{scene_id}`."""

    scene_id: str
    name: str
    description: str | None
    region_code: str
    tags: list[str]
    items: int = Field(description="How many items the scene bundles (its answers select among them).")


def scene_hit(scene: Scene) -> SceneHit:
    return SceneHit(
        scene_id=scene.scene_id,
        name=scene.name,
        description=scene.description,
        region_code=scene.region_code,
        tags=scene.tags,
        items=len(scene.items),
    )


class SearchHit(_Shape):
    """One entry of the one result list: a scene (一件事) or an item."""

    kind: Literal["scene", "item"]
    scene: SceneHit | None = None
    item: ItemSummary | None = None


class SearchResults(_Shape):
    results: list[SearchHit] = Field(description="Matching scenes first (first page only), then the items, ranked.")
    next_cursor: str | None = Field(default=None, description="The items' next page.")
