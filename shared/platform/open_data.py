"""The open-data bucket (C19): public files written whole, read back by key, listed, and the DCAT
shapes their catalogues share. One place for the S3 calls the reports (D-230) and the trading
results (D-311) both make; each context keeps its own keys, files and catalogue layout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.platform.aws import s3

DCAT_CONTEXT = {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"}
CACHE_CONTROL = "public, max-age=3600"


def distribution(download_url: str, content_type: str) -> dict[str, Any]:
    """One DCAT distribution: where a file is served and its media type (parameters dropped)."""
    return {
        "@type": "dcat:Distribution",
        "dcat:downloadURL": download_url,
        "dcat:mediaType": content_type.split(";")[0],
    }


@dataclass(frozen=True)
class OpenDataBucket:
    """The bucket as a context sees it; `bucket` is read at call time (settings load on first use)."""

    bucket: Callable[[], str]
    cache_control: str = CACHE_CONTROL

    def put(self, key: str, body: bytes, content_type: str) -> None:
        s3().put_object(
            Bucket=self.bucket(), Key=key, Body=body, ContentType=content_type, CacheControl=self.cache_control
        )

    def get(self, key: str) -> bytes | None:
        try:
            found = s3().get_object(Bucket=self.bucket(), Key=key)
        except s3().exceptions.NoSuchKey:
            return None
        return bytes(found["Body"].read())

    def list(self, prefix: str, delimiter: str | None = None) -> tuple[list[str], list[str]]:
        """Keys and common prefixes under `prefix` (every page)."""
        keys: list[str] = []
        prefixes: list[str] = []
        arguments: dict[str, Any] = {"Bucket": self.bucket(), "Prefix": prefix}
        if delimiter:
            arguments["Delimiter"] = delimiter
        for page in s3().get_paginator("list_objects_v2").paginate(**arguments):
            keys += [str(found["Key"]) for found in page.get("Contents", [])]
            prefixes += [str(found["Prefix"]) for found in page.get("CommonPrefixes", [])]
        return keys, prefixes
