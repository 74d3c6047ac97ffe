"""Read the local SMS outbox: the codes and notices "sent" to a phone.

With the local cloud running (`make run`), in another terminal:

    python -m shared.notifications.sms_outbox 13800000001      # latest 3 for 138****0001
    python -m shared.notifications.sms_outbox 138****0001 -n 10
    python -m shared.notifications.sms_outbox --all             # latest messages to anyone

The outbox only ever holds masked numbers, so a full number is masked first.
The bucket is `$SMS_OUTBOX_BUCKET`, or found on the endpoint by its name
(the local cloud calls it `jszw-local-smsoutboxbucket`). The endpoint is
found as every local helper finds it (`shared.platform.local_endpoints`):
`--endpoint`/`--aws-port`/`--api-port`, then `AWS_ENDPOINT_URL`,
`LOCAL_AWS_PORT`, `JSZW_API_URL`/`LOCAL_API_PORT`, then the running
`make run`; never a guessed port. `--endpoint ""` reads a deployed test
stage's bucket with your AWS credentials.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import boto3

from shared.platform.local_endpoints import NoLocalCloud, api_url, aws_url, aws_url_of
from shared.platform.privacy import mask_phone
from shared.platform.sms import OUTBOX_PREFIX

BUCKET_NAME_HINT = "smsoutbox"


def _client(endpoint: str) -> Any:
    region = os.environ.get("AWS_REGION", "cn-north-1")
    if not endpoint:
        return boto3.client("s3", region_name=region)  # AWS itself, with the caller's credentials
    # The local cloud accepts any credentials; real ones are never needed there.
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )


def find_bucket(s3: Any) -> str | None:
    names = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    matches = sorted(n for n in names if BUCKET_NAME_HINT in n.replace("-", "").lower())
    return matches[0] if matches else None


def latest_messages(s3: Any, bucket: str, masked_phone: str | None, count: int) -> list[dict[str, Any]]:
    """The newest `count` messages (to one masked phone, or to anyone), newest first."""
    prefix = OUTBOX_PREFIX + (f"{masked_phone}/" if masked_phone else "")
    keys: list[tuple[str, str]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", []):
            key = str(entry["Key"])
            # object names are time-ordered ids, so the name orders messages by time
            keys.append((key.rsplit("/", 1)[-1], key))
    newest = sorted(keys, reverse=True)[:count]
    return [json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) for _, key in newest]


def _masked(phone: str) -> str:
    digits = phone.strip().replace(" ", "").replace("-", "")
    return digits if "*" in digits else mask_phone(digits)


def _endpoint(given: str | None, aws_port: int | None, api_port: int | None) -> str:
    if given is not None:
        return given  # "" is AWS itself
    if api_port and not aws_port:
        return aws_url_of(api_url(port=api_port))
    return aws_url(port=aws_port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the latest SMS the local cloud 'sent'.")
    parser.add_argument("phone", nargs="?", help="phone number, full or masked (138****5678)")
    parser.add_argument("--all", action="store_true", help="latest messages to any phone")
    parser.add_argument("-n", "--count", type=int, default=3, help="how many messages (default 3)")
    parser.add_argument(
        "--endpoint",
        default=None,
        help="AWS endpoint (default: the local cloud; an empty string means AWS itself, e.g. a test stage)",
    )
    parser.add_argument("--aws-port", type=int, default=None, help="the local cloud's AWS port (LOCAL_AWS_PORT)")
    parser.add_argument("--api-port", type=int, default=None, help="the local cloud's API port (LOCAL_API_PORT)")
    parser.add_argument("--bucket", default=os.environ.get("SMS_OUTBOX_BUCKET"))
    args = parser.parse_args(argv)
    if not args.phone and not args.all:
        parser.error("give a phone number or --all")
    try:
        endpoint = _endpoint(args.endpoint, args.aws_port, args.api_port)
    except NoLocalCloud as exc:
        print(exc, file=sys.stderr)
        return 1
    args.endpoint = endpoint
    s3 = _client(endpoint)
    bucket = args.bucket or find_bucket(s3)
    if not bucket:
        print(f"no SMS outbox bucket at {args.endpoint}: is the local cloud running (make run)?", file=sys.stderr)
        return 1
    masked = None if args.all else _masked(args.phone)
    messages = latest_messages(s3, bucket, masked, max(1, args.count))
    if not messages:
        print(f"no messages for {masked}" if masked else "the outbox is empty")
        return 0
    for message in messages:
        print(f"{message.get('sent_at')}  {message.get('to')}  {message.get('text')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
