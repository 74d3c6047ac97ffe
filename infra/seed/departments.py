"""Demo departments: six lines of work (条线) at the province, Nanjing, two
Nanjing districts and Suzhou — the departments whose "flagship stores" C30
names —, a few more in Jiangning (investment projects) and Xuanwu (the scenes'
items), and the service centres of three townships and two villages. Their
USCCs are computed (type 11 机关, a GB 11714 organisation code with its check
digit, the GB 32100 check character): valid, but invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.catalog.codes import make_government_uscc

SEED_REGIONS = ("320000", "320100", "320102", "320115", "320500")


@dataclass(frozen=True)
class Sector:
    key: str  # stored as Department.sector
    short: str  # in the department id
    number: int  # in the invented organisation code
    names: dict[str, str]  # region code -> department name


SECTORS = [
    Sector(
        "public_security",
        "police",
        1,
        {
            "320000": "江苏省公安厅",
            "320100": "南京市公安局",
            "320102": "南京市公安局玄武分局",
            "320115": "南京市公安局江宁分局",
            "320500": "苏州市公安局",
        },
    ),
    Sector(
        "civil_affairs",
        "civil",
        2,
        {
            "320000": "江苏省民政厅",
            "320100": "南京市民政局",
            "320102": "南京市玄武区民政局",
            "320115": "南京市江宁区民政局",
            "320500": "苏州市民政局",
        },
    ),
    Sector(
        "human_resources_social_security",
        "hrss",
        3,
        {
            "320000": "江苏省人力资源和社会保障厅",
            "320100": "南京市人力资源和社会保障局",
            "320102": "南京市玄武区人力资源和社会保障局",
            "320115": "南京市江宁区人力资源和社会保障局",
            "320500": "苏州市人力资源和社会保障局",
        },
    ),
    Sector(
        "market_regulation",
        "market",
        4,
        {
            "320000": "江苏省市场监督管理局",
            "320100": "南京市市场监督管理局",
            "320102": "南京市玄武区市场监督管理局",
            "320115": "南京市江宁区市场监督管理局",
            "320500": "苏州市市场监督管理局",
        },
    ),
    Sector(
        "taxation",
        "tax",
        5,
        {
            "320000": "国家税务总局江苏省税务局",
            "320100": "国家税务总局南京市税务局",
            "320102": "国家税务总局南京市玄武区税务局",
            "320115": "国家税务总局南京市江宁区税务局",
            "320500": "国家税务总局苏州市税务局",
        },
    ),
    Sector(
        "housing_construction",
        "housing",
        6,
        {
            "320000": "江苏省住房和城乡建设厅",
            "320100": "南京市城乡建设委员会",
            "320102": "南京市玄武区住房和城乡建设局",
            "320115": "南京市江宁区住房和城乡建设局",
            "320500": "苏州市住房和城乡建设局",
        },
    ),
    # 企业投资项目核准 (issue 21): the development and reform commission leads the joint approval
    # (核准 and 节能审查), natural resources and planning (用地预审与选址) and ecology (环评) take part
    # with housing (施工许可). Only Jiangning for the demo (a sector names the divisions it has).
    Sector("development_reform", "drc", 7, {"320115": "南京市江宁区发展和改革委员会"}),
    Sector("natural_resources", "resources", 8, {"320115": "南京市规划和自然资源局江宁分局"}),
    Sector("ecology_environment", "ecology", 9, {"320115": "南京市江宁生态环境局"}),
]
# 新生儿出生 (issue 18): the lines of work only Xuanwu's seed has, for its birth items
SECTORS += [
    Sector("health", "health", 7, {"320102": "南京市玄武区卫生健康委员会"}),
    Sector("medical_insurance", "medins", 8, {"320102": "南京市玄武区医疗保障局"}),
]
# 开餐馆 (issue 18): the fire-safety check before opening and the signboard, Xuanwu only
SECTORS += [
    Sector("fire_rescue", "fire", 10, {"320102": "南京市玄武区消防救援大队"}),
    Sector("urban_management", "urban", 11, {"320102": "南京市玄武区城市管理局"}),
]
SECTOR_BY_SHORT = {sector.short: sector for sector in SECTORS}


@dataclass(frozen=True)
class SeedDepartment:
    id: str
    name: str
    uscc: str
    region_code: str
    sector: str


def department_id(region_code: str, short: str) -> str:
    return f"{region_code}-{short}"


def _organisation_body(region_code: str, sector_number: int) -> str:
    """8 characters: `01`, the division's last four digits, the sector number."""
    return f"01{region_code[2:]}{sector_number:02d}"


def all_departments() -> list[SeedDepartment]:
    return [
        SeedDepartment(
            id=department_id(region_code, sector.short),
            name=sector.names[region_code],
            uscc=make_government_uscc(region_code, _organisation_body(region_code, sector.number)),
            region_code=region_code,
            sector=sector.key,
        )
        for sector in SECTORS
        for region_code in SEED_REGIONS
        if region_code in sector.names
    ]


# 便民服务中心 (township) and 便民服务站 (village): where residents apply for
# the items a township or village handles (exercise levels 5 and 6).
SERVICE_CENTRES = {
    "320102003": "南京市玄武区新街口街道便民服务中心",
    "320115001": "南京市江宁区东山街道便民服务中心",
    "320115011": "南京市江宁区秣陵街道便民服务中心",
    "320115001001": "南京市江宁区东山街道上坊社区便民服务站",
    "320115011201": "南京市江宁区秣陵街道元山村便民服务站",
}
SERVICE_SECTOR = "community_services"
SERVICE_SHORT = "service"


def _service_centre_body(region_code: str) -> str:
    """8 characters: `02` + the township's last five digits + 1, or `03` + a village's last six."""
    return f"02{region_code[4:]}1" if len(region_code) == 9 else f"03{region_code[6:]}"


def service_centres() -> list[SeedDepartment]:
    # the registering authority's division inside a USCC is a GB/T 2260 (county) code
    return [
        SeedDepartment(
            id=department_id(region_code, SERVICE_SHORT),
            name=name,
            uscc=make_government_uscc(region_code[:6], _service_centre_body(region_code)),
            region_code=region_code,
            sector=SERVICE_SECTOR,
        )
        for region_code, name in SERVICE_CENTRES.items()
    ]


DEPARTMENTS = all_departments() + service_centres()
DEPARTMENT_BY_ID = {department.id: department for department in DEPARTMENTS}
