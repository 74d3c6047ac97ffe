"""The materials bucket (申请材料存储): presigned POST uploads and their check.

Files go straight from the applicant's browser or app to S3 with a presigned
POST (the API never carries file bytes). The POST policy pins the object key,
the content type, the exact size and the slot, file name and SHA-256 as
metadata; S3 refuses an upload that breaks it. An upload only counts once
`confirm` has read the object back: it exists, its size and type are what the
slot allows, its first bytes fit the type (a renamed file is caught) and its
SHA-256 is the declared one. The local cloud's S3 does not enforce POST
policies, so that read-back is what makes the checks hold everywhere.

Keys: `cases/<case_id>/<material_id>`: the case id in the key means a
material id of one case cannot be confirmed into another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from shared.cases.config import materials_settings
from shared.cases.formats import MAGIC_BYTES_NEEDED
from shared.platform.aws import s3

_READ_CHUNK = 1024 * 1024


def object_key(case_id: str, material_id: str) -> str:
    return f"cases/{case_id}/{material_id}"


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StoredFile:
    """What the bucket holds under a material's key, as read back."""

    size_bytes: int
    content_type: str
    slot_id: str
    file_name: str
    declared_sha256: str
    sha256: str | None  # None when the file was too large to read
    head: bytes


class MaterialStore:
    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket or materials_settings().materials_bucket
        if not self.bucket:
            raise RuntimeError("MATERIALS_BUCKET is not set")

    def upload_form(
        self,
        *,
        case_id: str,
        material_id: str,
        slot_id: str,
        file_name: str,
        content_type: str,
        size_bytes: int,
        sha256: str,
        expires_in_s: int,
    ) -> UploadForm:
        """A presigned POST for exactly this file (no AWS call: signed locally)."""
        fields = {
            "Content-Type": content_type,
            "x-amz-meta-slot-id": slot_id,
            "x-amz-meta-file-name": quote(file_name, safe=""),
            "x-amz-meta-sha256": sha256,
        }
        conditions: list[Any] = [{name: value} for name, value in fields.items()]
        conditions.append(["content-length-range", size_bytes, size_bytes])
        posted = s3().generate_presigned_post(
            self.bucket,
            object_key(case_id, material_id),
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=expires_in_s,
        )
        return UploadForm(url=str(posted["url"]), fields={k: str(v) for k, v in posted["fields"].items()})

    def read_back(self, case_id: str, material_id: str, *, max_bytes: int) -> StoredFile | None:
        """The uploaded object (one GetObject); None when nothing was uploaded.
        Bodies larger than `max_bytes` are not read (their size already fails)."""
        try:
            response = s3().get_object(Bucket=self.bucket, Key=object_key(case_id, material_id))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise
        size = int(response.get("ContentLength", 0))
        metadata = {k.lower(): v for k, v in (response.get("Metadata") or {}).items()}
        body = response["Body"]
        digest: str | None = None
        head = b""
        try:
            if size <= max_bytes:
                hasher = hashlib.sha256()
                for chunk in iter(lambda: body.read(_READ_CHUNK), b""):
                    if len(head) < MAGIC_BYTES_NEEDED:
                        head += chunk[: MAGIC_BYTES_NEEDED - len(head)]
                    hasher.update(chunk)
                digest = hasher.hexdigest()
        finally:
            body.close()
        return StoredFile(
            size_bytes=size,
            content_type=str(response.get("ContentType") or ""),
            slot_id=metadata.get("slot-id", ""),
            file_name=unquote(metadata.get("file-name", "")),
            declared_sha256=metadata.get("sha256", ""),
            sha256=digest,
            head=head,
        )

    # --- decision documents (决定书) ------------------------------------------------

    def put_document(self, key: str, body: bytes, *, sha256: str) -> None:
        """Store a rendered document (one PutObject; the key is new per decision)."""
        s3().put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType="application/pdf",
            Metadata={"sha256": sha256},
        )

    def download_url(self, key: str, *, expires_in_s: int, file_name: str) -> str:
        """A presigned GET (no AWS call: signed locally)."""
        return str(
            s3().generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(file_name, safe='')}",
                },
                ExpiresIn=expires_in_s,
            )
        )


def decision_key(case_id: str, decision_id: str) -> str:
    return f"cases/{case_id}/decisions/{decision_id}.pdf"


@cache
def material_store() -> MaterialStore:
    return MaterialStore()
