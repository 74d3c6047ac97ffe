"""Demo scenes (一件事, D-260) over the seeded items of 玄武区.

开餐馆 bundles what Xuanwu's seed publishes for opening a restaurant: the
business registration (individual or company, by the first answer), the food
business licence, and — as the answers say — invoice collection (a company
issuing VAT invoices), the fire-safety check before opening (a public assembly
place: more than 150 m² of floor area, 消防法 第十五条) and the signboard
(店招标牌, 城市管理局).

新生儿出生 bundles four items of four departments: the birth certificate (卫生健康委),
the birth registration (公安分局), and — as the family chooses — the medical
insurance enrolment (医疗保障局) and the social security card (人社局); the child's
name and birth date are asked once, the 出生医学证明 uploaded once for three of them.
"""

from __future__ import annotations

from typing import Any

XUANWU_FOOD_LICENCE = "11320102010102043T4000117004000"
XUANWU_SOLE_TRADER = "11320102010102043T4000117002001"
XUANWU_COMPANY = "11320102010102043T4000117002002"
XUANWU_INVOICES = "11320102010102051M4002015003001"
XUANWU_FIRE_SAFETY = "11320102010102107Q4000122001000"
XUANWU_SIGNBOARD = "11320102010102115K4320118002000"

XUANWU_BIRTH_CERTIFICATE = "11320102010102078D4002012001000"
XUANWU_BIRTH_REGISTRATION = "11320102010102019A4000707020000"
XUANWU_MEDICAL_INSURANCE = "1132010201010208684002013001000"
XUANWU_SOCIAL_SECURITY_CARD = "1132010201010203504002003010000"

RESTAURANT_SCENE_ID = "320102-restaurant"
NEWBORN_SCENE_ID = "320102-newborn"

SCENES: dict[str, dict[str, Any]] = {
    RESTAURANT_SCENE_ID: {
        "name": "开餐馆",
        "description": (
            "在玄武区开办餐馆：登记主体、办理食品经营许可，按需领用发票、办理营业前消防安全检查和店招标牌设置。"
            "一次填表、一次提交材料。"
        ),
        "tags": ["开餐馆", "餐饮", "开店"],
        "questions": [
            {"question_id": "business_form", "text": "以什么主体经营？", "options": ["个体工商户", "公司"]},
            {"question_id": "invoices", "text": "是否需要开具增值税发票？", "options": ["是", "否"]},
            {
                "question_id": "public_assembly",
                "text": "营业面积是否超过150平方米（属于公众聚集场所）？",
                "options": ["是", "否"],
            },
            {"question_id": "signboard", "text": "是否设置店招标牌？", "options": ["是", "否"]},
        ],
        "items": [
            {"implementation_code": XUANWU_SOLE_TRADER, "when": {"business_form": ["个体工商户"]}},
            {"implementation_code": XUANWU_COMPANY, "when": {"business_form": ["公司"]}},
            {"implementation_code": XUANWU_FOOD_LICENCE, "when": {}},
            {"implementation_code": XUANWU_INVOICES, "when": {"business_form": ["公司"], "invoices": ["是"]}},
            {"implementation_code": XUANWU_FIRE_SAFETY, "when": {"public_assembly": ["是"]}},
            {"implementation_code": XUANWU_SIGNBOARD, "when": {"signboard": ["是"]}},
        ],
    },
    NEWBORN_SCENE_ID: {
        "name": "新生儿出生",
        "description": "在玄武区为新生儿一次办理出生医学证明、出生登记（落户），按需办理医保参保和社保卡。",
        "tags": ["新生儿", "出生", "生孩子", "落户"],
        "questions": [
            {"question_id": "medical_insurance", "text": "是否为新生儿办理城乡居民医保参保？", "options": ["是", "否"]},
            {"question_id": "social_security_card", "text": "是否同时申领社会保障卡？", "options": ["是", "否"]},
        ],
        "items": [
            {"implementation_code": XUANWU_BIRTH_CERTIFICATE, "when": {}},
            {"implementation_code": XUANWU_BIRTH_REGISTRATION, "when": {}},
            {"implementation_code": XUANWU_MEDICAL_INSURANCE, "when": {"medical_insurance": ["是"]}},
            {"implementation_code": XUANWU_SOCIAL_SECURITY_CARD, "when": {"social_security_card": ["是"]}},
        ],
    },
}
