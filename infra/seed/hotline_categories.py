"""The demo matter categories (诉求事项分类) the seed writes into the Hotline table: two
levels in the style of GB/T 39666 (政务服务便民热线), a two-digit first level and a
four-digit second level whose first two digits are its parent. Operators change the
table through `PUT /v1/hotline/categories/{code}`; the hotline reads only the table.

`sector` says which line of work (条线) usually handles the matter; the seeded routing
rules use it to name departments (`<region>-<sector>`), nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    sector: str = ""

    @property
    def parent_code(self) -> str | None:
        return self.code[:2] if len(self.code) == 4 else None


FIRST_LEVEL: tuple[Category, ...] = (
    Category("01", "市场监管"),
    Category("02", "城乡建设"),
    Category("03", "社会保障"),
    Category("04", "民政事务"),
    Category("05", "公共安全"),
    Category("06", "税费服务"),
    Category("07", "政务服务"),
)

SECOND_LEVEL: tuple[Category, ...] = (
    Category("0101", "消费维权", "market"),
    Category("0102", "食品安全", "market"),
    Category("0103", "价格监管", "market"),
    Category("0201", "物业管理", "housing"),
    Category("0202", "违章搭建", "housing"),
    Category("0203", "房屋安全", "housing"),
    Category("0301", "社保缴费", "hrss"),
    Category("0302", "劳动保障", "hrss"),
    Category("0401", "低保救助", "civil"),
    Category("0402", "养老服务", "civil"),
    Category("0403", "婚姻登记", "civil"),
    Category("0501", "户籍证件", "police"),
    Category("0502", "治安秩序", "police"),
    Category("0601", "发票税务", "tax"),
    Category("0701", "办事指南", ""),
    Category("0702", "服务态度", ""),
    # complaints about a trading notice or result: the desk dispatches them (no seeded rule, D-312)
    Category("0704", "公共资源交易", ""),
)

CATEGORIES: dict[str, Category] = {c.code: c for c in (*FIRST_LEVEL, *SECOND_LEVEL)}


def category(code: str) -> Category | None:
    return CATEGORIES.get(code)


def children(parent_code: str) -> list[Category]:
    return [c for c in SECOND_LEVEL if c.parent_code == parent_code]
