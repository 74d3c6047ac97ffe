"""Demo data of the 12345 hotline (本地演示数据): the matter categories
(infra/seed/hotline_categories.py), the routing table, the dispatch desks, a few curated
FAQ entries and a demo Open311 partner key, written through the hotline's
repository so the records are exactly what the operator routes write.

Routing rules: every second-level category that names a line of work (`sector`) goes to
that line's department in 玄武区, 江宁区, 南京市 (city-wide), 苏州市 and the province — the
departments infra/seed/departments.py seeds. 办事指南 and 服务态度 name no line: those
tickets go to the region's 12345 dispatch desk, as any unmatched ticket does. The desk
staff and the 玄武区 market staff who handle the README's complaint are seeded with the
identity demo accounts (infra/seed/identity/people.py).

Idempotent: rules and desks are rewritten unchanged; FAQ entries and the partner are
written once (found again by their fixed ids).
"""

from __future__ import annotations

from infra.seed.environment import seeding_environment
from infra.seed.hotline_categories import FIRST_LEVEL, SECOND_LEVEL
from shared.hotline.models import DispatchDesk, FaqEntry, MatterCategory, RoutingRule
from shared.hotline.repository import HotlineRepository
from shared.platform.clock import now
from shared.platform.errors import Conflict

SEED_ACTOR = "seed"
RULE_REGIONS = {"320102": "320102", "320115": "320115", "3201": "320100", "3205": "320500", "32": "320000"}
DESKS = {
    "32": ("320000-hotline", "江苏省 12345 政务服务便民热线"),
    "3201": ("320100-hotline", "南京市 12345 政务服务便民热线"),
    "320102": ("320102-hotline", "玄武区 12345 热线派单席"),
    "320115": ("320115-hotline", "江宁区 12345 热线派单席"),
    "3205": ("320500-hotline", "苏州市 12345 政务服务便民热线"),
}
FAQS = (
    (
        "01JDQ90F3W7C8M2T6R4K9N5F01",
        "身份证丢了怎么补办？",
        "可在户籍所在地或居住地公安机关户政窗口申请补领，也可通过“苏服办”预约；"
        "需本人到场采集照片和指纹，工本费 20 元。",
        ["身份证", "补办", "丢失"],
        "0501",
    ),
    (
        "01JDQ90F3W7C8M2T6R4K9N5F02",
        "社保断缴后怎么补缴？",
        "职工社保断缴一般不能个人补缴，应由单位向社保经办机构申请；灵活就业人员可在网上按月续缴。",
        ["社保", "补缴", "断缴"],
        "0301",
    ),
    (
        "01JDQ90F3W7C8M2T6R4K9N5F03",
        "办理业务需要排队吗？",
        "大部分事项可在江苏政务服务网“不见面”办理；需要到窗口的，可提前网上预约，按预约时段到大厅办理。",
        ["排队", "预约", "窗口"],
        "0701",
    ),
)
DEMO_PARTNER_KEY = "local-demo-open311-key"


def load(env: dict[str, str]) -> dict[str, int]:
    with seeding_environment(env):
        return load_hotline(HotlineRepository())


def seed_rules() -> list[RoutingRule]:
    at = now()
    return [
        RoutingRule(
            category_code=category.code,
            region_prefix=prefix,
            department_id=f"{region}-{category.sector}",
            updated_at=at,
            updated_by=SEED_ACTOR,
        )
        for category in SECOND_LEVEL
        if category.sector
        for prefix, region in RULE_REGIONS.items()
    ]


def load_hotline(repository: HotlineRepository) -> dict[str, int]:
    at = now()
    for category in (*FIRST_LEVEL, *SECOND_LEVEL):
        repository.put_category(
            MatterCategory(code=category.code, name=category.name, updated_at=at, updated_by=SEED_ACTOR)
        )
    rules = seed_rules()
    for rule in rules:
        repository.put_rule(rule)
    for prefix, (department_id, name) in DESKS.items():
        repository.put_desk(
            DispatchDesk(
                region_prefix=prefix, department_id=department_id, name=name, updated_at=at, updated_by=SEED_ACTOR
            )
        )
    faqs = 0
    for faq_id, question, answer, keywords, faq_category in FAQS:
        if repository.faq(faq_id) is None:
            repository.save_faq(
                FaqEntry(
                    faq_id=faq_id,
                    version=1,
                    question=question,
                    answer=answer,
                    keywords=keywords,
                    category_code=faq_category,
                    updated_at=at,
                    updated_by=SEED_ACTOR,
                )
            )
            faqs += 1
    partners = 0
    if repository.partner(DEMO_PARTNER_KEY) is None:
        try:
            repository.put_partner(DEMO_PARTNER_KEY, "01JDQ90F3W7C8M2T6R4K9N5P01", "演示城市 App（Open311）")
            partners = 1
        except Conflict:
            pass
    return {
        "hotline_rules": len(rules),
        "hotline_desks": len(DESKS),
        "hotline_faqs": faqs,
        "hotline_partners": partners,
    }
