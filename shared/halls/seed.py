"""Demo halls: 玄武区政务服务中心 (county) and 孝陵卫街道便民服务中心 (township level)."""

from __future__ import annotations

import datetime as dt

from shared.halls.models import Hall, HallLevel, OpeningPeriod, Window

_DAY = (OpeningPeriod(opens=dt.time(9), closes=dt.time(12)), OpeningPeriod(opens=dt.time(13, 30), closes=dt.time(17)))

SEED_HALLS = (
    Hall(
        hall_id="320102-center",
        name="玄武区政务服务中心",
        level=HallLevel.county,
        region_code="320102",
        address="南京市玄武区北京东路 41 号",
        latitude=32.0593,
        longitude=118.7968,
        opening=_DAY,
        windows=(
            Window(window_id="A01", name="综合受理窗口 1", group="general", item_codes=()),
            Window(window_id="A02", name="综合受理窗口 2", group="general", item_codes=()),
            Window(window_id="B01", name="企业开办窗口", group="business", item_codes=()),
        ),
    ),
    Hall(
        hall_id="320102-xiaolingwei",
        name="孝陵卫街道便民服务中心",
        level=HallLevel.township,
        region_code="320102007",
        address="南京市玄武区孝陵卫街 200 号",
        latitude=32.0383,
        longitude=118.8636,
        opening=_DAY,
        windows=(Window(window_id="1", name="综合受理窗口", group="general", item_codes=()),),
        slot_capacity=6,
    ),
)
