"""The materials bucket (申请材料存储): presigned POST uploads and their check,
on the platform's upload mechanism (`shared.platform.uploads`, which ticket
attachments share): the POST policy pins the key, type, exact size and the slot,
file name and SHA-256 as metadata, and an upload only counts once `confirm` has
read the object back — its size and type are what the slot allows, its first
bytes fit the type (a renamed file is caught) and its SHA-256 is the declared one.

Keys: `cases/<case_id>/<material_id>`: the case id in the key means a
material id of one case cannot be confirmed into another.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from botocore.exceptions import ClientError

from shared.cases.config import materials_settings
from shared.cases.formats import MAGIC_BYTES_NEEDED
from shared.platform.aws import s3
from shared.platform.public import lazy_module

if TYPE_CHECKING:
    from shared.platform import uploads
    from shared.platform.uploads import UploadForm
else:
    # presigned uploads and reading a file back: only the material routes need them (D-317)
    uploads = lazy_module("shared.platform.uploads")

__all__ = ["MaterialStore", "StoredFile", "decision_key", "material_store", "object_key"]


def object_key(case_id: str, material_id: str) -> str:
    return f"cases/{case_id}/{material_id}"


class StoredFile:
    """What the bucket holds under a material's key, as read back."""

    # a plain class: a frozen dataclass compiles its generated methods at import (~0.6 ms, D-317)
    __slots__ = ("content_type", "declared_sha256", "file_name", "head", "sha256", "size_bytes", "slot_id")

    def __init__(
        self,
        *,
        size_bytes: int,
        content_type: str,
        slot_id: str,
        file_name: str,
        declared_sha256: str,
        sha256: str | None,  # None when the file was too large to read
        head: bytes,
    ) -> None:
        self.size_bytes = size_bytes
        self.content_type = content_type
        self.slot_id = slot_id
        self.file_name = file_name
        self.declared_sha256 = declared_sha256
        self.sha256 = sha256
        self.head = head


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
        return uploads.upload_form(
            self.bucket,
            object_key(case_id, material_id),
            content_type=content_type,
            size_bytes=size_bytes,
            metadata={"slot-id": slot_id, "file-name": file_name, "sha256": sha256},
            expires_in_s=expires_in_s,
        )

    def read_back(self, case_id: str, material_id: str, *, max_bytes: int) -> StoredFile | None:
        """The uploaded object (one GetObject); None when nothing was uploaded.
        Bodies larger than `max_bytes` are not read (their size already fails)."""
        stored = uploads.read_back(
            self.bucket, object_key(case_id, material_id), max_bytes=max_bytes, head_bytes=MAGIC_BYTES_NEEDED
        )
        if stored is None:
            return None
        return StoredFile(
            size_bytes=stored.size_bytes,
            content_type=stored.content_type,
            slot_id=stored.metadata.get("slot-id", ""),
            file_name=stored.metadata.get("file-name", ""),
            declared_sha256=stored.metadata.get("sha256", ""),
            sha256=stored.sha256,
            head=stored.head,
        )

    def copy_in(self, source_key: str, case_id: str, material_id: str) -> bool:
        """Copy a file an earlier case holds to a new material of `case_id` (one CopyObject,
        metadata kept); False when the source is gone."""
        try:
            s3().copy_object(
                Bucket=self.bucket,
                Key=object_key(case_id, material_id),
                CopySource={"Bucket": self.bucket, "Key": source_key},
                MetadataDirective="COPY",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return False
            raise
        return True

    def delete_material(self, case_id: str, material_id: str) -> None:
        s3().delete_object(Bucket=self.bucket, Key=object_key(case_id, material_id))

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
