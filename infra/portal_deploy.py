"""Publish `portal/` to the portal's bucket behind CloudFront (nested stack portal-stack.yaml, D-302).

    python -m infra.portal_deploy --stack jszw-prod     # `make deploy-portal STACK=jszw-prod`

Uploads the portal's files as they are in the repository (the types the local
gateway serves, with the same content types), writes `config.js` naming the
stack's ApiUrl (locally the API is the same origin), and asks CloudFront to
drop its cached copies. The files are few and small, so every run uploads all
of them; nothing else is in the bucket, and files no longer in `portal/` are
deleted (the bucket keeps 30 days of old versions).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from infra.local.gateway import PORTAL_ROOT, PORTAL_TYPES

CONFIG = "config.js"
# index.html, config.js and the modules change with every release and name no version: browsers revalidate
# (a 304 from CloudFront is cheap); the vendored libraries carry their version in their folder's README only.
CACHE_CONTROL = "no-cache"


def portal_files(root: Path = PORTAL_ROOT) -> dict[str, Path]:
    """Key → file for everything the portal serves (licences and READMEs stay in the repository)."""
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix in PORTAL_TYPES
    }


def config_script(api_url: str) -> bytes:
    return (f"globalThis.JSZW_PORTAL = {json.dumps({'apiBase': api_url.rstrip('/')})};\n").encode()


def publish(s3: Any, bucket: str, api_url: str, root: Path = PORTAL_ROOT) -> list[str]:
    """Upload the portal with the cloud's config.js; delete keys no longer in the folder. The keys written."""
    written = []
    for key, path in portal_files(root).items():
        body = config_script(api_url) if key == CONFIG else path.read_bytes()
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=PORTAL_TYPES[path.suffix], CacheControl=CACHE_CONTROL
        )
        written.append(key)
    stale = [
        {"Key": item["Key"]}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
        if item["Key"] not in written
    ]
    if stale:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": stale})
    return written


def _outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def main() -> None:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="the deployed stack's name")
    args = parser.parse_args()
    outputs = _outputs(boto3.client("cloudformation"), args.stack)
    written = publish(boto3.client("s3"), outputs["PortalBucketName"], outputs["ApiUrl"])
    boto3.client("cloudfront").create_invalidation(
        DistributionId=outputs["PortalDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time_ns())},
    )
    print(f"{len(written)} files published; the portal is at {outputs['PortalUrl']}")


if __name__ == "__main__":
    main()
