"""Files uploaded straight to S3 by presigned POST (the API never carries file bytes),
and their read-back check — shared by case materials and 12345 ticket attachments.

The POST policy pins the object key, the content type, the exact size and the
metadata given (file name, SHA-256, …); S3 refuses an upload that breaks it. An
upload only counts once the owner has read it back (`read_back`): it exists, and its
size, type, first bytes and SHA-256 are what was declared. The local cloud's S3 does
not enforce POST policies, so that read-back is what makes the checks hold everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from shared.platform.aws import s3

_READ_CHUNK = 1024 * 1024
MAGIC_BYTES = 16


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StoredObject:
    """What the bucket holds under a key, as read back."""

    size_bytes: int
    content_type: str
    metadata: dict[str, str]  # lower-case names, values unquoted
    sha256: str | None  # None when the object was too large to read
    head: bytes


def upload_form(
    bucket: str, key: str, *, content_type: str, size_bytes: int, metadata: dict[str, str], expires_in_s: int
) -> UploadForm:
    """A presigned POST for exactly this file (no AWS call: signed locally). Metadata values
    are URL-quoted (S3 metadata is ASCII)."""
    fields = {"Content-Type": content_type} | {f"x-amz-meta-{k}": quote(v, safe="") for k, v in metadata.items()}
    conditions: list[Any] = [{name: value} for name, value in fields.items()]
    conditions.append(["content-length-range", size_bytes, size_bytes])
    posted = s3().generate_presigned_post(bucket, key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in_s)
    return UploadForm(url=str(posted["url"]), fields={k: str(v) for k, v in posted["fields"].items()})


def read_back(bucket: str, key: str, *, max_bytes: int, head_bytes: int = MAGIC_BYTES) -> StoredObject | None:
    """The uploaded object (one GetObject); None when nothing was uploaded. Bodies larger
    than `max_bytes` are not read (their size already fails)."""
    try:
        response = s3().get_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
            return None
        raise
    size = int(response.get("ContentLength", 0))
    metadata = {k.lower(): unquote(v) for k, v in (response.get("Metadata") or {}).items()}
    body = response["Body"]
    digest: str | None = None
    head = b""
    try:
        if size <= max_bytes:
            hasher = hashlib.sha256()
            for chunk in iter(lambda: body.read(_READ_CHUNK), b""):
                if len(head) < head_bytes:
                    head += chunk[: head_bytes - len(head)]
                hasher.update(chunk)
            digest = hasher.hexdigest()
    finally:
        body.close()
    return StoredObject(
        size_bytes=size,
        content_type=str(response.get("ContentType") or ""),
        metadata=metadata,
        sha256=digest,
        head=head,
    )
