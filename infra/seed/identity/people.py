"""Demo people, enterprises and accounts for the local cloud (本地演示数据).

Every ID number and USCC here is invented (valid check characters and real
Jiangsu county codes, computed for this file) and every phone number is in
the 138/139 0000 00xx demo block; passwords are local demo values only.
The seed writes the registries as keyed hashes, so the local tables hold no
readable ID number either.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity.models import AgentScope
from shared.platform.principal import Role


@dataclass(frozen=True)
class RegistryPerson:
    """An entry of the (demo) population registry: ID number and name (人口库)."""

    id_number: str
    name: str


@dataclass(frozen=True)
class DemoCitizen:
    person: RegistryPerson
    phone: str
    label: str


@dataclass(frozen=True)
class DemoWorker:
    person: RegistryPerson
    phone: str
    login: str
    password: str
    role: Role
    department_id: str | None
    region_code: str
    label: str
    department_head: bool = False


@dataclass(frozen=True)
class DemoEnterprise:
    """An entry of the (demo) enterprise registry (企业登记信息)."""

    uscc: str
    name: str
    legal_representative: RegistryPerson


# --- population registry -------------------------------------------------------------------

ZHANG_WEI = RegistryPerson("320102198803150213", "张伟")  # 玄武区
LI_NA = RegistryPerson("320106199207090461", "李娜")  # 鼓楼区
WANG_FANG = RegistryPerson("320115199011230625", "王芳")  # 江宁区
CHEN_MING = RegistryPerson("320105197505020159", "陈明")  # 建邺区
LIU_YANG = RegistryPerson("32010219850930033X", "刘洋")  # 玄武区
ZHOU_JING = RegistryPerson("32050519870214048X", "周静")  # 苏州 虎丘区
WU_QIANG = RegistryPerson("320104197912010170", "吴强")  # 秦淮区
SUN_LI = RegistryPerson("320111198304180289", "孙丽")  # 浦口区
CHEN_GANG = RegistryPerson("320115198607120414", "陈刚")  # 江宁区
HE_WEN = RegistryPerson("320115199003050528", "何雯")  # 江宁区
XU_TING = RegistryPerson("320115199208180625", "许婷")  # 江宁区
ZHENG_QIANG = RegistryPerson("320102198804120411", "郑强")  # 玄武区
MA_LI = RegistryPerson("320102199109230525", "马丽")  # 玄武区
KONG_JUN = RegistryPerson("320104198403050611", "孔军")  # 秦淮区
QIAN_JIN = RegistryPerson("320102198105060317", "钱进")  # 玄武区
ZHENG_HUA = RegistryPerson("320106197509210423", "郑华")  # 鼓楼区
LU_FANG = RegistryPerson("320102197604180423", "陆芳")  # 玄武区
ZHU_LEI = RegistryPerson("32011519850611041X", "朱磊")  # 江宁区
LIN_JUAN = RegistryPerson("320115198903170520", "林娟")  # 江宁区
GAO_PENG = RegistryPerson("320115199307020619", "高鹏")  # 江宁区
WANG_MIN = RegistryPerson("320102199007180328", "汪敏")  # 玄武区
SONG_JIA = RegistryPerson("320106198702140521", "宋佳")  # 鼓楼区
GU_BIN = RegistryPerson("320508198209070616", "顾斌")  # 苏州 姑苏区
# Not registered: for a newcomer to register with (README walk-through) and for tests.
ZHAO_LEI = RegistryPerson("320113199506200572", "赵磊")  # 栖霞区
HUANG_MIN = RegistryPerson("320205199801120642", "黄敏")  # 无锡 锡山区
AYGUL = RegistryPerson("320102199608080824", "阿依古丽·买买提")  # 玄武区 (a name with the middle dot)

POPULATION = (
    ZHANG_WEI,
    LI_NA,
    WANG_FANG,
    CHEN_MING,
    LIU_YANG,
    ZHOU_JING,
    WU_QIANG,
    SUN_LI,
    CHEN_GANG,
    HE_WEN,
    XU_TING,
    ZHENG_QIANG,
    MA_LI,
    KONG_JUN,
    ZHAO_LEI,
    HUANG_MIN,
    AYGUL,
    QIAN_JIN,
    ZHENG_HUA,
    LU_FANG,
    ZHU_LEI,
    LIN_JUAN,
    GAO_PENG,
    WANG_MIN,
    SONG_JIA,
    GU_BIN,
)

# --- enterprise registry -------------------------------------------------------------------

DEMO_ENTERPRISE = DemoEnterprise("91320102MA1W8K3R68", "南京玄武示范科技有限公司", CHEN_MING)
OTHER_ENTERPRISE = DemoEnterprise("91320505MA27QH4N9H", "苏州虎丘示例贸易有限公司", HUANG_MIN)
ENTERPRISES = (DEMO_ENTERPRISE, OTHER_ENTERPRISE)

# --- accounts ----------------------------------------------------------------------------

CITIZEN_A = DemoCitizen(ZHANG_WEI, "13800000001", "citizen A")
CITIZEN_B = DemoCitizen(LI_NA, "13800000002", "citizen B")
AGENT = DemoCitizen(WANG_FANG, "13800000003", "enterprise agent of 南京玄武示范科技有限公司")
LEGAL_REPRESENTATIVE = DemoCitizen(CHEN_MING, "13800000004", "legal representative of 南京玄武示范科技有限公司")
CITIZENS = (CITIZEN_A, CITIZEN_B, AGENT, LEGAL_REPRESENTATIVE)

STAFF_IN_SCOPE = DemoWorker(
    LIU_YANG,
    "13900000001",
    "xuanwu.civil.liu",
    "Xuanwu-Civil-2026",
    Role.STAFF,
    "320102-civil",
    "320102",
    "staff, 南京市玄武区民政局",
)
STAFF_ELSEWHERE = DemoWorker(
    ZHOU_JING,
    "13900000002",
    "suzhou.civil.zhou",
    "Suzhou-Civil-2026",
    Role.STAFF,
    "320500-civil",
    "320500",
    "staff, 苏州市民政局 (outside Nanjing)",
)
SUPERVISOR = DemoWorker(
    WU_QIANG,
    "13900000003",
    "nanjing.supervisor.wu",
    "Nanjing-Supervise-2026",
    Role.SUPERVISOR,
    None,
    "320100",
    "supervisor for 3201 南京市",
)
OPERATOR = DemoWorker(
    SUN_LI,
    "13900000004",
    "platform.operator.sun",
    "Platform-Operator-2026",
    Role.OPERATOR,
    None,
    "320000",
    "platform operator",
)
# 开办餐饮店联合审批 in Jiangning (并联审批): the lead department and its two co-departments
JIANGNING_MARKET = DemoWorker(
    CHEN_GANG,
    "13900000005",
    "jiangning.market.chen",
    "Jiangning-Market-2026",
    Role.STAFF,
    "320115-market",
    "320115",
    "staff, 南京市江宁区市场监督管理局 (lead of the joint item)",
)
JIANGNING_POLICE = DemoWorker(
    HE_WEN,
    "13900000006",
    "jiangning.police.he",
    "Jiangning-Police-2026",
    Role.STAFF,
    "320115-police",
    "320115",
    "staff, 南京市公安局江宁分局 (co-department of the joint item)",
)
JIANGNING_HOUSING = DemoWorker(
    XU_TING,
    "13900000007",
    "jiangning.housing.xu",
    "Jiangning-Housing-2026",
    Role.STAFF,
    "320115-housing",
    "320115",
    "staff, 南京市江宁区住房和城乡建设局 (co-department of the joint item)",
)
# 12345 (infra/seed/hotline.py): the 玄武区 market staff who handle the README's complaint, the
# 玄武区 dispatch desk (unmatched and returned tickets) and a call-centre agent of Nanjing
XUANWU_MARKET = DemoWorker(
    ZHENG_QIANG,
    "13900000008",
    "xuanwu.market.zheng",
    "Xuanwu-Market-2026",
    Role.STAFF,
    "320102-market",
    "320102",
    "staff, 南京市玄武区市场监督管理局 (12345 complaints)",
)
XUANWU_DESK = DemoWorker(
    MA_LI,
    "13900000009",
    "xuanwu.hotline.ma",
    "Xuanwu-Hotline-2026",
    Role.STAFF,
    "320102-hotline",
    "320102",
    "staff, 玄武区 12345 热线派单席 (dispatch desk)",
)
HOTLINE_AGENT = DemoWorker(
    KONG_JUN,
    "13900000010",
    "nanjing.12345.kong",
    "Nanjing-12345-2026",
    Role.HOTLINE_AGENT,
    None,
    "320100",
    "12345 agent (话务员), 南京市",
)
# supervision orders escalate county → city → province (issue 15): a supervisor at each level
COUNTY_SUPERVISOR = DemoWorker(
    QIAN_JIN,
    "13900000011",
    "xuanwu.supervisor.qian",
    "Xuanwu-Supervise-2026",
    Role.SUPERVISOR,
    None,
    "320102",
    "supervisor for 320102 玄武区",
)
# the head of 玄武区民政局 (D-207): sees the ranking of 玄武区's departments
XUANWU_CIVIL_HEAD = DemoWorker(
    LU_FANG,
    "13900000013",
    "xuanwu.civil.lu",
    "Xuanwu-Head-2026",
    Role.STAFF,
    "320102-civil",
    "320102",
    "head of 南京市玄武区民政局 (部门负责人)",
    department_head=True,
)
# 一件事 开餐馆 (issue 18): a company's invoice collection is a case of 玄武区税务局
XUANWU_TAX = DemoWorker(
    WANG_MIN,
    "13900000021",
    "xuanwu.tax.wang",
    "Xuanwu-Tax-2026",
    Role.STAFF,
    "320102-tax",
    "320102",
    "staff, 国家税务总局南京市玄武区税务局 (scene cases)",
)
PROVINCE_SUPERVISOR = DemoWorker(
    ZHENG_HUA,
    "13900000012",
    "jiangsu.supervisor.zheng",
    "Jiangsu-Supervise-2026",
    Role.SUPERVISOR,
    None,
    "320000",
    "supervisor for 32 江苏省",
)
# 企业投资项目核准并联审批 in Jiangning (issue 21): the lead (发展改革委) and two co-departments; housing
# (施工许可) is JIANGNING_HOUSING above
JIANGNING_DRC = DemoWorker(
    ZHU_LEI,
    "13900000014",
    "jiangning.drc.zhu",
    "Jiangning-Drc-2026",
    Role.STAFF,
    "320115-drc",
    "320115",
    "staff, 南京市江宁区发展和改革委员会 (lead of the project approval)",
)
JIANGNING_RESOURCES = DemoWorker(
    LIN_JUAN,
    "13900000015",
    "jiangning.resources.lin",
    "Jiangning-Resources-2026",
    Role.STAFF,
    "320115-resources",
    "320115",
    "staff, 南京市规划和自然资源局江宁分局 (用地预审与选址)",
)
JIANGNING_ECOLOGY = DemoWorker(
    GAO_PENG,
    "13900000016",
    "jiangning.ecology.gao",
    "Jiangning-Ecology-2026",
    Role.STAFF,
    "320115-ecology",
    "320115",
    "staff, 南京市江宁生态环境局 (环境影响评价)",
)
# public resource trading centres (issue 21): an operator of a city publishes that city's notices only
NANJING_TRADING_CENTRE = DemoWorker(
    SONG_JIA,
    "13900000017",
    "nanjing.trading.song",
    "Nanjing-Trading-2026",
    Role.OPERATOR,
    None,
    "320100",
    "operator, 南京市公共资源交易中心 (publishes Nanjing's trading notices)",
)
SUZHOU_TRADING_CENTRE = DemoWorker(
    GU_BIN,
    "13900000018",
    "suzhou.trading.gu",
    "Suzhou-Trading-2026",
    Role.OPERATOR,
    None,
    "320500",
    "operator, 苏州市公共资源交易中心 (publishes Suzhou's trading notices)",
)
WORKERS = (
    STAFF_IN_SCOPE,
    STAFF_ELSEWHERE,
    SUPERVISOR,
    OPERATOR,
    JIANGNING_MARKET,
    JIANGNING_POLICE,
    JIANGNING_HOUSING,
    XUANWU_MARKET,
    XUANWU_DESK,
    HOTLINE_AGENT,
    COUNTY_SUPERVISOR,
    PROVINCE_SUPERVISOR,
    XUANWU_CIVIL_HEAD,
    JIANGNING_DRC,
    JIANGNING_RESOURCES,
    JIANGNING_ECOLOGY,
    XUANWU_TAX,
    NANJING_TRADING_CENTRE,
    SUZHOU_TRADING_CENTRE,
)

# The legal representative authorises the agent (scope, about a year).
AGENT_SCOPE = (AgentScope.CASES, AgentScope.LICENCES)
AGENT_AUTHORISATION_DAYS = 365
