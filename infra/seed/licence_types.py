"""Demo e-licence types (证照类型代码 = defining body's USCC + 3-digit sequence,
GB/T 36903). The defining bodies' USCCs are computed, valid but invented;
the licence context (C11) will own the real registry of types."""

from __future__ import annotations

from shared.catalog.codes import make_government_uscc

_NATIONAL = "100000"
_MARKET_REGULATOR = make_government_uscc(_NATIONAL, "00001001")  # 市场监管总局 (demo code)
_PUBLIC_SECURITY = make_government_uscc(_NATIONAL, "00001002")  # 公安部 (demo code)
_CIVIL_AFFAIRS = make_government_uscc(_NATIONAL, "00001003")  # 民政部 (demo code)
_HOUSING = make_government_uscc(_NATIONAL, "00001004")  # 住房和城乡建设部 (demo code)
_NATURAL_RESOURCES = make_government_uscc(_NATIONAL, "00001005")  # 自然资源部 (demo code)
_HUMAN_RESOURCES = make_government_uscc(_NATIONAL, "00001006")  # 人力资源社会保障部 (demo code)

BUSINESS_LICENCE = _MARKET_REGULATOR + "001"  # 营业执照
FOOD_BUSINESS_LICENCE = _MARKET_REGULATOR + "002"  # 食品经营许可证
RESIDENT_ID_CARD = _PUBLIC_SECURITY + "001"  # 居民身份证
HOUSEHOLD_REGISTER = _PUBLIC_SECURITY + "002"  # 居民户口簿
MARRIAGE_CERTIFICATE = _CIVIL_AFFAIRS + "001"  # 结婚证
PLANNING_PERMIT = _NATURAL_RESOURCES + "002"  # 建设工程规划许可证
REAL_ESTATE_CERTIFICATE = _NATURAL_RESOURCES + "001"  # 不动产权证书
CONSTRUCTION_PERMIT = _HOUSING + "001"  # 建筑工程施工许可证
SOCIAL_SECURITY_CARD = _HUMAN_RESOURCES + "001"  # 社会保障卡

NAMES = {
    BUSINESS_LICENCE: "营业执照",
    FOOD_BUSINESS_LICENCE: "食品经营许可证",
    RESIDENT_ID_CARD: "居民身份证",
    HOUSEHOLD_REGISTER: "居民户口簿",
    MARRIAGE_CERTIFICATE: "结婚证",
    PLANNING_PERMIT: "建设工程规划许可证",
    REAL_ESTATE_CERTIFICATE: "不动产权证书",
    CONSTRUCTION_PERMIT: "建筑工程施工许可证",
    SOCIAL_SECURITY_CARD: "社会保障卡",
}
