"""AWS calls per e-licence operation (C11), counted exactly through botocore's
hooks against moto: issuance from `case.licence_due`, online verification
by QR payload and by identifier, a status change, the wallet and the offline
check. Run with `make bench PYTEST_ARGS=-k licences`; the table printed goes
into docs/performance.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.licences import verify as offline
from shared.platform import sealing
from shared.platform.aws import count_calls
from tests.support.api import call
from tests.unit.licences_fixtures import CITIZEN, ISSUER_STAFF, issue, licence_due, licence_ids_of_case, licences_cloud

pytestmark = pytest.mark.perf

ROWS: list[tuple[str, Counter[str]]] = []


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with licences_cloud():
        yield
    print("\n| operation | AWS calls | detail |\n|---|---:|---|")
    for name, counted in ROWS:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counted.items())) or "(none)"
        print(f"| {name} | {sum(counted.values())} | {detail} |")


def _counted(name: str, action: Callable[[], Any]) -> Counter[str]:
    with count_calls() as counted:
        action()
    ROWS.append((name, Counter(counted)))
    return counted


def test_calls_per_issuance_and_verification(cloud: None, tmp_path: Path) -> None:
    first = licence_due()
    # the holder's account was sealed at sign-up by the identity function, not by this container
    sealing.sealer.cache_clear()
    cold = _counted("issuance, cold container (first licence)", lambda: issue(first))
    warm_due = licence_due()
    warm = _counted("issuance, warm container", lambda: issue(warm_due))
    assert sum(warm.values()) <= 7, warm
    # QR payload and PDF seal (D-227); a cold container also signs the issuing department's certificate once
    # (D-330: the two signatures cover different bytes and cannot be one). Sealed values (D-330): a cold
    # container makes its `licences.holder` data key and unwraps the holder account's; warm, both are cached.
    kms = {name: n for name, n in cold.items() if name.startswith("kms.")}
    assert kms == {"kms.Sign": 3, "kms.GetPublicKey": 1, "kms.GenerateDataKey": 1, "kms.Decrypt": 1}, cold
    assert {name: n for name, n in warm.items() if name.startswith("kms.")} == {"kms.Sign": 2}, warm
    _counted("issuance, redelivered event (duplicate)", lambda: issue(warm_due))

    [licence_id] = licence_ids_of_case(warm_due["data"]["case_id"])
    detail = call("GET", f"/v1/me/licences/{licence_id}", CITIZEN).body
    qr, identifier = detail["qr"], detail["identifier"]
    _counted(
        "verify by QR payload, cold (trust keys loaded)", lambda: call("POST", "/v1/licences/verify", body={"qr": qr})
    )
    by_qr = _counted("verify by QR payload, warm", lambda: call("POST", "/v1/licences/verify", body={"qr": qr}))
    assert by_qr == Counter({"dynamodb.GetItem": 2}), by_qr
    _counted("verify by identifier", lambda: call("POST", "/v1/licences/verify", body={"identifier": identifier}))
    _counted("verify a tampered payload", lambda: call("POST", "/v1/licences/verify", body={"qr": qr[:-4] + "AAAA"}))
    _counted("my licences (wallet page)", lambda: call("GET", "/v1/me/licences", CITIZEN))
    _counted("download link", lambda: call("GET", f"/v1/me/licences/{licence_id}/download", CITIZEN))
    _counted(
        "revoke (issuing department)",
        lambda: call("POST", f"/v1/licences/{licence_id}/revoke", ISSUER_STAFF, body={"reason": "基准测试撤销"}),
    )
    _counted("status list (public)", lambda: call("GET", "/v1/licences/status-lists/1"))
    _counted("trust list (public)", lambda: call("GET", "/v1/licences/trust-list"))
    cache = tmp_path / "cache"
    cache.mkdir()
    trust = call("GET", "/v1/licences/trust-list").body
    status = call("GET", "/v1/licences/status-lists/1").body
    import json

    from shared.platform.clock import now

    (cache / "trust-list.json").write_text(json.dumps({"fetched_at": now().isoformat(), "document": trust}))
    (cache / "status-list-1.json").write_text(json.dumps({"fetched_at": now().isoformat(), "document": status}))
    offline_calls = _counted("offline check (cached lists)", lambda: offline.check(qr, cache, max_age_s=3600))
    assert sum(offline_calls.values()) == 0
    import boto3

    from tests.unit.licences_fixtures import LICENCES_BUCKET

    sealed = boto3.client("s3").get_object(Bucket=LICENCES_BUCKET, Key=f"certificates/{licence_id}.pdf")
    body = sealed["Body"].read()
    pdf_calls = _counted("offline check of a sealed PDF", lambda: offline.check_pdf(body, cache, max_age_s=3600))
    assert sum(pdf_calls.values()) == 0
