"""The Licences bucket: PDF certificates (private, handed out by short-lived
links) and the published trust list and status lists (`public/…`, served
by the public endpoints and copied to offline verifiers)."""

from __future__ import annotations

import json
from typing import Any

from shared.licences.config import licence_documents_settings
from shared.platform.aws import s3

TRUST_LIST_KEY = "public/trust-list.json"


def certificate_key(licence_id: str) -> str:
    return f"certificates/{licence_id}.pdf"


def status_list_object_key(list_id: str) -> str:
    return f"public/status-lists/{list_id}.json"


class LicenceStore:
    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket or licence_documents_settings().licences_bucket
        if not self.bucket:
            raise RuntimeError("LICENCES_BUCKET is not set")

    def put_certificate(self, licence_id: str, body: bytes, sha256: str) -> str:
        key = certificate_key(licence_id)
        s3().put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType="application/pdf",
            Metadata={"sha256": sha256},
        )
        return key

    def delete(self, key: str) -> None:
        s3().delete_object(Bucket=self.bucket, Key=key)

    def download_url(self, key: str, file_name: str, ttl_s: int) -> str:
        return str(
            s3().generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{file_name}"',
                    "ResponseContentType": "application/pdf",
                },
                ExpiresIn=ttl_s,
            )
        )

    def put_json(self, key: str, document: dict[str, Any]) -> None:
        s3().put_object(
            Bucket=self.bucket,
            Key=key,
            Body=json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(),
            ContentType="application/json",
            CacheControl="max-age=300",
        )

    def get_json(self, key: str) -> dict[str, Any] | None:
        try:
            body = s3().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except s3().exceptions.NoSuchKey:
            return None
        value = json.loads(body)
        return value if isinstance(value, dict) else None
