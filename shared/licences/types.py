"""The licence-type directory (证照目录): what each type is called, who holds it,
how long it is valid and how its licence number is formed.

Type codes are GB/T 36903's 证照类型代码: the defining body's USCC + a
3-digit sequence. The demo defining bodies' USCCs are computed, valid but
invented (they match infra/seed/licence_types.py; a test keeps the two equal).
A deployment loads the national directory instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.catalog.api import make_government_uscc

_NATIONAL = "100000"
_MARKET_REGULATOR = make_government_uscc(_NATIONAL, "00001001")  # 市场监管总局 (demo code)
_PUBLIC_SECURITY = make_government_uscc(_NATIONAL, "00001002")  # 公安部 (demo code)
_CIVIL_AFFAIRS = make_government_uscc(_NATIONAL, "00001003")  # 民政部 (demo code)
_HOUSING = make_government_uscc(_NATIONAL, "00001004")  # 住房和城乡建设部 (demo code)
_NATURAL_RESOURCES = make_government_uscc(_NATIONAL, "00001005")  # 自然资源部 (demo code)
_HUMAN_RESOURCES = make_government_uscc(_NATIONAL, "00001006")  # 人力资源社会保障部 (demo code)


@dataclass(frozen=True)
class LicenceType:
    code: str
    name: str
    validity_years: int | None  # None: long-term (长期)
    category: str  # 证照分类: 执照, 许可证, 证明, 证件


LICENCE_TYPES: dict[str, LicenceType] = {
    t.code: t
    for t in (
        LicenceType(_MARKET_REGULATOR + "001", "营业执照", None, "执照"),
        LicenceType(_MARKET_REGULATOR + "002", "食品经营许可证", 5, "许可证"),
        LicenceType(_PUBLIC_SECURITY + "001", "居民身份证", 20, "证件"),
        LicenceType(_PUBLIC_SECURITY + "002", "居民户口簿", None, "证件"),
        LicenceType(_CIVIL_AFFAIRS + "001", "结婚证", None, "证明"),
        LicenceType(_NATURAL_RESOURCES + "002", "建设工程规划许可证", None, "许可证"),
        LicenceType(_NATURAL_RESOURCES + "001", "不动产权证书", None, "证明"),
        LicenceType(_HOUSING + "001", "建筑工程施工许可证", 3, "许可证"),
        LicenceType(_HUMAN_RESOURCES + "001", "社会保障卡", 10, "证件"),
    )
}


def licence_type(code: str) -> LicenceType | None:
    return LICENCE_TYPES.get(code)
