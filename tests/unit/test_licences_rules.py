"""Pure rules: GB/T 36904 identifiers (MOD 37,36), the bitstring status list,
the QR codec and the SM2/SM3 signer (interoperable with OpenSSL)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.licences.identifiers import (
    InvalidIdentifier,
    LicenceIdentifier,
    check_character,
    format_serial,
    is_valid_check,
    parse_identifier,
)
from shared.licences.signing import SM2_DEFAULT_ID, SignatureError, Sm2Key, VerificationKey, sm2_private_from_secret
from shared.licences.status_list import Entry, InvalidStatusList, StatusBits

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TYPE_CODE = "11100000000010014P001"
ISSUER = "11320115012345600X"


def _issuer() -> str:
    from shared.catalog.codes import make_government_uscc

    return make_government_uscc("320115", "01234560")


# --- identifiers ---------------------------------------------------------------------------


def test_the_check_follows_iso_7064_mod_37_36() -> None:
    # ISO/IEC 7064's hybrid example for MOD 37,36 (alphanumeric): "A12425GABC1234002" → "M"
    assert check_character("A12425GABC1234002") == "M"
    assert is_valid_check("A12425GABC1234002M")
    assert not is_valid_check("A12425GABC1234002N")


def test_an_identifier_has_the_gbt_36904_layout() -> None:
    identifier = LicenceIdentifier(TYPE_CODE, _issuer(), format_serial(42), 1)
    text = str(identifier)
    root, rest = text[:15], text[15:]
    assert root == "1.2.156.3005.2."
    type_code, issuer, serial, version, check = rest.split(".")
    assert (type_code, issuer, serial, version) == (TYPE_CODE, _issuer(), "00000042", "001")
    assert is_valid_check(type_code + issuer + serial + version + check)
    assert parse_identifier(text) == identifier
    assert str(identifier.next_version()).split(".")[-2] == "002"


@given(st.text(alphabet=ALPHANUMERIC, min_size=1, max_size=60))
def test_any_body_with_its_check_is_valid(body: str) -> None:
    assert is_valid_check(body + check_character(body))


@given(st.text(alphabet=ALPHANUMERIC, min_size=2, max_size=60), st.data())
def test_every_single_substitution_is_detected(body: str, data: st.DataObject) -> None:
    full = body + check_character(body)
    position = data.draw(st.integers(min_value=0, max_value=len(full) - 1))
    replacement = data.draw(st.sampled_from([c for c in ALPHANUMERIC if c != full[position]]))
    assert not is_valid_check(full[:position] + replacement + full[position + 1 :])


def test_nearly_every_adjacent_transposition_is_detected() -> None:
    # a hybrid MOD 37,36 system misses a few transpositions (about 0.2 %), never a substitution
    import random

    sample = random.Random(7)
    swapped_total = missed = 0
    for _ in range(5000):
        body = "".join(sample.choice(ALPHANUMERIC) for _ in range(sample.randint(2, 50)))
        full = body + check_character(body)
        position = sample.randrange(len(full) - 1)
        if full[position] == full[position + 1]:
            continue
        swapped_total += 1
        missed += is_valid_check(full[:position] + full[position + 1] + full[position] + full[position + 2 :])
    assert missed / swapped_total < 0.01


@given(st.integers(min_value=1, max_value=99_999_999), st.integers(min_value=1, max_value=999))
def test_identifiers_round_trip(serial: int, version: int) -> None:
    identifier = LicenceIdentifier(TYPE_CODE, _issuer(), format_serial(serial), version)
    assert parse_identifier(str(identifier)) == identifier


@pytest.mark.parametrize(
    "text",
    ["", "1.2.156.3005.2.", "1.2.156.3005.2.X.Y.Z.001.A", "1.2.156.3005.1." + "A" * 60, "x" * 500, "１.２"],
)
def test_malformed_identifiers_are_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_identifier(text)


# --- status list ---------------------------------------------------------------------------


@given(st.dictionaries(st.integers(min_value=0, max_value=4095), st.sampled_from(list(Entry)), max_size=200))
def test_status_entries_round_trip_through_the_encoding(entries: dict[int, Entry]) -> None:
    bits = StatusBits(4096)
    for index, entry in entries.items():
        bits.set(index, entry)
    decoded = StatusBits.decode(bits.encode(), 4096)
    for index in range(4096):
        assert decoded.get(index) is entries.get(index, Entry.ACTIVE)


def test_a_full_size_list_is_small_when_few_entries_are_set() -> None:
    bits = StatusBits()
    for index in (7, 1000, 131_071):
        bits.set(index, Entry.REVOKED)
    assert len(bits.encode()) < 500


@pytest.mark.parametrize("encoded", ["", "x", "u!!!", "uAAAA", "u" + "A" * 100])
def test_a_bad_encoded_list_is_refused(encoded: str) -> None:
    with pytest.raises(InvalidStatusList):
        StatusBits.decode(encoded, 4096)


# --- SM2 / SM3 -----------------------------------------------------------------------------


def test_sm2_signatures_verify_and_tampering_fails() -> None:
    key = Sm2Key(sm2_private_from_secret(b"a demo seed for the SM2 key"))
    signature = key.sign(b"licence payload")
    key.verification_key().verify(b"licence payload", signature)
    with pytest.raises(SignatureError):
        key.verification_key().verify(b"licence payload!", signature)
    other = Sm2Key(sm2_private_from_secret(b"another seed"))
    with pytest.raises(SignatureError):
        other.verification_key().verify(b"licence payload", signature)
    with pytest.raises(SignatureError):
        VerificationKey("x", "SM2-SM3", b"\x00" * 64).verify(b"m", b"\x00" * 64)


def _sm2_pem(point: bytes) -> bytes:
    """SubjectPublicKeyInfo for an SM2 point (id-ecPublicKey with the SM2 curve OID)."""
    import base64

    prefix = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
    der = prefix + b"\x04" + point
    return b"-----BEGIN PUBLIC KEY-----\n" + base64.encodebytes(der) + b"-----END PUBLIC KEY-----\n"


def _der_signature(raw: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_sm2_signatures_verify_with_openssl(tmp_path: Path) -> None:
    key = Sm2Key(sm2_private_from_secret(b"interop seed"))
    message = b'{"alg":"SM2-SM3","kid":"k","p":{"id":"1.2.156.3005.2.x"}}'
    (tmp_path / "pub.pem").write_bytes(_sm2_pem(key.public_point))
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(_der_signature(key.sign(message)))
    command = [
        "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"), "-rawin",
        "-digest", "sm3", "-pkeyopt", f"distid:{SM2_DEFAULT_ID.decode()}",
        "-in", str(tmp_path / "msg"), "-sigfile", str(tmp_path / "sig"),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if "unknown" in done.stderr.lower() and "sm" in done.stderr.lower():
        pytest.skip(f"this OpenSSL build has no SM2/SM3: {done.stderr.strip()}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Signature Verified Successfully" in done.stdout


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_openssl_sm2_signatures_verify_with_our_verifier(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["openssl", *args], capture_output=True, check=False)

    if run("genpkey", "-algorithm", "SM2", "-out", str(tmp_path / "key.pem")).returncode != 0:
        pytest.skip("this OpenSSL build has no SM2")
    run("pkey", "-in", str(tmp_path / "key.pem"), "-pubout", "-outform", "DER", "-out", str(tmp_path / "pub.der"))
    message = b"licence payload signed by OpenSSL"
    (tmp_path / "msg").write_bytes(message)
    signed = run(
        "pkeyutl", "-sign", "-inkey", str(tmp_path / "key.pem"), "-rawin", "-digest", "sm3",
        "-pkeyopt", f"distid:{SM2_DEFAULT_ID.decode()}", "-in", str(tmp_path / "msg"), "-out", str(tmp_path / "sig"),
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    point = (tmp_path / "pub.der").read_bytes()[-64:]
    r, s = decode_dss_signature((tmp_path / "sig").read_bytes())
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    VerificationKey("k", "SM2-SM3", point).verify(message, raw)
    with pytest.raises(SignatureError):
        VerificationKey("k", "SM2-SM3", point).verify(message + b"!", raw)


def test_the_certificate_draws_the_qr_code_module_for_module() -> None:
    import re

    import segno

    from shared.licences.certificate import _QR_SIZE, render_certificate

    payload = "JSZWL1:" + "A" * 300
    pdf = render_certificate("营业执照", ["证照编号：1"], payload, "footer").body
    from pyhanko.pdf_utils.reader import PdfFileReader

    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    stream = page["/Contents"].data.decode("latin-1")  # the page as drawn, decompressed
    rects = [tuple(map(float, m)) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", stream)]
    rows = [list(row) for row in segno.make(payload, error="m", micro=False).matrix_iter(border=2)]
    module = _QR_SIZE / len(rows)
    left = min(r[0] for r in rects)
    top = max(r[1] + r[3] for r in rects)
    drawn = [[False] * len(rows) for _ in rows]
    for x, y, width, height in rects:
        line = round((top - (y + height)) / module)
        first = round((x - left) / module)
        for column in range(first, first + round(width / module)):
            drawn[line][column] = True
    dark = [[bool(v) for v in row] for row in rows]
    # the drawing starts at the first dark module; compare from there
    offset_row = next(i for i, cells in enumerate(dark) if any(cells))
    offset_col = min(cells.index(True) for cells in dark if any(cells))
    for i, cells in enumerate(dark[offset_row:]):
        for j, value in enumerate(cells[offset_col:]):
            if i < len(drawn) and j < len(drawn[i]):
                assert drawn[i][j] == value, (i, j)
