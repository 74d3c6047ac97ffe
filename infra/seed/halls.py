"""Demo halls (shared/halls/seed.py) with what their windows serve: the 玄武区
center's 综合受理 windows take the district's items, its 企业开办 window those of
the market-supervision and tax departments; every 玄武区 department is stationed
there, so their staff are its clerks. A third, local-only demo hall (延时服务区)
is open on working days around the clock, so that the README walk-through (book,
take a number, call it) runs at any hour of a working day. Rewritten unchanged
on every start."""

from __future__ import annotations

import datetime as dt
from typing import Any

from infra.seed.environment import seeding_environment
from infra.seed.items import new_item_bodies
from shared.halls.models import Hall, HallLevel, OpeningPeriod, Window
from shared.halls.seed import SEED_HALLS

BUSINESS_DEPARTMENTS = ("320102-market", "320102-tax")


def demo_halls(item_bodies: list[dict[str, Any]] | None = None) -> list[Hall]:
    bodies = [b for b in (item_bodies or new_item_bodies()) if b["region_code"] == "320102"]
    business = tuple(b["implementation_code"] for b in bodies if b["department_id"] in BUSINESS_DEPARTMENTS)
    general = tuple(b["implementation_code"] for b in bodies if b["department_id"] not in BUSINESS_DEPARTMENTS)
    departments = tuple(sorted({b["department_id"] for b in bodies}))
    halls = []
    for hall in SEED_HALLS:
        if hall.hall_id != "320102-center":
            halls.append(hall)
            continue
        windows = tuple(
            Window.model_validate({**w.model_dump(), "item_codes": business if w.group == "business" else general})
            for w in hall.windows
        )
        halls.append(hall.model_copy(update={"windows": windows, "departments": departments}))
    halls.append(
        Hall(
            hall_id="320102-extended",
            name="玄武区政务服务中心（延时服务区）",
            level=HallLevel.county,
            region_code="320102",
            address="南京市玄武区北京东路 41 号 一楼东侧",
            latitude=32.0594,
            longitude=118.7971,
            opening=(OpeningPeriod(opens=dt.time(0), closes=dt.time(23, 59, 59)),),
            windows=(Window(window_id="E01", name="延时综合受理窗口", group="general", item_codes=general),),
            slot_capacity=4,
            departments=departments,
        )
    )
    return halls


def load(env: dict[str, str]) -> dict[str, int]:
    from shared.halls.repository import HallsRepository

    with seeding_environment(env):
        repository = HallsRepository()
        halls = demo_halls()
        for hall in halls:
            repository.save_hall(hall)
    return {"halls": len(halls)}
