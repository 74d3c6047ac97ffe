"""Offline verifier for e-licence QR payloads (离线核验).

    python -m shared.licences.verify fetch [--api URL] [--cache DIR]
    python -m shared.licences.verify check QR [--cache DIR] [--max-age SECONDS] [--json]
    python -m shared.licences.verify pdf FILE [--cache DIR] [--max-age SECONDS] [--json]

`fetch` (online, once in a while) downloads the trust list and the status
lists into the cache directory (default `~/.cache/jszw-licence-verifier`)
with the time they were fetched. `check` needs no network: it verifies the
payload's signature with a key the trust list lists for the payload's
issuer, reads the licence's entry from the
cached status list (the whole list is downloaded, so nobody learns which
licence was checked), applies the validity dates and says how old its data
is. A licence past its end whose renewal (延续) is pending in the cached
renewal list is `valid` with reason `renewal_pending` (deemed renewed, Art.
50(2)) until the status list says otherwise. Status data older than `--max-age` (default `LICENCE_OFFLINE_MAX_AGE_S`,
one day) or missing gives `unknown` — never `valid`. `QR` may be `-` to read
the payload from standard input. `pdf` checks a sealed PDF (a licence
certificate or a decision document; D-227): its PAdES seal must be intact,
cover the whole file and be made with a key the cached trust list publishes
for the issuer the seal names; a certificate's QR payload (in the sealed
document information) is then checked as `check` does. Exit status: 0 valid,
1 any other result, 2 usage or cache errors.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import json
import os
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.licences.config import LicencesSettings
from shared.licences.payload import PREFIX, MalformedPayload, Reason, Result, check_signature, decode, verdict
from shared.licences.signing import ES256, SM2_SM3, VerificationKey
from shared.licences.status_list import Entry, InvalidStatusList, RenewalBits, StatusBits
from shared.platform.clock import SHANGHAI, now

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jszw-licence-verifier"
_TIMEOUT_S = 10


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:  # noqa: S310 (operator-given https/http URL)
        value = json.loads(response.read())
    if not isinstance(value, dict):
        raise ValueError(f"{url} did not return a JSON object")
    return value


def fetch(api: str, cache: Path) -> list[str]:
    """Download the trust list and every status list it names into `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    fetched_at = now().isoformat()
    trust = _get(f"{api.rstrip('/')}/v1/licences/trust-list")
    (cache / "trust-list.json").write_text(
        json.dumps({"fetched_at": fetched_at, "document": trust}, ensure_ascii=False), encoding="utf-8"
    )
    written = ["trust-list.json"]
    for list_id in trust.get("status_lists", []):
        document = _get(f"{api.rstrip('/')}/v1/licences/status-lists/{list_id}")
        name = f"status-list-{list_id}.json"
        (cache / name).write_text(
            json.dumps({"fetched_at": fetched_at, "document": document}, ensure_ascii=False), encoding="utf-8"
        )
        written.append(name)
    return written


@dataclass(frozen=True)
class OfflineVerdict:
    result: Result
    reason: Reason
    signature_checked: bool
    licence: dict[str, Any] | None
    trust_list_age_s: int | None
    status_list_age_s: int | None
    status_list_updated_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "result": self.result.value,
            "reason": self.reason.value,
            "signature_checked": self.signature_checked,
            "licence": self.licence,
            "trust_list_age_s": self.trust_list_age_s,
            "status_list_age_s": self.status_list_age_s,
            "status_list_updated_at": self.status_list_updated_at,
        }


def _cached(path: Path) -> tuple[dict[str, Any], int] | None:
    try:
        wrapper = json.loads(path.read_text(encoding="utf-8"))
        fetched = dt.datetime.fromisoformat(wrapper["fetched_at"])
        document = wrapper["document"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(document, dict):
        return None
    return document, max(int((now() - fetched).total_seconds()), 0)


def _keys(trust: dict[str, Any]) -> tuple[dict[str, VerificationKey], dict[str, set[str]]]:
    keys: dict[str, VerificationKey] = {}
    for entry in trust.get("keys", []):
        try:
            algorithm, kid, text = entry["alg"], entry["kid"], entry["public_key"]
            raw = base64.b64decode(text, validate=True) if algorithm == ES256 else bytes.fromhex(text)
        except (KeyError, TypeError, ValueError, binascii.Error):
            continue
        if algorithm in (ES256, SM2_SM3):
            keys[kid] = VerificationKey(kid, algorithm, raw)
    issuers = {
        str(issuer.get("issuer_code")): {str(k) for k in issuer.get("kids", [])}
        for issuer in trust.get("issuers", [])
        if isinstance(issuer, dict)
    }
    return keys, issuers


def check(text: str, cache: Path, max_age_s: int) -> OfflineVerdict:
    """Verify a QR payload with the cached trust list and status list only."""
    trust_cached = _cached(cache / "trust-list.json")
    trust_age = trust_cached[1] if trust_cached else None
    try:
        signed = decode(text)
    except MalformedPayload:
        return OfflineVerdict(Result.UNKNOWN, Reason.MALFORMED, False, None, trust_age, None, None)
    if trust_cached is None:
        return OfflineVerdict(Result.UNKNOWN, Reason.UNTRUSTED_KEY, False, None, None, None, None)
    keys, issuers = _keys(trust_cached[0])
    checked = check_signature(signed, keys.get, lambda issuer, kid: kid in issuers.get(issuer, set()))
    if checked is not Reason.OK:
        return OfflineVerdict(Result.UNKNOWN, checked, True, None, trust_age, None, None)
    payload = signed.payload
    shown = {
        "identifier": payload.identifier,
        "type_name": payload.type_name,
        "number": payload.number,
        "issuer_name": payload.issuer_name,
        "holder_name": payload.holder_name,
        "holder_code": payload.holder_code,
        "valid_from": payload.valid_from.isoformat(),
        "valid_to": payload.valid_to.isoformat() if payload.valid_to else None,
    }
    status_cached = _cached(cache / f"status-list-{payload.status_list}.json")
    if status_cached is None:
        return OfflineVerdict(Result.UNKNOWN, Reason.STATUS_UNAVAILABLE, True, shown, trust_age, None, None)
    document, status_age = status_cached
    updated_at = str(document.get("updated_at") or "")
    if status_age > max_age_s:
        return OfflineVerdict(Result.UNKNOWN, Reason.STATUS_STALE, True, shown, trust_age, status_age, updated_at)
    entry: Entry | None
    try:
        bits = StatusBits.decode(str(document["encoded_list"]), int(document["size"]))
        entry = bits.get(payload.status_index)
        # a list published before the renewal list existed marks no renewal
        renewal = document.get("renewal_list")
        pending = bool(renewal) and RenewalBits.decode(str(renewal), bits.size).get(payload.status_index)
    except (InvalidStatusList, KeyError, TypeError, ValueError, IndexError):
        entry, pending = None, False
    today = now().astimezone(SHANGHAI).date()
    result, reason = verdict(payload.valid_from, payload.valid_to, entry, today, renewal_pending=pending)
    return OfflineVerdict(result, reason, True, shown, trust_age, status_age, updated_at)


@dataclass(frozen=True)
class PdfVerdict:
    """A sealed PDF's verdict: the seal, then (for a licence certificate) the licence's own."""

    result: Result
    reason: str  # a payload `Reason`, or unsigned / modified / not_whole_file / issuer_mismatch / unreadable
    seal: dict[str, Any]
    licence: OfflineVerdict | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "result": self.result.value,
            "reason": self.reason,
            "seal": self.seal,
            "licence": self.licence.as_dict() if self.licence else None,
        }


def check_pdf(body: bytes, cache: Path, max_age_s: int) -> PdfVerdict:
    """Verify a sealed PDF with the cached trust list (and status list) only."""
    from shared.platform import pades

    trust_cached = _cached(cache / "trust-list.json")
    keys, _ = _keys(trust_cached[0]) if trust_cached else ({}, {})

    def trusted(_issuer_code: str, spki: bytes) -> bool:
        # Any published platform key: the department's certificate is signed by it, so the platform
        # vouches for the name in it (decision-making departments need not be licence issuers). A
        # certificate's QR payload is then held to the issuer's own listing by `check`.
        return any(k.algorithm == ES256 and k.public_key == spki for k in keys.values())

    try:
        seal = pades.check(body, trusted)
    except pades.SealError:
        return PdfVerdict(Result.UNKNOWN, "unreadable", {}, None)
    shown = {
        "signer": seal.signer_name,
        "issuer_code": seal.issuer_code,
        "signed_at": seal.signed_at,
        "intact": seal.intact,
        "whole_file": seal.whole_file,
        "trusted": seal.trusted,
        "title": seal.info.get("Title", ""),
    }
    if not seal.signed:
        return PdfVerdict(Result.UNKNOWN, "unsigned", shown, None)
    if not seal.intact:
        return PdfVerdict(Result.UNKNOWN, "modified", shown, None)
    if not seal.whole_file:
        return PdfVerdict(Result.UNKNOWN, "not_whole_file", shown, None)
    if not seal.trusted:
        return PdfVerdict(Result.UNKNOWN, Reason.UNTRUSTED_KEY.value, shown, None)
    qr = seal.info.get("Keywords", "")
    if not qr.startswith(PREFIX):  # a decision document: the seal is the whole check
        return PdfVerdict(Result.VALID, Reason.OK.value, shown, None)
    licence = check(qr, cache, max_age_s)
    if licence.licence is not None and decode(qr).payload.issuer_code != seal.issuer_code:
        return PdfVerdict(Result.UNKNOWN, "issuer_mismatch", shown, licence)
    return PdfVerdict(licence.result, licence.reason.value, shown, licence)


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "没有缓存 / not cached"
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _local_api() -> str:
    """JSZW_API_URL or the running local cloud; never a guessed port (shared.platform.local_endpoints)."""
    from shared.platform.local_endpoints import NoLocalCloud, api_url

    try:
        return api_url()
    except NoLocalCloud as exc:
        raise ValueError(f"{exc}; or give --api URL") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.licences.verify", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fetch_cmd = sub.add_parser("fetch", help="download the trust list and status lists (online)")
    fetch_cmd.add_argument("--api", default=None, help="the platform's API (default: the running local cloud)")
    fetch_cmd.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    check_cmd = sub.add_parser("check", help="verify a QR payload offline")
    check_cmd.add_argument("qr", help="the QR text (JSZWL1:…), or - for standard input")
    check_cmd.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    check_cmd.add_argument("--max-age", type=int, default=None, help="seconds the status data may be old")
    check_cmd.add_argument("--json", action="store_true")
    pdf_cmd = sub.add_parser("pdf", help="verify a sealed PDF (licence certificate, decision document) offline")
    pdf_cmd.add_argument("file", type=Path)
    pdf_cmd.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    pdf_cmd.add_argument("--max-age", type=int, default=None, help="seconds the status data may be old")
    pdf_cmd.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "fetch":
        try:
            written = fetch(args.api or _local_api(), args.cache)
        except (OSError, ValueError) as exc:
            print(f"fetch failed: {exc}", file=sys.stderr)
            return 2
        print(f"cached in {args.cache}: {', '.join(written)}")
        return 0
    max_age = args.max_age if args.max_age is not None else _default_max_age()
    if args.command == "pdf":
        return _print_pdf(args.file, args.cache, max_age, as_json=args.json)
    text = sys.stdin.read().strip() if args.qr == "-" else args.qr
    result = check(text, args.cache, max_age)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"result: {result.result.value} ({result.reason.value})")
        if result.reason is Reason.RENEWAL_PENDING:
            print("past its end, renewal applied for in time and undecided: deemed renewed until the decision (第50条)")
        if result.licence:
            lic = result.licence
            print(f"licence: {lic['type_name']} {lic['number']} — {lic['holder_name']} {lic['holder_code']}")
            print(f"issuer: {lic['issuer_name']}; valid {lic['valid_from']} to {lic['valid_to'] or '长期'}")
            print(f"identifier: {lic['identifier']}")
        print(f"trust list age: {_age(result.trust_list_age_s)}")
        print(f"status list age: {_age(result.status_list_age_s)} (updated at {result.status_list_updated_at or '-'})")
    return 0 if result.result is Result.VALID else 1


def _default_max_age() -> int:
    """LICENCE_OFFLINE_MAX_AGE_S or the setting's default: a verifier's machine has no LICENCES_TABLE,
    so the context's settings (which require it) are not read here."""
    default = int(LicencesSettings.model_fields["licence_offline_max_age_s"].default)
    return int(os.environ.get("LICENCE_OFFLINE_MAX_AGE_S") or default)


def _print_pdf(path: Path, cache: Path, max_age: int, *, as_json: bool) -> int:
    try:
        body = path.read_bytes()
    except OSError as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    verdict = check_pdf(body, cache, max_age)
    if as_json:
        print(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
        return 0 if verdict.result is Result.VALID else 1
    seal = verdict.seal
    print(f"result: {verdict.result.value} ({verdict.reason})")
    if seal:
        print(f"document: {seal['title']}")
        print(f"sealed by: {seal['signer']} ({seal['issuer_code']}) at {seal['signed_at'] or '-'}")
        print(f"seal: intact {seal['intact']}, whole file {seal['whole_file']}, key trusted {seal['trusted']}")
    if verdict.licence and verdict.licence.licence:
        lic = verdict.licence.licence
        print(f"licence: {lic['type_name']} {lic['number']} — {lic['holder_name']} {lic['holder_code']}")
        print(f"status list age: {_age(verdict.licence.status_list_age_s)}")
    return 0 if verdict.result is Result.VALID else 1


if __name__ == "__main__":
    raise SystemExit(main())
