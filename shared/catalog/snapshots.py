"""The open-data file's shapes (C29): each division's 不见面 / 见一次面 lists as `shared.catalog.open_data`
writes them. Apart from `shared.catalog.models` because only the open-data publisher builds them: the
catalogue's service and repository load this module on first use, so catalog_api never creates them (D-316).
"""

from datetime import datetime

from shared.catalog.models import Fee, ItemSummary, Region, _Shape


class OpenDataItem(ItemSummary):
    fees: list[Fee]


class RegionSnapshotLists(_Shape):
    no_visit: list[OpenDataItem]
    visit_once: list[OpenDataItem]


class RegionSnapshot(_Shape):
    """The open-data file `open-data/lists/<region_code>.json`."""

    region: Region
    generated_at: datetime
    item_count: int
    lists: RegionSnapshotLists
