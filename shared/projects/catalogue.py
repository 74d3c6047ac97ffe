"""The approval catalogue (核准目录): which projects need approval (核准) rather than filing (备案).

Configuration, each entry with its source: 《政府核准的投资项目目录（2016年本）》
(国发〔2016〕72号) as Jiangsu applies it. A project matches an entry when its
industry (GB/T 4754 division) is the entry's and, where the entry names them,
its name or construction content mentions one of the entry's keywords and its
total investment reaches the entry's floor. A project matching no entry is
filed (备案) at once (《企业投资项目核准和备案管理条例》 Art. 3, 13).

This is a seed subset, not the whole catalogue: the entries below are the
ones the demo and the tests need; a complete catalogue would be loaded the
same way (UNCONFIRMED: Jiangsu's own 2017 adjustment of the thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass

CATALOGUE_SOURCE = "《政府核准的投资项目目录（2016年本）》（国发〔2016〕72号）"


@dataclass(frozen=True)
class CatalogueEntry:
    entry_id: str
    title: str
    industries: frozenset[str]
    source: str
    keywords: tuple[str, ...] = ()
    min_investment_fen: int = 0

    def covers(self, *, industry: str, text: str, investment_fen: int) -> bool:
        if industry not in self.industries or investment_fen < self.min_investment_fen:
            return False
        return not self.keywords or any(keyword in text for keyword in self.keywords)


APPROVAL_CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "energy.hydropower",
        "水电站（在跨界河流、跨省河流上建设的单站总装机容量50万千瓦及以上项目除外，由省级政府核准）",
        frozenset({"44"}),
        CATALOGUE_SOURCE + " 二、能源 （一）水电站",
        keywords=("水电站", "水电"),
    ),
    CatalogueEntry(
        "energy.thermal_power",
        "火电站（含自备电站）",
        frozenset({"44"}),
        CATALOGUE_SOURCE + " 二、能源 （一）火电站",
        keywords=("火电", "燃煤电厂", "热电联产"),
    ),
    CatalogueEntry(
        "energy.power_grid",
        "电网工程：涉及跨境、跨省（区、市）输电的±500千伏及以上直流项目，500千伏、750千伏、1000千伏交流项目",
        frozenset({"44"}),
        CATALOGUE_SOURCE + " 二、能源 （一）电网工程",
        keywords=("输变电", "500千伏", "1000千伏"),
    ),
    CatalogueEntry(
        "transport.airport",
        "民航：新建运输机场项目",
        frozenset({"56"}),
        CATALOGUE_SOURCE + " 三、交通运输 （五）民航",
        keywords=("机场",),
    ),
    CatalogueEntry(
        "raw_materials.steel",
        "钢铁：已禁止新增产能的，严格控制新增产能；确需建设的由省级政府核准",
        frozenset({"31"}),
        CATALOGUE_SOURCE + " 五、原材料 钢铁",
    ),
    CatalogueEntry(
        "urban.water_supply_large",
        "城建：跨省（区、市）日调水50万吨及以上的城市供水项目；其余由地方政府核准",
        frozenset({"46"}),
        CATALOGUE_SOURCE + " 七、城建 城市供水",
        keywords=("调水", "供水"),
        min_investment_fen=100_000_000_00,  # 1 亿元: OUR demo threshold, not in the catalogue
    ),
)


def approval_entry(*, industry: str, name: str, content: str, investment_fen: int) -> CatalogueEntry | None:
    """The first catalogue entry the project falls under, or None: then it is filed."""
    text = f"{name}\n{content}"
    for entry in APPROVAL_CATALOGUE:
        if entry.covers(industry=industry, text=text, investment_fen=investment_fen):
            return entry
    return None
