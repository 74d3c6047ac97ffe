"""The offline verifier (`python -m shared.licences.verify`): cached trust list
and status list, says how old its data is, never "valid" without fresh status."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.licences import verify as offline
from shared.licences.payload import Reason, Result
from shared.platform.clock import frozen_at, now
from tests.support.api import call
from tests.support.apigw import FakeContext
from tests.support.handlers import load_function
from tests.unit.licences_fixtures import (
    CITIZEN,
    ISSUER_STAFF,
    LicenceCloud,
    fetch_offline_lists,
    issue,
    licence_due,
    licence_ids_of_case,
    licences_cloud,
    outbox,
    sqs_event,
)


@pytest.fixture(scope="module")
def cloud() -> Iterator[LicenceCloud]:
    with licences_cloud() as made:
        yield made


def _issued() -> tuple[str, str]:
    due = licence_due()
    assert issue(due) == {"batchItemFailures": []}
    [licence_id] = licence_ids_of_case(due["data"]["case_id"])
    return licence_id, call("GET", f"/v1/me/licences/{licence_id}", CITIZEN).body["qr"]


def test_offline_check_follows_the_cached_status_and_says_how_old_it_is(cloud: LicenceCloud, tmp_path: Path) -> None:
    licence_id, qr = _issued()
    fetch_offline_lists(tmp_path)
    fresh = offline.check(qr, tmp_path, max_age_s=3600)
    assert (fresh.result, fresh.reason) == (Result.VALID, Reason.OK)
    assert fresh.status_list_age_s is not None
    assert fresh.status_list_age_s < 60
    assert fresh.licence
    assert fresh.licence["holder_code"] == "320102********0213"

    # revoked online; the old cache still says valid until it is refreshed
    assert call("POST", f"/v1/licences/{licence_id}/revoke", ISSUER_STAFF, body={"reason": "撤销测试"}).status == 200
    assert offline.check(qr, tmp_path, max_age_s=3600).result is Result.VALID
    fetch_offline_lists(tmp_path)
    assert offline.check(qr, tmp_path, max_age_s=3600).result is Result.REVOKED

    # stale status data is never "valid"
    with frozen_at(now() + dt.timedelta(days=2)):
        stale = offline.check(qr, tmp_path, max_age_s=3600)
    assert (stale.result, stale.reason) == (Result.UNKNOWN, Reason.STATUS_STALE)
    assert stale.status_list_age_s is not None
    assert stale.status_list_age_s > 86_000


def test_offline_check_without_data_or_with_bad_input(cloud: LicenceCloud, tmp_path: Path) -> None:
    _, qr = _issued()
    assert offline.check(qr, tmp_path / "empty", max_age_s=3600).reason is Reason.UNTRUSTED_KEY
    fetch_offline_lists(tmp_path)
    (tmp_path / "status-list-1.json").unlink()
    assert offline.check(qr, tmp_path, max_age_s=3600).reason is Reason.STATUS_UNAVAILABLE
    assert offline.check("JSZWL1:garbage", tmp_path, max_age_s=3600).reason is Reason.MALFORMED
    (tmp_path / "trust-list.json").write_text("{not json")
    assert offline.check(qr, tmp_path, max_age_s=3600).result is Result.UNKNOWN


def test_an_issuer_missing_from_the_trust_list_is_not_trusted(cloud: LicenceCloud, tmp_path: Path) -> None:
    _, qr = _issued()
    fetch_offline_lists(tmp_path)
    wrapper = json.loads((tmp_path / "trust-list.json").read_text())
    wrapper["document"]["issuers"] = []
    (tmp_path / "trust-list.json").write_text(json.dumps(wrapper))
    assert offline.check(qr, tmp_path, max_age_s=3600).reason is Reason.UNTRUSTED_KEY


def test_the_cli_prints_the_verdict_and_the_age(
    cloud: LicenceCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, qr = _issued()
    fetch_offline_lists(tmp_path)
    assert offline.main(["check", qr, "--cache", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "result: valid (ok)" in out
    assert "status list age:" in out
    assert offline.main(["check", "nonsense", "--cache", str(tmp_path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["reason"] == "malformed"


def test_the_publisher_writes_the_trust_and_status_lists_to_the_bucket(cloud: LicenceCloud) -> None:
    import boto3

    _issued()
    issued = outbox("licence.issued")[-1]
    assert load_function("licence_publisher").handler(sqs_event([issued, issued]), FakeContext()) == {
        "batchItemFailures": []
    }
    s3 = boto3.client("s3")
    trust = json.loads(s3.get_object(Bucket="licences-test", Key="public/trust-list.json")["Body"].read())
    assert trust["keys"]
    assert trust["issuers"]
    status = json.loads(s3.get_object(Bucket="licences-test", Key="public/status-lists/1.json")["Body"].read())
    assert status["encoded_list"].startswith("u")
    assert status["status_size"] == 2


def test_the_publisher_writes_a_list_only_when_what_it_says_changed(cloud: LicenceCloud) -> None:
    import boto3

    from shared.platform.aws import count_calls

    publisher = load_function("licence_publisher")
    _issued()
    publisher.handler(sqs_event([outbox("licence.issued")[-1]]), FakeContext())  # both lists as they are now
    s3 = boto3.client("s3")
    status_before = s3.get_object(Bucket="licences-test", Key="public/status-lists/1.json")["Body"].read()

    # another licence of the same issuer: its status entry is already 0 (active), its issuer listed
    licence_id, _ = _issued()
    with count_calls() as counted:
        publisher.handler(sqs_event([outbox("licence.issued")[-1]]), FakeContext())
    assert counted["s3.PutObject"] == 0, counted
    assert counted["s3.HeadObject"] == 2, counted

    # revoked: the status list changes and is written; the trust list says the same and is not
    assert call("POST", f"/v1/licences/{licence_id}/revoke", ISSUER_STAFF, body={"reason": "撤销测试"}).status == 200
    with count_calls() as counted:
        publisher.handler(sqs_event([outbox("licence.revoked")[-1]]), FakeContext())
    assert counted["s3.PutObject"] == 1, counted
    status_after = s3.get_object(Bucket="licences-test", Key="public/status-lists/1.json")["Body"].read()
    assert json.loads(status_after)["encoded_list"] != json.loads(status_before)["encoded_list"]


# --- sealed certificate PDFs (PAdES, D-227) ----------------------------------------------------


def _certificate_pdf(licence_id: str) -> bytes:
    import boto3

    from tests.unit.licences_fixtures import LICENCES_BUCKET

    stored = boto3.client("s3").get_object(Bucket=LICENCES_BUCKET, Key=f"certificates/{licence_id}.pdf")
    return bytes(stored["Body"].read())


def test_the_certificate_pdf_is_sealed_for_its_issuer_and_pyhankos_validator_accepts_it(
    cloud: LicenceCloud, tmp_path: Path
) -> None:
    import base64
    import io

    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from tests.unit.licences_fixtures import issuer_uscc

    licence_id, _ = _issued()
    body = _certificate_pdf(licence_id)
    # the trust anchor is the department certificate the public trust list publishes
    trust = call("GET", "/v1/licences/trust-list").body
    [issuer] = [i for i in trust["issuers"] if i["issuer_code"] == issuer_uscc()]
    anchor = x509.Certificate.load(base64.b64decode(issuer["seal_certificate"]))
    assert anchor.subject.native["common_name"] == "南京市江宁区市场监督管理局"
    context = ValidationContext(trust_roots=[anchor], allow_fetching=False)
    [signature] = PdfFileReader(io.BytesIO(body)).embedded_signatures
    status = validate_pdf_signature(signature, context)
    assert status.bottom_line, status.pretty_print_details()
    assert signature.signer_cert.subject.native["common_name"] == "南京市江宁区市场监督管理局"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES

    # the sealed file as issued renders its Chinese from the embedded font (D-225)
    from tests.support import poppler

    poppler.ensure_poppler()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(body)
    assert all(f["emb"] == "yes" for f in poppler.fonts(path))
    assert "发证机关：南京市江宁区市场监督管理局" in poppler.text(path)

    changed = bytearray(body)
    changed[len(body) // 3] ^= 0x01  # one byte of the signed certificate
    [broken] = PdfFileReader(io.BytesIO(bytes(changed)), strict=False).embedded_signatures
    assert not validate_pdf_signature(broken, context).bottom_line


def test_verify_pdf_checks_the_seal_against_the_trust_list_and_the_status(cloud: LicenceCloud, tmp_path: Path) -> None:
    licence_id, _ = _issued()
    body = _certificate_pdf(licence_id)
    assert offline.check_pdf(body, tmp_path, max_age_s=3600).reason == Reason.UNTRUSTED_KEY  # nothing cached yet
    fetch_offline_lists(tmp_path)
    good = offline.check_pdf(body, tmp_path, max_age_s=3600)
    assert (good.result, good.reason) == (Result.VALID, "ok")
    assert good.seal["signer"] == "南京市江宁区市场监督管理局"
    assert good.licence is not None
    assert good.licence.licence is not None
    assert good.licence.licence["holder_code"] == "320102********0213"

    changed = bytearray(body)
    changed[len(body) // 3] ^= 0x01
    assert offline.check_pdf(bytes(changed), tmp_path, max_age_s=3600).reason == "modified"
    appended = offline.check_pdf(body + b"\n% added later\n", tmp_path, max_age_s=3600)
    assert (appended.result, appended.reason) == (Result.UNKNOWN, "not_whole_file")

    path = tmp_path / "licence.pdf"
    path.write_bytes(body)
    assert offline.main(["pdf", str(path), "--cache", str(tmp_path)]) == 0
    assert call("POST", f"/v1/licences/{licence_id}/revoke", ISSUER_STAFF, body={"reason": "撤销测试"}).status == 200
    fetch_offline_lists(tmp_path)
    revoked = offline.check_pdf(body, tmp_path, max_age_s=3600)
    assert (revoked.result, revoked.reason) == (Result.REVOKED, "revoked")  # the seal holds; the licence does not
    assert offline.main(["pdf", str(path), "--cache", str(tmp_path)]) == 1


def test_the_cli_runs_on_a_verifier_machine_without_the_platforms_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from shared.platform.config import reset_settings

    monkeypatch.delenv("LICENCES_TABLE", raising=False)
    reset_settings()
    assert offline.main(["check", "nonsense", "--cache", str(tmp_path)]) == 1
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.7\nnot really\n")
    assert offline.main(["pdf", str(tmp_path / "x.pdf"), "--cache", str(tmp_path)]) == 1
    assert "result: unknown" in capsys.readouterr().out
    reset_settings()
