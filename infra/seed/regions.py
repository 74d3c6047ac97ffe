"""Demo divisions: Jiangsu, its 13 cities, the districts and county-level
cities the demo data and the portal's pickers use (GB/T 2260), and a few
townships and villages below Xuanwu and Jiangning (statistical division codes,
统计用区划代码: county + 3 digits, township + 3 digits).

The township codes and names are those of the National Bureau of Statistics'
list for 南京市 (0xx 街道). The village codes follow its layout (001–199
社区居民委员会, 200–399 村民委员会) under those townships, with community names
of 东山街道 and 秣陵街道; their sequence numbers are illustrative — the
national list below county level is not shipped, so only the county part of
a township or village code is checked against GB/T 2260.
"""

from __future__ import annotations

PROVINCE = ("320000", "江苏省")

CITIES = [
    ("320100", "南京市"),
    ("320200", "无锡市"),
    ("320300", "徐州市"),
    ("320400", "常州市"),
    ("320500", "苏州市"),
    ("320600", "南通市"),
    ("320700", "连云港市"),
    ("320800", "淮安市"),
    ("320900", "盐城市"),
    ("321000", "扬州市"),
    ("321100", "镇江市"),
    ("321200", "泰州市"),
    ("321300", "宿迁市"),
]

COUNTIES = [
    # 南京市
    ("320102", "玄武区"),
    ("320104", "秦淮区"),
    ("320105", "建邺区"),
    ("320106", "鼓楼区"),
    ("320111", "浦口区"),
    ("320113", "栖霞区"),
    ("320114", "雨花台区"),
    ("320115", "江宁区"),
    ("320116", "六合区"),
    ("320117", "溧水区"),
    ("320118", "高淳区"),
    # 无锡市
    ("320205", "锡山区"),
    ("320206", "惠山区"),
    ("320211", "滨湖区"),
    ("320213", "梁溪区"),
    ("320214", "新吴区"),
    ("320281", "江阴市"),
    ("320282", "宜兴市"),
    # 徐州市
    ("320302", "鼓楼区"),
    ("320303", "云龙区"),
    ("320311", "泉山区"),
    ("320312", "铜山区"),
    # 常州市
    ("320402", "天宁区"),
    ("320404", "钟楼区"),
    ("320411", "新北区"),
    ("320412", "武进区"),
    # 苏州市
    ("320505", "虎丘区"),
    ("320506", "吴中区"),
    ("320507", "相城区"),
    ("320508", "姑苏区"),
    ("320509", "吴江区"),
    ("320581", "常熟市"),
    ("320582", "张家港市"),
    ("320583", "昆山市"),
    ("320585", "太仓市"),
    # 南通市
    ("320612", "通州区"),
    ("320613", "崇川区"),
    ("320614", "海门区"),
    # 扬州市
    ("321002", "广陵区"),
    ("321003", "邗江区"),
]

TOWNSHIPS = [
    ("320102003", "新街口街道"),
    ("320115001", "东山街道"),
    ("320115011", "秣陵街道"),
]

VILLAGES = [
    ("320115001001", "上坊社区"),
    ("320115011201", "元山村"),
]

ALL = [PROVINCE, *CITIES, *COUNTIES, *TOWNSHIPS, *VILLAGES]
