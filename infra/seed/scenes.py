"""Demo scenes (一件事, D-260) over the seeded items of 玄武区.

开餐馆 bundles what Xuanwu's seed publishes for opening a restaurant: the
business registration (individual or company, by the first answer), the food
business licence, and — for a company that will issue VAT invoices — invoice
collection. The seed has no fire-safety (消防) or signboard (招牌) item and no
birth items (出生医学证明, 出生登记, 医保): those scenes wait for their items
and departments (issue 18, left open).
"""

from __future__ import annotations

from typing import Any

XUANWU_FOOD_LICENCE = "11320102010102043T4000117004000"
XUANWU_SOLE_TRADER = "11320102010102043T4000117002001"
XUANWU_COMPANY = "11320102010102043T4000117002002"
XUANWU_INVOICES = "11320102010102051M4002015003001"

RESTAURANT_SCENE_ID = "320102-restaurant"

SCENES: dict[str, dict[str, Any]] = {
    RESTAURANT_SCENE_ID: {
        "name": "开餐馆",
        "description": "在玄武区开办餐馆：登记主体、办理食品经营许可，按需领用发票。一次填表、一次提交材料。",
        "tags": ["开餐馆", "餐饮", "开店"],
        "questions": [
            {"question_id": "business_form", "text": "以什么主体经营？", "options": ["个体工商户", "公司"]},
            {"question_id": "invoices", "text": "是否需要开具增值税发票？", "options": ["是", "否"]},
        ],
        "items": [
            {"implementation_code": XUANWU_SOLE_TRADER, "when": {"business_form": ["个体工商户"]}},
            {"implementation_code": XUANWU_COMPANY, "when": {"business_form": ["公司"]}},
            {"implementation_code": XUANWU_FOOD_LICENCE, "when": {}},
            {"implementation_code": XUANWU_INVOICES, "when": {"business_form": ["公司"], "invoices": ["是"]}},
        ],
    },
}
