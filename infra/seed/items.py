"""Demo service items: 27 basic items (基本目录) and 61 implementations at the
province, Nanjing, Xuanwu, Jiangning and Suzhou, and at the service centres
of three townships and two villages (exercise levels 5 and 6).

Each basic item fixes the four 三级四同 fields (name, basic code, type, legal
basis); its implementations vary only local details — promised limit, 即办,
channel, halls. Several basic items are implemented at province, city and
county level alike. Basic codes follow the 2+2+5+3 layout with invented main
and sub-item numbers; legal bases cite the real laws. Hall addresses are
illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.seed import licence_types as licence
from infra.seed.departments import DEPARTMENT_BY_ID, SERVICE_CENTRES, department_id
from shared.catalog.codes import EXERCISE_LEVEL_OF_REGION, ItemType, make_implementation_code, region_level

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# --- application form building blocks (JSON Schema) ---------------------------------

PERSON_FIELDS: dict[str, Any] = {
    # bound to the verified identity (shared.catalog.form_identity): prefilled, read-only, never asked
    "applicant_name": {"type": "string", "title": "申请人姓名", "x-identity": "person.name"},
    "id_number": {
        "type": "string",
        "title": "公民身份号码",
        "x-identity": "person.id_number",
        "format": "cn-resident-id",
    },
    "phone": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
}
ENTERPRISE_FIELDS: dict[str, Any] = {
    "enterprise_name": {"type": "string", "title": "企业名称", "x-identity": "enterprise.name"},
    "uscc": {"type": "string", "title": "统一社会信用代码", "x-identity": "enterprise.uscc", "format": "cn-uscc"},
    "legal_representative": {"type": "string", "title": "法定代表人", "x-identity": "enterprise.legal_representative"},
    "phone": {"type": "string", "title": "联系电话", "pattern": "^[0-9-]{7,20}$"},
}
DELIVERY_FIELD: dict[str, Any] = {
    "delivery": {
        "type": "object",
        "title": "结果送达",
        "properties": {
            "method": {"type": "string", "title": "送达方式", "enum": ["courier", "pickup", "electronic"]},
            "address": {"type": "string", "title": "邮寄地址", "maxLength": 200},
        },
        "required": ["method"],
    }
}


IDENTIFYING_FIELDS = frozenset({"applicant_name", "id_number", "enterprise_name", "uscc"})


def form(
    base: dict[str, Any], extra: dict[str, Any] | None = None, required: list[str] | None = None
) -> dict[str, Any]:
    """An application form: the applicant's fields, the item's own, and result delivery."""
    return {
        "$schema": DRAFT_2020_12,
        "type": "object",
        "properties": {**base, **(extra or {}), **DELIVERY_FIELD},
        "required": sorted((set(base) & IDENTIFYING_FIELDS) | set(required or [])),
        "additionalProperties": False,
    }


def material(
    slot_id: str,
    name: str,
    *,
    kind: str = "electronic",
    condition: str | None = None,
    licence_type_code: str | None = None,
) -> dict[str, Any]:
    return {
        "slot_id": slot_id,
        "name": name,
        "kind": kind,
        "requirement": "conditional" if condition else "required",
        "condition": condition,
        "accepted_formats": ["pdf", "jpg", "png", "ofd"],
        "max_size_bytes": 10 * 1024 * 1024,
        "licence_type_code": licence_type_code,
    }


ID_CARD = material("id_card", "居民身份证", licence_type_code=licence.RESIDENT_ID_CARD)
HOUSEHOLD_REGISTER = material("household_register", "居民户口簿", licence_type_code=licence.HOUSEHOLD_REGISTER)
BUSINESS_LICENCE = material("business_licence", "营业执照", licence_type_code=licence.BUSINESS_LICENCE)
BIRTH_CERTIFICATE = material("birth_certificate", "出生医学证明")
# 新生儿出生 (issue 18): the child's fields the four birth items share, asked once in the scene
CHILD_FIELDS: dict[str, Any] = {
    "child_name": {"type": "string", "title": "新生儿姓名", "minLength": 1, "maxLength": 40},
    "child_birth_date": {"type": "string", "title": "出生日期", "format": "date"},
    "child_sex": {"type": "string", "title": "性别", "enum": ["男", "女"]},
}

HALLS: dict[str, dict[str, str]] = {
    "320000": {
        "name": "江苏政务服务中心",
        "address": "南京市建邺区江东中路（示例地址）",
        "region_code": "320105",
        "phone": "12345",
        "hours": "工作日 9:00-12:00，13:30-17:00",
    },
    "320100": {
        "name": "南京市政务服务中心",
        "address": "南京市建邺区江东中路（示例地址）",
        "region_code": "320105",
        "phone": "025-12345",
        "hours": "工作日 9:00-17:00，周六 9:00-12:00",
    },
    "320102": {
        "name": "玄武区政务服务中心",
        "address": "南京市玄武区（示例地址）",
        "region_code": "320102",
        "phone": "025-12345",
        "hours": "工作日 9:00-12:00，13:30-17:00",
    },
    "320115": {
        "name": "江宁区政务服务中心",
        "address": "南京市江宁区（示例地址）",
        "region_code": "320115",
        "phone": "025-12345",
        "hours": "工作日 9:00-12:00，13:30-17:00",
    },
    "320500": {
        "name": "苏州市政务服务中心",
        "address": "苏州市姑苏区（示例地址）",
        "region_code": "320508",
        "phone": "0512-12345",
        "hours": "工作日 9:00-17:00",
    },
    # 便民服务中心 / 便民服务站 of the seeded townships and villages
    **{
        code: {
            "name": name,
            "address": f"{name}（示例地址）",
            "region_code": code,
            "phone": "025-12345",
            "hours": "工作日 9:00-12:00，14:00-17:30",
        }
        for code, name in SERVICE_CENTRES.items()
    },
}


@dataclass(frozen=True)
class Implementation:
    """One department's way of doing a basic item in one division."""

    region_code: str
    promised_limit_days: int | None = None
    immediate: bool | None = None
    channel: str | None = None


