"""The Licences bucket: PDF certificates (private, handed out by short-lived
links) and the published trust list and status lists (`public/…`, served
by the public endpoints and copied to offline verifiers)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from shared.licences.config import licence_documents_settings
from shared.platform.aws import s3

TRUST_LIST_KEY = "public/trust-list.json"
# object metadata: the digest of what a published list says (`put_json_if_changed`)
_DIGEST = "content-sha256"


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

    def put_json_if_changed(self, key: str, document: dict[str, Any], *, volatile: Iterable[str] = ()) -> bool:
        """Write `document` unless the stored object already says the same (its top-level `volatile`
        keys, such as a generation time, aside); True when written. A HEAD is billed as a GET, a
        twelfth of a PUT: most issuances change neither published list (D-325)."""
        skipped = set(volatile)
        digest = hashlib.sha256(
            json.dumps(
                {k: v for k, v in document.items() if k not in skipped}, sort_keys=True, ensure_ascii=False
            ).encode()
        ).hexdigest()
        try:
            stored = s3().head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        else:
            if (stored.get("Metadata") or {}).get(_DIGEST) == digest:
                return False
        s3().put_object(
            Bucket=self.bucket,
            Key=key,
            Body=json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(),
            ContentType="application/json",
            CacheControl="max-age=300",
            Metadata={_DIGEST: digest},
        )
        return True

    def get_json(self, key: str) -> dict[str, Any] | None:
        try:
            body = s3().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except s3().exceptions.NoSuchKey:
            return None
        value = json.loads(body)
        return value if isinstance(value, dict) else None
