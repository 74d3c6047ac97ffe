"""Demo public resource trading notices (本地演示数据, issue 21), dated around the day the
local cloud starts so the README walk-through finds each stage:

- an open works tender in 江宁区 (agents register interest),
- an open government procurement in 玄武区 and an open land transfer in 苏州市虎丘区,
- a works tender in its candidates' publicity whose first candidate is on the credit lists
  (the simulator's 91320583MA1XT0PK2R): naming it winner is refused (409 trading.listed_party),
- an awarded works tender, so the results list and the open data are not empty.

Written through the trading repository with fixed ids (so a second run finds them and
writes nothing); the dates are not re-checked against today (the publicity one began two
days ago), but each satisfies its legal minimum periods.
"""

from __future__ import annotations

import datetime as dt

from infra.seed.environment import seeding_environment
from shared.platform.clock import now, today_in_shanghai
from shared.trading.models import Flag, Notice, NoticeKind, Stage
from shared.trading.repository import TradingRepository
from shared.trading.service import TradingService

CENTRE = "seed"
OPEN_TENDER = "01JDQ90F3W7C8M2T6R4K9N5TA1"
OPEN_PROCUREMENT = "01JDQ90F3W7C8M2T6R4K9N5TA2"
OPEN_LAND = "01JDQ90F3W7C8M2T6R4K9N5TA3"
IN_PUBLICITY = "01JDQ90F3W7C8M2T6R4K9N5TA4"
AWARDED = "01JDQ90F3W7C8M2T6R4K9N5TA5"
LISTED_BIDDER = "91320583MA1XT0PK2R"  # on the simulator's credit lists (infra/local/partners/credit_registry.py)
LISTED_BIDDER_LISTS = ["失信被执行人名单", "重大税收违法失信主体名单"]
CLEAN_BIDDER = "91320102MA1W8K3R68"  # 南京玄武示范科技有限公司, the demo enterprise


def load(env: dict[str, str]) -> dict[str, int]:
    with seeding_environment(env):
        return load_trading(TradingService(TradingRepository()))


def _day(offset: int) -> dt.date:
    return today_in_shanghai() + dt.timedelta(days=offset)


def demo_notices() -> list[Notice]:
    at = now()
    common = {"published_by": CENTRE, "published_at": at}
    return [
        Notice(
            notice_id=OPEN_TENDER,
            kind=NoticeKind.WORKS_TENDER,
            title="江宁区秣陵街道道路提升改造工程施工招标公告",
            region_code="320115",
            content="招标范围：道路、排水及照明工程施工；资格要求：市政公用工程施工总承包三级及以上。",
            published_on=_day(0),
            documents_from=_day(1),
            bid_deadline=_day(25),
            **common,
        ),
        Notice(
            notice_id=OPEN_PROCUREMENT,
            kind=NoticeKind.PROCUREMENT,
            title="玄武区政务服务中心自助终端采购项目公开招标公告",
            region_code="320102",
            content="采购内容：政务服务自助终端 40 台及三年运维；预算金额：人民币 180 万元。",
            published_on=_day(0),
            documents_from=_day(0),
            bid_deadline=_day(21),
            **common,
        ),
        Notice(
            notice_id=OPEN_LAND,
            kind=NoticeKind.LAND_TRANSFER,
            title="苏州市虎丘区苏地2026-WG-18号地块国有建设用地使用权挂牌出让公告",
            region_code="320505",
            content="土地用途：商务金融用地；出让年限：40年；挂牌起始价：人民币 3.2 亿元。",
            published_on=_day(0),
            documents_from=_day(0),
            listing_from=_day(21),
            bid_deadline=_day(45),
            **common,
        ),
        Notice(
            notice_id=IN_PUBLICITY,
            kind=NoticeKind.WORKS_TENDER,
            title="江宁区东山街道社区服务中心新建工程施工招标公告",
            region_code="320115",
            content="招标范围：社区服务中心土建及安装工程施工。",
            published_on=_day(-30),
            documents_from=_day(-29),
            bid_deadline=_day(-5),
            stage=Stage.CANDIDATES,
            bidders=[LISTED_BIDDER, CLEAN_BIDDER],
            candidates=[LISTED_BIDDER, CLEAN_BIDDER],
            candidates_published_on=_day(-2),
            publicity_until=_day(1),
            flags=[
                Flag(uscc=LISTED_BIDDER, lists=["失信被执行人名单", "重大税收违法失信主体名单"], at=at, stage="open")
            ],
            **common,
        ),
        Notice(
            notice_id=AWARDED,
            kind=NoticeKind.WORKS_TENDER,
            title="江宁区汤山街道污水管网完善工程施工招标公告",
            region_code="320115",
            content="招标范围：污水管网新建及修复工程施工。",
            published_on=_day(-60),
            documents_from=_day(-59),
            bid_deadline=_day(-35),
            stage=Stage.AWARDED,
            bidders=[CLEAN_BIDDER],
            candidates=[CLEAN_BIDDER],
            candidates_published_on=_day(-30),
            publicity_until=_day(-27),
            winner_uscc=CLEAN_BIDDER,
            awarded_at=at - dt.timedelta(days=26),
            **common,
        ),
    ]


def load_trading(service: TradingService) -> dict[str, int]:
    written = 0
    for notice in demo_notices():
        if service.repository.notice(notice.notice_id) is None:
            service.repository.save(notice, expected_version=None, events=[])
            written += 1
    service.publish_open_data("320100")  # the awarded one's city: its open data and the catalogue
    return {"trading_notices": written}