@dataclass(frozen=True)
class BasicItemSeed:
    basic_code: str
    name: str
    item_type: ItemType
    legal_basis: str
    department: str  # sector short name, see departments.SECTORS
    legal_limit_days: int
    promised_limit_days: int
    channel: str
    materials: list[dict[str, Any]]
    form_schema: dict[str, Any]
    tags: list[str]
    applicant_kinds: list[str]
    implementations: list[Implementation]
    fees: list[dict[str, Any]] = field(default_factory=list)
    fee_timing: str = "after_approval"
    result_licence_type_code: str | None = None  # the e-licence an approval produces (C11)
    immediate: bool = False
    joint_with: tuple[str, ...] = ()  # co-department sectors of a joint item (并联审批); the lead is `department`
    renewed_by: str | None = None  # basic code of the item that renews its licence (延续, Art. 50), where implemented


PROJECT_APPROVAL = "320101201000"
"""企业投资项目核准并联审批: the joint case an investment project on the approval catalogue opens (issue 21)."""

FOOD_RENEWAL = "000117004001"
"""食品经营许可延续: renews the food business licence (Art. 50)."""

BASIC_ITEMS: list[BasicItemSeed] = [
    BasicItemSeed(
        basic_code="000117004000",
        name="食品经营许可",
        result_licence_type_code=licence.FOOD_BUSINESS_LICENCE,
        renewed_by=FOOD_RENEWAL,
        item_type=ItemType.LICENSING,
        legal_basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第二条",
        department="market",
        legal_limit_days=20,
        promised_limit_days=5,
        channel="no_visit",
        materials=[
            material("application_form", "食品经营许可申请书"),
            BUSINESS_LICENCE,
            material("layout_plan", "与食品经营相适应的主要设备设施布局、操作流程等文件"),
            material("safety_rules", "食品安全自查、从业人员健康管理、进货查验记录等保证食品安全的规章制度"),
            material(
                "agent_authorisation",
                "委托代理人办理的授权委托书",
                kind="original",
                condition="委托他人代为办理时提交",
            ),
        ],
        form_schema=form(
            ENTERPRISE_FIELDS,
            {
                "premises_address": {"type": "string", "title": "经营场所", "maxLength": 200},
                "business_scope": {
                    "type": "array",
                    "title": "经营项目",
                    "items": {"type": "string", "enum": ["预包装食品销售", "散装食品销售", "热食类食品制售"]},
                    "minItems": 1,
                },
            },
            ["premises_address", "business_scope"],
        ),
        tags=["开餐馆", "食品", "餐饮", "许可证"],
        applicant_kinds=["legal_person", "other_organization"],
        implementations=[
            Implementation("320100"),
            Implementation("320500"),
            Implementation("320102", promised_limit_days=3),
            Implementation("320115", promised_limit_days=3),
        ],
    ),
    BasicItemSeed(
        basic_code="000117002001",
        name="个体工商户设立登记",
        result_licence_type_code=licence.BUSINESS_LICENCE,
        item_type=ItemType.LICENSING,
        legal_basis="《促进个体工商户发展条例》第八条；《中华人民共和国市场主体登记管理条例》第三条",
        department="market",
        legal_limit_days=3,
        promised_limit_days=1,
        channel="no_visit",
        materials=[
            material("application_form", "个体工商户登记（备案）申请书"),
            ID_CARD,
            material("premises_proof", "经营场所使用证明"),
        ],
        form_schema=form(
            PERSON_FIELDS,
            {
                "trade_name": {"type": "string", "title": "个体工商户名称", "maxLength": 60},
                "premises_address": {"type": "string", "title": "经营场所", "maxLength": 200},
            },
            ["premises_address"],
        ),
        tags=["个体户", "开店", "营业执照"],
        applicant_kinds=["natural_person"],
        implementations=[
            Implementation("320102", promised_limit_days=0, immediate=True),
            Implementation("320115"),
            Implementation("320500"),
        ],
    ),
    BasicItemSeed(
        basic_code="000117002002",
        name="企业设立登记",
        result_licence_type_code=licence.BUSINESS_LICENCE,
        item_type=ItemType.LICENSING,
        legal_basis="《中华人民共和国公司法》第二十九条；《中华人民共和国市场主体登记管理条例》第十九条",
        department="market",
        legal_limit_days=3,
        promised_limit_days=1,
        channel="no_visit",
        materials=[
            material("application_form", "公司登记（备案）申请书"),
            material("articles", "公司章程"),
            material("shareholder_ids", "股东的主体资格文件或者自然人身份证明"),
            material("officer_appointment", "法定代表人、董事、监事和高级管理人员的任职文件"),
            material("premises_proof", "住所使用证明"),
        ],
        form_schema=form(
            {
                # the enterprise is being set up: its proposed name and representative are asked, not bound
                "enterprise_name": {"type": "string", "title": "企业名称（申请）", "minLength": 1, "maxLength": 100},
                "legal_representative": {"type": "string", "title": "拟任法定代表人", "minLength": 1, "maxLength": 50},
                "phone": ENTERPRISE_FIELDS["phone"],
            },
            {
                "registered_capital_fen": {
                    "type": "integer",
                    "title": "注册资本（分）",
                    "minimum": 0,
                    "maximum": 10**16,  # 100 trillion yuan: above any registered capital
                },
                "domicile": {"type": "string", "title": "住所", "maxLength": 200},
            },
            ["domicile", "legal_representative"],
        ),
        tags=["开公司", "企业开办", "营业执照"],
        applicant_kinds=["natural_person", "legal_person"],
        implementations=[
            Implementation("320000"),
            Implementation("320100"),
            Implementation("320102", promised_limit_days=0, immediate=True),
            Implementation("320500"),
        ],
    ),
    BasicItemSeed(
        basic_code="000707001002",
        name="居民身份证换领",
        item_type=ItemType.CONFIRMATION,
        legal_basis="《中华人民共和国居民身份证法》第十一条",
        department="police",
        legal_limit_days=60,
        promised_limit_days=15,
        channel="visit_once",
        materials=[
            ID_CARD,
            HOUSEHOLD_REGISTER,
            material("photo_receipt", "数码相片采集回执", condition="已在照相馆采集相片的提交"),
        ],
        form_schema=form(
            PERSON_FIELDS,
            {"reason": {"type": "string", "title": "换领原因", "enum": ["有效期满", "登记项目变更", "证件损坏"]}},
            ["reason"],
        ),
        tags=["身份证", "换证", "到期换领"],
        applicant_kinds=["natural_person"],
        fees=[{"name": "居民身份证工本费", "amount_fen": 2000, "currency": "CNY", "non_tax": True}],
        implementations=[
            Implementation("320102"),
            Implementation("320115"),
            Implementation("320500", promised_limit_days=10),
        ],
    ),
    BasicItemSeed(
        basic_code="000707002003",
        name="户口迁移",
        item_type=ItemType.CONFIRMATION,
        legal_basis="《中华人民共和国户口登记条例》第十条、第十三条",
        department="police",
        legal_limit_days=20,
        promised_limit_days=5,
        channel="visit_once",
        materials=[
            ID_CARD,
            HOUSEHOLD_REGISTER,
            material("housing_proof", "合法稳定住所证明", licence_type_code=licence.REAL_ESTATE_CERTIFICATE),
            material("relation_proof", "亲属关系证明", condition="投靠亲属落户的提交"),
        ],
        form_schema=form(
            PERSON_FIELDS,
            {
                "from_address": {"type": "string", "title": "迁出地", "maxLength": 200},
                "to_address": {"type": "string", "title": "迁入地", "maxLength": 200},
            },
            ["from_address", "to_address"],
        ),
        tags=["落户", "迁户口", "户籍"],
        applicant_kinds=["natural_person"],
        implementations=[
            Implementation("320102"),
            Implementation("320115"),
            Implementation("320500", promised_limit_days=3, channel="no_visit"),
        ],
    ),
    BasicItemSeed(
        basic_code="000707010001",
        name="内地居民结婚登记",
        result_licence_type_code=licence.MARRIAGE_CERTIFICATE,
        item_type=ItemType.CONFIRMATION,
        legal_basis="《婚姻登记条例》第四条、第五条、第七条",
        department="civil",
        legal_limit_days=1,
        promised_limit_days=0,
        immediate=True,
        channel="visit_once",
        materials=[
            ID_CARD,
            HOUSEHOLD_REGISTER,
            material("photos", "双方近期半身免冠合影照片", kind="original"),
            material("no_spouse_declaration", "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明"),
        ],
        form_schema=form(
            PERSON_FIELDS,
            {
                "partner_name": {"type": "string", "title": "对方姓名", "maxLength": 50},
                "partner_id_number": {"type": "string", "title": "对方公民身份号码", "format": "cn-resident-id"},
                "appointment_date": {"type": "string", "title": "预约日期", "format": "date"},
            },
            ["partner_name", "partner_id_number", "appointment_date"],
        ),
        tags=["婚姻登记", "结婚", "领证"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320102"), Implementation("320115"), Implementation("320500")],
    ),
    BasicItemSeed(
        basic_code="002014001001",
        name="社会保障卡申领",
        item_type=ItemType.PUBLIC_SERVICE,
        legal_basis="《中华人民共和国社会保险法》第五十八条",
        department="hrss",
        legal_limit_days=30,
        promised_limit_days=10,
        channel="no_visit",
        materials=[ID_CARD, material("photo", "本人近期免冠数码照片")],
        form_schema=form(
            PERSON_FIELDS,
            {"bank": {"type": "string", "title": "合作银行", "enum": ["工商银行", "农业银行", "中国银行", "建设银行"]}},
            ["bank"],
        ),
        tags=["社保卡", "社会保障卡", "制卡"],
        applicant_kinds=["natural_person"],
        implementations=[
            Implementation("320000"),
            Implementation("320100", promised_limit_days=7),
            Implementation("320115", promised_limit_days=5),
        ],
    ),
    BasicItemSeed(
        basic_code="000514002001",
        name="失业保险金申领",
        item_type=ItemType.BENEFIT,
        legal_basis="《中华人民共和国社会保险法》第四十五条；《失业保险条例》第十四条、第十六条",
        department="hrss",
        legal_limit_days=10,
        promised_limit_days=5,
        channel="no_visit",
        materials=[
            ID_CARD,
            material("termination_proof", "终止或者解除劳动合同的证明"),
            material("bank_account", "本人银行账户信息", condition="首次申领或账户变更时提交"),
        ],
        form_schema=form(
            PERSON_FIELDS,
            {
                "last_employer": {"type": "string", "title": "原工作单位", "maxLength": 100},
                "separation_date": {"type": "string", "title": "离职日期", "format": "date"},
            },
            ["last_employer", "separation_date"],
        ),
        tags=["失业金", "失业保险", "待遇"],
        applicant_kinds=["natural_person"],
        implementations=[
            Implementation("320100"),
            Implementation("320500"),
            Implementation("320102", promised_limit_days=3),
            Implementation("320115", promised_limit_days=3),
        ],
    ),
    BasicItemSeed(
        basic_code="000125001000",
        name="建筑工程施工许可",
        result_licence_type_code=licence.CONSTRUCTION_PERMIT,
        item_type=ItemType.LICENSING,
        legal_basis="《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》第四条",
        department="housing",
        legal_limit_days=7,
        promised_limit_days=3,
        channel="no_visit",
        materials=[
            material("application_form", "建筑工程施工许可申请表"),
            material("planning_permit", "建设工程规划许可证", licence_type_code=licence.PLANNING_PERMIT),
            material("contractor_contract", "施工合同"),
            material("funding_proof", "建设资金已经落实承诺书"),
        ],
        form_schema=form(
            ENTERPRISE_FIELDS,
            {
                "project_name": {"type": "string", "title": "工程名称", "maxLength": 100},
                "contract_price_fen": {
                    "type": "integer",
                    "title": "合同价格（分）",
                    "minimum": 0,
                    "maximum": 10**15,  # 10 trillion yuan
                },
            },
            ["project_name"],
        ),
        tags=["工程建设", "施工许可", "项目审批"],
        applicant_kinds=["legal_person"],
        implementations=[
            Implementation("320000"),
            Implementation("320100"),
            Implementation("320115", promised_limit_days=2),
        ],
    ),
    BasicItemSeed(
        basic_code="000125003000",
        name="商品房预售许可",
        item_type=ItemType.LICENSING,
        legal_basis="《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》第七条",
        department="housing",
        legal_limit_days=10,
        promised_limit_days=5,
        channel="no_visit",
        materials=[
            BUSINESS_LICENCE,
            material("land_certificate", "土地使用权证书", licence_type_code=licence.REAL_ESTATE_CERTIFICATE),
            material("construction_permit", "建筑工程施工许可证", licence_type_code=licence.CONSTRUCTION_PERMIT),
            material("presale_plan", "商品房预售方案"),
        ],
        form_schema=form(
            ENTERPRISE_FIELDS,
            {
                "project_name": {"type": "string", "title": "项目名称", "maxLength": 100},
                "presale_area_m2": {
                    "type": "number",
                    "title": "预售面积（平方米）",
                    "exclusiveMinimum": 0,
                    "maximum": 10**7,
                },
            },
            ["project_name", "presale_area_m2"],
        ),
        tags=["房地产", "预售证", "商品房"],
        applicant_kinds=["legal_person"],
        implementations=[Implementation("320100"), Implementation("320500", promised_limit_days=4)],
    ),
    BasicItemSeed(
        basic_code="002015003001",
        name="增值税发票领用",
        item_type=ItemType.PUBLIC_SERVICE,
        legal_basis="《中华人民共和国发票管理办法》第十五条",
        department="tax",
        legal_limit_days=5,
        promised_limit_days=0,
        immediate=True,
        channel="no_visit",
        materials=[
            BUSINESS_LICENCE,
            material("agent_id", "经办人身份证件", licence_type_code=licence.RESIDENT_ID_CARD),
        ],
        form_schema=form(
            ENTERPRISE_FIELDS,
            {
                "invoice_kind": {"type": "string", "title": "发票种类", "enum": ["增值税专用发票", "增值税普通发票"]},
                "quantity": {"type": "integer", "title": "领用数量", "minimum": 1, "maximum": 1000},
            },
            ["invoice_kind", "quantity"],
        ),
        tags=["发票", "领票", "税务"],
        applicant_kinds=["legal_person", "natural_person"],
        implementations=[Implementation("320102"), Implementation("320115"), Implementation("320500")],
    ),
    BasicItemSeed(
        basic_code="001015001000",
        name="税务登记",
        item_type=ItemType.OTHER_POWER,
        legal_basis="《中华人民共和国税收征收管理法》第十五条；《中华人民共和国税收征收管理法实施细则》第十二条",
        department="tax",
        legal_limit_days=30,
        promised_limit_days=1,
        channel="no_visit",
        materials=[BUSINESS_LICENCE, material("bank_account", "银行开户信息")],
        form_schema=form(ENTERPRISE_FIELDS, {"accounting_method": {"type": "string", "title": "核算方式"}}),
        tags=["税务登记", "新办纳税人", "报税"],
        applicant_kinds=["legal_person", "natural_person", "other_organization"],
        implementations=[Implementation("320000"), Implementation("320100", promised_limit_days=0, immediate=True)],
    ),
    BasicItemSeed(
        basic_code="000510001000",
        name="最低生活保障金给付",
        item_type=ItemType.BENEFIT,
        legal_basis="《社会救助暂行办法》第九条、第十一条",
        department="civil",
        legal_limit_days=30,
        promised_limit_days=20,
        channel="visit_once",
        materials=[
            ID_CARD,
            HOUSEHOLD_REGISTER,
            material("income_declaration", "家庭收入和财产状况申报及授权核对书", kind="original"),
            material("disability_certificate", "残疾人证", condition="家庭成员有残疾的提交"),
        ],
        form_schema=form(
            PERSON_FIELDS,
            {
                "household_size": {"type": "integer", "title": "家庭人口", "minimum": 1, "maximum": 20},
                "monthly_income_fen": {
                    "type": "integer",
                    "title": "家庭月收入（分）",
                    "minimum": 0,
                    "maximum": 10**9,  # 10 million yuan a month, far past any subsistence case
                },
            },
            ["household_size", "monthly_income_fen"],
        ),
        tags=["低保", "社会救助", "困难群众"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320102"), Implementation("320115", promised_limit_days=15)],
    ),
    BasicItemSeed(
        basic_code="002007005000",
        name="无犯罪记录证明开具",
        item_type=ItemType.PUBLIC_SERVICE,
        legal_basis="《公安机关办理犯罪记录查询工作规定》第五条、第八条",
        department="police",
        legal_limit_days=3,
        promised_limit_days=1,
        channel="no_visit",
        materials=[ID_CARD, material("purpose_proof", "查询用途说明", condition="单位要求说明用途的提交")],
        form_schema=form(
            PERSON_FIELDS,
            {"purpose": {"type": "string", "title": "证明用途", "enum": ["就业", "出国（境）", "其他"]}},
            ["purpose"],
        ),
        tags=["无犯罪", "证明", "开证明"],
        applicant_kinds=["natural_person"],
        implementations=[
            Implementation("320100"),
            Implementation("320500", promised_limit_days=0, immediate=True),
            Implementation("320102"),
        ],
    ),
    BasicItemSeed(
        basic_code="000107004001",
        name="普通护照签发",
        item_type=ItemType.LICENSING,
        legal_basis="《中华人民共和国护照法》第五条、第六条",
        department="police",
        legal_limit_days=15,
        promised_limit_days=7,
        channel="visit_once",
        materials=[ID_CARD, material("photo", "本人近期免冠证件照片", kind="original")],
        form_schema=form(
            PERSON_FIELDS,
            {"travel_purpose": {"type": "string", "title": "出境事由", "enum": ["旅游", "探亲", "商务", "学习"]}},
            ["travel_purpose"],
        ),
        tags=["护照", "出入境", "出国"],
        applicant_kinds=["natural_person"],
        fees=[{"name": "普通护照证件费", "amount_fen": 12000, "currency": "CNY", "non_tax": True}],
        fee_timing="before_acceptance",  # 证件费 is paid when applying
        implementations=[Implementation("320100"), Implementation("320500", promised_limit_days=5)],
    ),
    BasicItemSeed(
        basic_code="320714003000",
        name="就业困难人员认定",
        item_type=ItemType.CONFIRMATION,
        legal_basis="《中华人民共和国就业促进法》第五十二条；《江苏省就业促进条例》第三十六条",
        department="hrss",
        legal_limit_days=15,
        promised_limit_days=5,
        channel="no_visit",
        materials=[
            ID_CARD,
            material("unemployment_registration", "失业登记证明"),
            material("disability_certificate", "残疾人证", condition="以残疾人身份申请认定的提交"),
        ],
        form_schema=form(
            PERSON_FIELDS,
            {"category": {"type": "string", "title": "人员类别", "enum": ["大龄失业人员", "残疾人", "零就业家庭成员"]}},
            ["category"],
        ),
        tags=["就业援助", "困难人员", "就业"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320102"), Implementation("320115")],
    ),
    BasicItemSeed(
        basic_code="320117010000",
        name="开办餐饮店联合审批",
        result_licence_type_code=licence.FOOD_BUSINESS_LICENCE,
        renewed_by=FOOD_RENEWAL,
        item_type=ItemType.LICENSING,
        legal_basis="《中华人民共和国行政许可法》第二十六条、第四十二条；《江苏省优化营商环境条例》第二十三条",
        department="market",
        legal_limit_days=45,
        promised_limit_days=15,
        channel="no_visit",
        materials=[ID_CARD, material("premises_plan", "经营场所平面布局图")],
        form_schema=form(
            PERSON_FIELDS,
            {"premises_address": {"type": "string", "title": "经营场所", "maxLength": 200}},
            ["premises_address"],
        ),
        tags=["一件事", "并联审批", "餐饮", "开店"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320115")],
        joint_with=("police", "housing"),
    ),
    BasicItemSeed(
        basic_code=PROJECT_APPROVAL,
        name="企业投资项目核准并联审批",
        item_type=ItemType.LICENSING,
        legal_basis=(
            "《企业投资项目核准和备案管理条例》第三条、第九条；《中华人民共和国行政许可法》第二十六条；"
            "《政府核准的投资项目目录（2016年本）》"
        ),
        department="drc",
        legal_limit_days=45,
        promised_limit_days=20,
        channel="no_visit",
        # the project's data travel in the form (the projects context opens the case, issue 21); the report
        # is asked for only where it was not sent through the online approval platform
        materials=[
            material(
                "project_report",
                "项目申请报告",
                condition="未通过投资项目在线审批监管平台报送项目申请报告的提交",
            )
        ],
        form_schema=form(
            ENTERPRISE_FIELDS,
            {
                "project_code": {
                    "type": "string",
                    "title": "项目代码",
                    "pattern": "^[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{6}-[0-9X]$",
                },
                "project_name": {"type": "string", "title": "项目名称", "maxLength": 100},
                "total_investment_fen": {
                    "type": "integer",
                    "title": "总投资（分）",
                    "minimum": 1,
                    "maximum": 1_000_000_000_000_000,
                },
                "construction_content": {"type": "string", "title": "建设规模及内容", "maxLength": 2000},
            },
            ["project_code", "project_name", "total_investment_fen"],
        ),
        tags=["投资项目", "核准", "并联审批", "一件事"],
        applicant_kinds=["legal_person", "other_organization"],
        implementations=[Implementation("320115")],
        joint_with=("resources", "ecology", "housing"),
    ),
    BasicItemSeed(
        basic_code=FOOD_RENEWAL,
        name="食品经营许可延续",
        result_licence_type_code=licence.FOOD_BUSINESS_LICENCE,
        renewed_by=FOOD_RENEWAL,  # a renewed licence is renewed the same way
        item_type=ItemType.LICENSING,
        legal_basis="《中华人民共和国行政许可法》第五十条；《食品经营许可和备案管理办法》第三十三条",
        department="market",
        legal_limit_days=20,
        promised_limit_days=10,
        channel="no_visit",
        # the licence itself proves the holder, the premises and the scope: it stands in for its slot
        materials=[
            material("original_licence", "原食品经营许可证", licence_type_code=licence.FOOD_BUSINESS_LICENCE),
            material("self_inspection", "食品安全自查报告"),
        ],
        form_schema=form(
            {},
            {
                "licence_number": {"type": "string", "title": "原许可证编号", "maxLength": 40},
                "premises_address": {"type": "string", "title": "经营场所", "maxLength": 200},
                "changes": {"type": "string", "title": "许可事项变化情况", "maxLength": 500},
            },
            ["licence_number", "premises_address"],
        ),
        tags=["延续", "食品", "餐饮", "许可证"],
        applicant_kinds=["natural_person", "legal_person", "other_organization"],
        implementations=[Implementation("320115")],
    ),
    BasicItemSeed(
        basic_code="322000301000",
        name="老年人优待证办理",
        item_type=ItemType.PUBLIC_SERVICE,
        legal_basis="《中华人民共和国老年人权益保障法》第五十七条；《江苏省老年人权益保障条例》",
        department="service",
        legal_limit_days=10,
        promised_limit_days=3,
        channel="visit_once",
        materials=[ID_CARD, material("photo", "本人近期免冠证件照片", kind="original")],
        form_schema=form(PERSON_FIELDS),
        tags=["老年人", "优待证", "便民服务"],
        applicant_kinds=["natural_person"],
        implementations=[
            Implementation("320102003"),
            Implementation("320115001"),
            Implementation("320115011"),
            Implementation("320115001001", promised_limit_days=5),
        ],
    ),
    BasicItemSeed(
        basic_code="320500302000",
        name="尊老金申领",
        item_type=ItemType.BENEFIT,
        legal_basis="《江苏省老年人权益保障条例》；《中华人民共和国老年人权益保障法》第三十三条",
        department="service",
        legal_limit_days=20,
        promised_limit_days=10,
        channel="no_visit",
        materials=[ID_CARD, material("bank_account", "本人银行账户信息")],
        form_schema=form(PERSON_FIELDS, {"bank_account": {"type": "string", "title": "银行账号", "maxLength": 30}}),
        tags=["尊老金", "高龄津贴", "便民服务"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320115001"), Implementation("320115011201")],
    ),
]


# 新生儿出生 (一件事, issue 18): four items of four Xuanwu departments a newborn's family applies for at once
BASIC_ITEMS += [
    BasicItemSeed(
        basic_code="002012001000",
        name="出生医学证明首次签发",
        item_type=ItemType.PUBLIC_SERVICE,
        legal_basis="《中华人民共和国母婴保健法》第二十三条；《出生医学证明管理办法》",
        department="health",
        legal_limit_days=10,
        promised_limit_days=3,
        channel="no_visit",
        materials=[ID_CARD, material("delivery_record", "分娩记录（助产机构出具）")],
        form_schema=form(
            PERSON_FIELDS,
            {**CHILD_FIELDS, "birth_place": {"type": "string", "title": "出生地点（助产机构）", "maxLength": 100}},
            ["child_name", "child_birth_date", "child_sex", "birth_place"],
        ),
        tags=["新生儿", "出生", "出生证"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320102")],
    ),
    BasicItemSeed(
        basic_code="000707020000",
        name="出生登记",
        item_type=ItemType.CONFIRMATION,
        legal_basis="《中华人民共和国户口登记条例》第七条",
        department="police",
        legal_limit_days=10,
        promised_limit_days=5,
        channel="no_visit",
        materials=[BIRTH_CERTIFICATE, HOUSEHOLD_REGISTER, ID_CARD],
        form_schema=form(
            PERSON_FIELDS,
            {
                **CHILD_FIELDS,
                "relationship": {"type": "string", "title": "与户主关系", "enum": ["子", "女", "孙子", "孙女"]},
            },
            ["child_name", "child_birth_date", "child_sex", "relationship"],
        ),
        tags=["新生儿", "出生", "落户", "报户口"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320102")],
    ),
    BasicItemSeed(
        basic_code="002013001000",
        name="城乡居民基本医疗保险参保登记",
        item_type=ItemType.PUBLIC_SERVICE,
        legal_basis="《中华人民共和国社会保险法》第二十五条",
        department="medins",
        legal_limit_days=10,
        promised_limit_days=1,
        channel="no_visit",
        materials=[BIRTH_CERTIFICATE, HOUSEHOLD_REGISTER],
        form_schema=form(PERSON_FIELDS, CHILD_FIELDS, ["child_name", "child_birth_date"]),
        tags=["新生儿", "医保", "参保"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320102")],
    ),
    BasicItemSeed(
        basic_code="002003010000",
        name="社会保障卡申领",
        item_type=ItemType.PUBLIC_SERVICE,
        legal_basis="《中华人民共和国社会保险法》第五十八条；《社会保障卡管理办法》",
        department="hrss",
        legal_limit_days=20,
        promised_limit_days=10,
        channel="no_visit",
        materials=[BIRTH_CERTIFICATE, material("photo", "新生儿电子证件照", kind="electronic")],
        form_schema=form(PERSON_FIELDS, CHILD_FIELDS, ["child_name", "child_birth_date"]),
        tags=["新生儿", "社保卡", "社会保障卡"],
        applicant_kinds=["natural_person"],
        implementations=[Implementation("320102")],
    ),
]
# 开餐馆 (一件事, issue 18): what else a restaurant in Xuanwu needs before it opens — the fire-safety
# check of a public assembly place and the shop signboard
BASIC_ITEMS += [
    BasicItemSeed(
        basic_code="000122001000",
        name="公众聚集场所投入使用、营业前消防安全检查",
        item_type=ItemType.LICENSING,
        legal_basis="《中华人民共和国消防法》第十五条",
        department="fire",
        # Art. 15: without the 告知承诺 route, the check is done within ten working days of acceptance
        legal_limit_days=10,
        promised_limit_days=10,
        channel="no_visit",
        materials=[
            material("fire_application", "公众聚集场所投入使用、营业前消防安全检查申请表"),
            material("fire_commitment", "消防安全告知承诺书", kind="original"),
            BUSINESS_LICENCE,
            material("fire_plan", "场所平面布置图及消防设施平面图"),
        ],
        form_schema=form(
            ENTERPRISE_FIELDS,
            {
                "premises_address": {"type": "string", "title": "经营场所", "maxLength": 200},
                "floor_area_m2": {"type": "integer", "title": "营业面积（平方米）", "minimum": 1, "maximum": 1_000_000},
            },
            ["premises_address", "floor_area_m2"],
        ),
        tags=["消防", "消防安全检查", "开业"],
        applicant_kinds=["natural_person", "legal_person", "other_organization"],
        implementations=[Implementation("320102")],
    ),
    BasicItemSeed(
        basic_code="320118002000",
        name="店招标牌设置",
        item_type=ItemType.LICENSING,
        legal_basis="《城市市容和环境卫生管理条例》第十一条；《江苏省城市市容和环境卫生管理条例》",
        department="urban",
        legal_limit_days=20,
        promised_limit_days=5,
        channel="no_visit",
        materials=[
            material("signboard_design", "店招标牌设计效果图（标明尺寸、材质、设置位置）"),
            BUSINESS_LICENCE,
            material("owner_consent", "建筑物所有权人同意设置的证明", condition="经营场所为租赁的提交"),
        ],
        form_schema=form(
            ENTERPRISE_FIELDS,
            {
                "premises_address": {"type": "string", "title": "经营场所", "maxLength": 200},
                "signboard_text": {"type": "string", "title": "招牌文字", "minLength": 1, "maxLength": 40},
            },
            ["premises_address", "signboard_text"],
        ),
        tags=["招牌", "店招", "户外招牌"],
        applicant_kinds=["natural_person", "legal_person", "other_organization"],
        implementations=[Implementation("320102")],
    ),
]
BASIC_BY_CODE = {basic.basic_code: basic for basic in BASIC_ITEMS}


def implementation_code(basic: BasicItemSeed, region_code: str) -> str:
    department = DEPARTMENT_BY_ID[department_id(region_code, basic.department)]
    level = EXERCISE_LEVEL_OF_REGION[region_level(region_code)]
    return make_implementation_code(department.uscc, level, basic.basic_code)


def new_item_bodies() -> list[dict[str, Any]]:
    """Every implementation as a `POST /v1/items` body (NewItem)."""
    bodies: list[dict[str, Any]] = []
    for basic in BASIC_ITEMS:
        for implementation in basic.implementations:
            channel = implementation.channel or basic.channel
            bodies.append(
                {
                    "implementation_code": implementation_code(basic, implementation.region_code),
                    "basic_code": basic.basic_code,
                    "department_id": department_id(implementation.region_code, basic.department),
                    "region_code": implementation.region_code,
                    "name": basic.name,
                    "item_type": basic.item_type.value,
                    "legal_basis": basic.legal_basis,
                    "legal_limit_days": basic.legal_limit_days,
                    "promised_limit_days": (
                        basic.promised_limit_days
                        if implementation.promised_limit_days is None
                        else implementation.promised_limit_days
                    ),
                    "immediate": basic.immediate if implementation.immediate is None else implementation.immediate,
                    "fees": basic.fees,
                    "fee_timing": basic.fee_timing,
                    "result_licence_type_code": basic.result_licence_type_code,
                    "materials": basic.materials,
                    "form_schema": basic.form_schema,
                    "channel": channel,
                    "halls": [HALLS[implementation.region_code]] if channel == "visit_once" else [],
                    "tags": basic.tags,
                    "applicant_kinds": basic.applicant_kinds,
                    "note": "演示数据初始化",
                }
            )
            renewal = BASIC_BY_CODE.get(basic.renewed_by or "")
            if renewal is not None and implementation.region_code in {i.region_code for i in renewal.implementations}:
                bodies[-1]["renewal_item_code"] = implementation_code(renewal, implementation.region_code)
            if basic.joint_with:
                bodies[-1]["joint"] = True
                bodies[-1]["lead_department_id"] = department_id(implementation.region_code, basic.department)
                bodies[-1]["co_department_ids"] = [
                    department_id(implementation.region_code, sector) for sector in basic.joint_with
                ]
    return bodies
