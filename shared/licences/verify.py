"""Offline verifier for e-licence QR payloads (离线核验).

    python -m shared.licences.verify fetch [--api URL] [--cache DIR]
    python -m shared.licences.verify check QR [--cache DIR] [--max-age SECONDS] [--json]

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
the payload from standard input. Exit status: 0 valid, 1 any other result,
2 usage or cache errors.
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

from shared.licences.config import licences_settings
from shared.licences.payload import MalformedPayload, Reason, Result, check_signature, decode, verdict
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
    args = parser.parse_args(argv)
    if args.command == "fetch":
        try:
            written = fetch(args.api or _local_api(), args.cache)
        except (OSError, ValueError) as exc:
            print(f"fetch failed: {exc}", file=sys.stderr)
            return 2
        print(f"cached in {args.cache}: {', '.join(written)}")
        return 0
    text = sys.stdin.read().strip() if args.qr == "-" else args.qr
    max_age = args.max_age if args.max_age is not None else licences_settings().licence_offline_max_age_s
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


if __name__ == "__main__":
    raise SystemExit(main())
