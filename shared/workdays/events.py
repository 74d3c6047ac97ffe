"""What the holiday calendar publishes (source `jszw.catalog`: the calendar lives
in the catalogue's table): `catalog.calendar_year_loaded` when a year's
arrangement is stored as a new version."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.platform.events import register_event_type

SOURCE = "catalog"
YEAR_LOADED = "catalog.calendar_year_loaded"


class YearLoadedData(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    year: int
    version: int
    holidays: int
    adjusted_workdays: int


register_event_type(
    YEAR_LOADED, YearLoadedData, "A year's holiday arrangement was loaded as a new version (法定节假日安排)."
)
