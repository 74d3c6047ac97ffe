"""Open data (C29): each division's 不见面 / 见一次面 lists as a public JSON
file, `open-data/lists/<region_code>.json` in the open-data bucket.

A snapshot is always rebuilt from the current catalogue, never patched from
an event, so events arriving late, twice or out of order still leave the
right file behind.
"""

from __future__ import annotations

from shared.catalog.config import open_data_settings
from shared.catalog.service import CatalogService
from shared.catalog.snapshots import RegionSnapshot
from shared.platform.aws import s3

SNAPSHOT_PREFIX = "open-data/lists/"


def snapshot_key(region_code: str) -> str:
    return f"{SNAPSHOT_PREFIX}{region_code}.json"


def write_region_snapshot(service: CatalogService, region_code: str) -> RegionSnapshot:
    """Rebuild and store one division's snapshot; returns what was written."""
    snapshot = service.region_snapshot(region_code)
    s3().put_object(
        Bucket=open_data_settings().open_data_bucket,
        Key=snapshot_key(region_code),
        Body=snapshot.model_dump_json(indent=2).encode("utf-8"),
        ContentType="application/json; charset=utf-8",
        CacheControl="public, max-age=300",
    )
    return snapshot
