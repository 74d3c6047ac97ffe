"""The catalogue's error codes (prefixed `catalog.`), Chinese first and English
on request, registered once with the platform's error catalogue.

Top-level codes say what went wrong with the request; field codes (used in
`errors[].code`) say what is wrong with one field. docs/errors.md lists them.
"""

from __future__ import annotations

from shared.platform.errors import register_messages

ITEM_NOT_FOUND = "catalog.item_not_found"
SYNONYM_NOT_FOUND = "catalog.synonym_not_found"
INVALID_SYNONYM = "catalog.invalid_synonym"
DRAFT_NOT_FOUND = "catalog.draft_not_found"
REGION_NOT_FOUND = "catalog.region_not_found"
ITEM_EXISTS = "catalog.item_exists"
NO_DRAFT = "catalog.no_draft"
DRAFT_CONFLICT = "catalog.draft_conflict"
DRAFT_STALE = "catalog.draft_stale"
ITEM_NOT_PUBLISHED = "catalog.item_not_published"
UNKNOWN_REGION = "catalog.unknown_region"
UNKNOWN_DEPARTMENT = "catalog.unknown_department"
CODE_MISMATCH = "catalog.code_mismatch"
INVALID_ITEM = "catalog.invalid_item"
THREE_LEVEL_MISMATCH = "catalog.three_level_mismatch"
INVALID_DEPARTMENT = "catalog.invalid_department"
INVALID_REGION = "catalog.invalid_region"
DRAFT_DROPS_FIELDS = "catalog.draft_drops_fields"

# field-level codes (errors[].code)
FIELD_DIFFERS_FROM_BASIC = "catalog.field_differs_from_basic"
FIELD_BASIC_CODE_MISMATCH = "catalog.basic_code_mismatch"
FIELD_INVALID_IMPLEMENTATION_CODE = "catalog.invalid_implementation_code"
FIELD_INVALID_BASIC_CODE = "catalog.invalid_basic_code"
FIELD_ITEM_TYPE_MISMATCH = "catalog.item_type_mismatch"
FIELD_USCC_MISMATCH = "catalog.uscc_mismatch"
FIELD_LEVEL_MISMATCH = "catalog.level_mismatch"
FIELD_PROMISED_EXCEEDS_LEGAL = "catalog.promised_exceeds_legal"
FIELD_EXCEEDS_CAP = "catalog.exceeds_cap"
SCENE_NOT_FOUND = "catalog.scene_not_found"
DEPARTMENT_NOT_FOUND = "catalog.department_not_found"
INVALID_SCENE = "catalog.invalid_scene"
INVALID_ANSWERS = "catalog.invalid_answers"
FIELD_UNKNOWN_QUESTION = "catalog.unknown_question"
FIELD_UNKNOWN_ANSWER = "catalog.unknown_answer"
FIELD_UNANSWERED = "catalog.unanswered"
CAPS_EXCEEDED = "catalog.caps_exceeded"
BASIC_ITEM_NOT_FOUND = "catalog.basic_item_not_found"
FIELD_IMMEDIATE_LIMIT = "catalog.immediate_limit"
FIELD_CONDITION_REQUIRED = "catalog.condition_required"
FIELD_DUPLICATE_SLOT = "catalog.duplicate_slot"
FIELD_HALL_REQUIRED = "catalog.hall_required"
FIELD_HALL_OUTSIDE_REGION = "catalog.hall_outside_region"
FIELD_INVALID_FORM_SCHEMA = "catalog.invalid_form_schema"
FIELD_INVALID_IDENTITY_BINDING = "catalog.invalid_identity_binding"
FIELD_INVALID_USCC = "catalog.invalid_uscc"
FIELD_DUPLICATE_VALUE = "catalog.duplicate_value"
FIELD_WRONG_PARENT = "catalog.wrong_parent"
FIELD_UNKNOWN_LICENCE_TYPE = "catalog.unknown_licence_type"
FIELD_RETIRED_LICENCE_TYPE = "catalog.retired_licence_type"
FIELD_DROPPED = "catalog.field_dropped"
FIELD_NOT_CLEARABLE = "catalog.field_not_clearable"
FIELD_NOT_A_CURRENT_DIVISION = "catalog.not_a_current_division"

