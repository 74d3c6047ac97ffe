"""The portal's pages (D-280): hot searches, a division's sub-hall (网上分厅) and a department's
store (旗舰店). Apart from `shared.catalog.models` so that only those three routes create these
shapes: the catalogue's service and routes load this module on first use (D-316).
"""

from pydantic import Field

from shared.catalog.models import Department, ItemSummary, Region, SceneHit, _Shape


class HotSearch(_Shape):
    query: str
    count: int = Field(description="Searches today and yesterday (Asia/Shanghai) that found something.")


class HotSearches(_Shape):
    items: list[HotSearch]


class SubHall(_Shape):
    """网上分厅: a city's or county's catalogue view — its departments, its scenes (and those
    of the divisions below), a first page of its items (and those below)."""

    region: Region
    departments: list[Department]
    scenes: list[SceneHit]
    items: list[ItemSummary]
    items_next_cursor: str | None = Field(default=None, description="Continue with `/v1/items?region=...&cursor=`.")


class DepartmentStore(_Shape):
    """旗舰店: a department's catalogue view — its items and the scenes that include them."""

    department: Department
    scenes: list[SceneHit]
    items: list[ItemSummary]
    items_next_cursor: str | None = Field(default=None, description="Continue with `/v1/items?department=...`.")
