"""The catalogue's settings (shared.platform.config explains the reading rules)."""

from pydantic import Field, field_validator

from shared.platform.config import EnvironmentSettings, reader


class CatalogSettings(EnvironmentSettings):
    catalog_table: str


class OpenDataSettings(EnvironmentSettings):
    """Where open_data_publisher writes the public 不见面 / 见一次面 snapshots."""

    open_data_bucket: str


class CatalogCodingSettings(EnvironmentSettings):
    """The service item code layout (GB/T 39554 series; *unconfirmed* in the brief, so
    configuration): the basic code's part widths `source,type,main,sub` (2,2,5,3: 12
    digits) and the implementation code's optional business-suffix digits (2; 0: none).
    Source and type stay 2 digits: sources are `00` or a province prefix, types are the
    two-digit 事项类型 codes. Read at import by shared.catalog.codes (a cold start)."""

    catalog_code_layout: str = "2,2,5,3"
    catalog_business_suffix_digits: int = Field(default=2, ge=0, le=4)

    @field_validator("catalog_code_layout")
    @classmethod
    def _four_widths(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 4 or not all(p.isdigit() for p in parts):
            raise ValueError("CATALOG_CODE_LAYOUT is four widths: source,type,main,sub (e.g. 2,2,5,3)")
        source, item_type, main, sub = (int(p) for p in parts)
        if (source, item_type) != (2, 2) or not (1 <= main <= 8 and 1 <= sub <= 6):
            raise ValueError("CATALOG_CODE_LAYOUT keeps source and type at 2 digits; main 1-8, sub 1-6")
        return ",".join(parts)

    @property
    def widths(self) -> tuple[int, int, int, int]:
        source, item_type, main, sub = (int(p) for p in self.catalog_code_layout.split(","))
        return source, item_type, main, sub


catalog_settings = reader(CatalogSettings)
catalog_coding_settings = reader(CatalogCodingSettings)
open_data_settings = reader(OpenDataSettings)
