"""The demo licence-type directory (证照目录): 证照类型代码 = defining body's USCC +
3-digit sequence (GB/T 36903). The defining bodies' USCCs are computed, valid
but invented; a deployment loads the national directory instead, through
`PUT /v1/licence-types/{code}`.

The seed loads these into the licences context's directory (`load`, through
the licences service: one `licence_type.changed` each) and into the
catalogue's copy of it (`project`, as licence_type_projector would from those
events), so catalogue-only test fixtures can publish items naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.catalog.codes import make_government_uscc

if TYPE_CHECKING:
    from shared.catalog.service import CatalogService
    from shared.licences.service import LicencesService

SEED_ACTOR = "seed"

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


@dataclass(frozen=True)
class DemoLicenceType:
    code: str
    name: str
    category: str  # 证照分类: 执照, 许可证, 证明, 证件
    validity_years: int | None  # None: long-term (长期)


DIRECTORY: tuple[DemoLicenceType, ...] = (
    DemoLicenceType(BUSINESS_LICENCE, "营业执照", "执照", None),
    DemoLicenceType(FOOD_BUSINESS_LICENCE, "食品经营许可证", "许可证", 5),
    DemoLicenceType(RESIDENT_ID_CARD, "居民身份证", "证件", 20),
    DemoLicenceType(HOUSEHOLD_REGISTER, "居民户口簿", "证件", None),
    DemoLicenceType(MARRIAGE_CERTIFICATE, "结婚证", "证明", None),
    DemoLicenceType(PLANNING_PERMIT, "建设工程规划许可证", "许可证", None),
    DemoLicenceType(REAL_ESTATE_CERTIFICATE, "不动产权证书", "证明", None),
    DemoLicenceType(CONSTRUCTION_PERMIT, "建筑工程施工许可证", "许可证", 3),
    DemoLicenceType(SOCIAL_SECURITY_CARD, "社会保障卡", "证件", 10),
)

NAMES = {entry.code: entry.name for entry in DIRECTORY}


def load(service: LicencesService) -> int:
    """The demo directory into the licences context's table; an entry already as here is
    left alone (idempotent), one changed since is left as the operator made it."""
    from shared.licences.models import LicenceTypeChange

    added = 0
    for entry in DIRECTORY:
        if service.repository.licence_type(entry.code, consistent=True) is not None:
            continue
        change = LicenceTypeChange(
            name=entry.name, category=entry.category, validity_years=entry.validity_years, based_on_version=0
        )
        service.put_licence_type(entry.code, change, actor=SEED_ACTOR, correlation_id=None)
        added += 1
    return added


def project(service: CatalogService) -> None:
    """The demo directory into the catalogue's copy as version 1 (a newer version already
    copied from `licence_type.changed` stays)."""
    for entry in DIRECTORY:
        service.record_licence_type(entry.code, name=entry.name, status="active", version=1)