MESSAGES: dict[str, tuple[str, str]] = {
    DRAFT_DROPS_FIELDS: (
        "草稿缺少现行版本已设置的字段；如确需清空，请在 clear_fields 中列出",
        "The draft leaves out fields the current version sets; name them in clear_fields to reset them",
    ),
    FIELD_DROPPED: (
        "现行版本设置了此字段（{current}），草稿未提供",
        "The current version sets this field ({current}) and the draft leaves it out",
    ),
    FIELD_NOT_CLEARABLE: ("此字段不能清空（不是有默认值的事项字段）", "This is not a guide field with a default"),
    ITEM_NOT_FOUND: ("政务服务事项不存在或尚未发布", "The service item does not exist or is not published"),
    SYNONYM_NOT_FOUND: ("该同义词不存在", "No such synonym"),
    SCENE_NOT_FOUND: ("该场景（一件事）不存在", "No such scene"),
    DEPARTMENT_NOT_FOUND: ("该部门不存在", "No such department"),
    INVALID_SCENE: (
        "场景定义有误：事项须为本区划已发布的事项，条件须引用本场景的问题与选项",
        "Invalid scene: its items must be published in its division, its rules name its questions and options",
    ),
    INVALID_ANSWERS: (
        "请回答场景的每个问题，并从给出的选项中选择",
        "Answer every question of the scene with one of its options",
    ),
    FIELD_UNKNOWN_QUESTION: ("本场景没有这个问题", "The scene has no such question"),
    FIELD_UNKNOWN_ANSWER: ("不是该问题的选项", "Not one of the question's options"),
    FIELD_UNANSWERED: ("此问题尚未回答", "This question is not answered"),
    INVALID_SYNONYM: (
        "同义词须为一个词，其含义须含至少一个关键词",
        "A synonym is one word and must mean at least one keyword",
    ),
    DRAFT_NOT_FOUND: ("该事项当前没有草稿", "The service item has no draft"),
    REGION_NOT_FOUND: ("行政区划不存在", "The administrative division does not exist"),
    ITEM_EXISTS: (
        "实施编码 {implementation_code} 已存在，请修改其草稿",
        "Implementation code {implementation_code} already exists; edit its draft instead",
    ),
    NO_DRAFT: ("该事项没有待发布的草稿", "There is no draft to publish"),
    DRAFT_CONFLICT: (
        "草稿已被他人修改或已发布，请刷新后重试",
        "The draft was changed or published by someone else; reload and retry",
    ),
    DRAFT_STALE: (
        "草稿创建后事项已发布新版本，请基于最新版本重新编辑",
        "A newer version was published after this draft was made; redo the draft from the latest version",
    ),
    ITEM_NOT_PUBLISHED: ("事项当前不是发布状态", "The service item is not currently published"),
    UNKNOWN_REGION: ("行政区划 {region_code} 不存在", "Administrative division {region_code} does not exist"),
    UNKNOWN_DEPARTMENT: (
        "部门 {department_id} 不存在或不属于行政区划 {region_code}",
        "Department {department_id} does not exist or does not belong to division {region_code}",
    ),
    CODE_MISMATCH: (
        "事项编码与部门、区划或事项类型不一致",
        "The item codes do not match the department, division or item type",
    ),
    INVALID_ITEM: ("事项信息不符合目录规则", "The service item breaks catalogue rules"),
    THREE_LEVEL_MISMATCH: (
        "不符合“三级四同”：事项名称、编码、类型、设定依据须与基本目录一致",
        "Breaks 三级四同: name, code, type and legal basis must equal the basic catalogue item",
    ),
    INVALID_DEPARTMENT: ("部门信息有误", "The department is invalid"),
    INVALID_REGION: ("行政区划信息有误", "The administrative division is invalid"),
    FIELD_DIFFERS_FROM_BASIC: (
        "与基本目录不一致，应为：{expected}",
        "Differs from the basic item; expected: {expected}",
    ),
    FIELD_BASIC_CODE_MISMATCH: (
        "实施编码中的基本编码应为 {expected}",
        "The basic code inside the implementation code must be {expected}",
    ),
    FIELD_INVALID_IMPLEMENTATION_CODE: (
        "实施编码无效（统一社会信用代码 + 行使层级 + 基本编码）",
        "Invalid implementation code (USCC + exercise level + basic code)",
    ),
    FIELD_INVALID_BASIC_CODE: (
        "基本编码无效（2 位来源 + 2 位类型 + 5 位主项 + 3 位子项）",
        "Invalid basic code (2 source + 2 type + 5 main item + 3 sub-item digits)",
    ),
    FIELD_ITEM_TYPE_MISMATCH: (
        "事项类型须与基本编码中的类型 {expected} 一致",
        "The item type must match type {expected} in the basic code",
    ),
    FIELD_USCC_MISMATCH: (
        "实施编码中的统一社会信用代码应为实施部门的 {expected}",
        "The USCC inside the implementation code must be the department's {expected}",
    ),
    FIELD_LEVEL_MISMATCH: (
        "行使层级应为 {expected}（与行政区划层级一致）",
        "The exercise level must be {expected} to match the division's level",
    ),
    FIELD_EXCEEDS_CAP: (
        "超出基本目录限高 {cap}：上限 {limit}，本事项 {given}",
        "Exceeds the basic item's cap {cap}: at most {limit}, this item has {given}",
    ),
    CAPS_EXCEEDED: (
        "实施清单超出基本目录事项的限高（材料、法定时限或收费）",
        "The implementation exceeds the basic item's caps (materials, legal limit or fees)",
    ),
    BASIC_ITEM_NOT_FOUND: (
        "基本目录事项不存在（尚无实施清单）",
        "The basic item does not exist (no implementation yet)",
    ),
    FIELD_PROMISED_EXCEEDS_LEGAL: (
        "承诺时限不得超过法定时限 {legal} 个工作日",
        "The promised limit must not exceed the legal limit of {legal} working days",
    ),
    FIELD_IMMEDIATE_LIMIT: (
        "即办件的承诺时限为 0，非即办件的承诺时限至少 1 个工作日",
        "Immediate items promise 0 days; other items promise at least 1 working day",
    ),
    FIELD_CONDITION_REQUIRED: ("情形材料须写明适用情形", "A conditional material must state its condition"),
    FIELD_DUPLICATE_SLOT: ("材料编号重复：{slot_id}", "Duplicate material slot id: {slot_id}"),
    FIELD_UNKNOWN_LICENCE_TYPE: (
        "证照目录中没有证照类型 {code}",
        "The licence-type directory has no type {code}",
    ),
    FIELD_RETIRED_LICENCE_TYPE: (
        "证照类型 {code} 已停用",
        "The licence type {code} is retired",
    ),
    FIELD_HALL_REQUIRED: ("“见一次面”事项须列出办理大厅", "A visit-once item must list at least one service hall"),
    FIELD_HALL_OUTSIDE_REGION: (
        "办理大厅须位于事项所属行政区划内",
        "The service hall must lie inside the item's division",
    ),
    FIELD_INVALID_FORM_SCHEMA: (
        "申请表单结构不是有效的 JSON Schema：{reason}",
        "The application form is not a valid JSON Schema: {reason}",
    ),
    FIELD_INVALID_IDENTITY_BINDING: (
        "表单字段的身份绑定（x-identity）无效：{reason}；可用 person.name、person.id_number、enterprise.uscc、"
        "enterprise.name、enterprise.legal_representative",
        "The form field's identity binding (x-identity) is invalid: {reason}; use person.name, person.id_number, "
        "enterprise.uscc, enterprise.name or enterprise.legal_representative",
    ),
    FIELD_INVALID_USCC: (
        "统一社会信用代码不符合 GB 32100（校验位、登记管理部门与机构类别、组织机构代码）",
        "The unified social credit code breaks GB 32100 (check character, authority and type, organisation code)",
    ),
    FIELD_DUPLICATE_VALUE: ("取值重复", "Duplicate value"),
    FIELD_WRONG_PARENT: ("上级行政区划应为 {expected}", "The parent division must be {expected}"),
    FIELD_NOT_A_CURRENT_DIVISION: (
        "行政区划代码不在现行 GB/T 2260 区划表中（乡镇、村须位于现行县级区划下）",
        "The division code is not in the current GB/T 2260 table (townships and villages must lie in a current county)",
    ),
}

register_messages(MESSAGES)
