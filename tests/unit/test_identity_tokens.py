"""Access tokens: ES256 signed by KMS (DER → JOSE r||s), verified locally with
the cached public key, and every way a forged or stale token is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from shared.identity.tokens import (
    P256_ORDER,
    AccessClaims,
    InvalidToken,
    KmsPublicKeys,
    KmsSigner,
    TokenVerifier,
    b64url,
    claims_for,
    der_to_raw_signature,
    encode_token,
    raw_to_der_signature,
)
from shared.platform.aws import count_calls, reset_clients
from shared.platform.principal import Principal, Role

ISSUER = "https://id.jszwfw.gov.cn/test"
AUDIENCE = "jszw-api"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CITIZEN = Principal(subject_id="01JDMX7Q4CTZNA0000000000AA", role=Role.CITIZEN, session_id="S1")
AGENT = Principal(
    subject_id="01JDMX7Q4AGENT000000000001",
    role=Role.AGENT,
    acting_for="91320102MA1W8K3R68",
    scopes=frozenset({"cases", "licences"}),
)
STAFF = Principal(subject_id="W1", role=Role.STAFF, department_id="320102-civil", region_code="320102")


class LocalSigner:
    """ES256 with a key in memory: the same JOSE output as KmsSigner, without KMS."""

    def __init__(self, kid: str = "local-key") -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self._kid = kid

    @property
    def key_id(self) -> str:
        return self._kid

    def sign(self, signing_input: bytes) -> bytes:
        return der_to_raw_signature(self.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))


class StaticKeys:
    def __init__(self, keys: dict[str, ec.EllipticCurvePublicKey]) -> None:
        self.keys = keys

    def get(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        return self.keys.get(kid)


@pytest.fixture
def signer() -> LocalSigner:
    return LocalSigner()


@pytest.fixture
def verifier(signer: LocalSigner) -> TokenVerifier:
    return TokenVerifier(StaticKeys({signer.key_id: signer.private_key.public_key()}), issuer=ISSUER, audience=AUDIENCE)


def token_for(principal: Principal, signer: LocalSigner, *, at: datetime = NOW, ttl: int = 900, **claims: Any) -> str:
    base = claims_for(principal, issuer=ISSUER, audience=AUDIENCE, issued_at=at, ttl_s=ttl)
    return encode_token(base.model_copy(update=claims), signer)


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")

    def decode(part: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        return result

    return decode(header), decode(payload), signature


def forge(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    def part(value: dict[str, Any]) -> str:
        return b64url(json.dumps(value, separators=(",", ":")).encode())

    return f"{part(header)}.{part(payload)}.{b64url(signature)}"


@pytest.mark.parametrize("principal", [CITIZEN, AGENT, STAFF])
def test_a_signed_token_verifies_and_carries_the_principal(
    principal: Principal, signer: LocalSigner, verifier: TokenVerifier
) -> None:
    claims = verifier.verify(token_for(principal, signer), now=NOW + timedelta(minutes=14))
    assert claims.principal() == principal
    assert claims.iss == ISSUER
    assert claims.aud == AUDIENCE
    assert claims.exp - claims.iat == 900


def test_the_header_names_es256_the_type_and_the_key(signer: LocalSigner) -> None:
    header, payload, _ = segments(token_for(AGENT, signer))
    assert header == {"alg": "ES256", "typ": "JWT", "kid": "local-key"}
    assert payload["acting_for"] == "91320102MA1W8K3R68"
    assert payload["scope"] == "cases licences"
    assert payload["role"] == "agent"
    assert {"iss", "aud", "sub", "iat", "exp", "jti"} <= set(payload)
    assert "department" not in payload  # absent claims are left out


def test_an_expired_token_is_refused(signer: LocalSigner, verifier: TokenVerifier) -> None:
    token = token_for(CITIZEN, signer)
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token, now=NOW + timedelta(seconds=900 + 31))
    # within the 30 s clock-skew leeway it still passes
    verifier.verify(token, now=NOW + timedelta(seconds=900 + 29))


def test_a_token_from_the_future_is_refused(signer: LocalSigner, verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken, match="not_yet_valid"):
        verifier.verify(token_for(CITIZEN, signer, at=NOW + timedelta(minutes=5)), now=NOW)


@pytest.mark.parametrize(
    ("claim", "value", "reason"),
    [
        ("aud", "someone-else", "wrong_audience"),
        ("aud", ["someone-else", "another"], "wrong_audience"),
        ("iss", "https://evil.example", "wrong_issuer"),
    ],
)
def test_wrong_audience_or_issuer_is_refused(
    signer: LocalSigner, verifier: TokenVerifier, claim: str, value: Any, reason: str
) -> None:
    with pytest.raises(InvalidToken, match=reason):
        verifier.verify(token_for(CITIZEN, signer, **{claim: value}), now=NOW)


def test_an_audience_list_containing_ours_is_accepted(signer: LocalSigner, verifier: TokenVerifier) -> None:
    claims = verifier.verify(token_for(CITIZEN, signer, aud=["other", AUDIENCE]), now=NOW)
    assert claims.sub == CITIZEN.subject_id
    assert claims.role == CITIZEN.role


def test_a_tampered_payload_is_refused(signer: LocalSigner, verifier: TokenVerifier) -> None:
    header, payload, signature = token_for(CITIZEN, signer).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "operator"
    tampered = f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(InvalidToken, match="bad_signature"):
        verifier.verify(tampered, now=NOW)


def test_a_token_signed_by_another_key_with_our_kid_is_refused(verifier: TokenVerifier) -> None:
    impostor = LocalSigner(kid="local-key")
    with pytest.raises(InvalidToken, match="bad_signature"):
        verifier.verify(token_for(CITIZEN, impostor), now=NOW)


def test_an_unknown_kid_is_refused_before_any_key_lookup(signer: LocalSigner) -> None:
    asked: list[str] = []

    class Recording(StaticKeys):
        def get(self, kid: str) -> ec.EllipticCurvePublicKey | None:
            asked.append(kid)
            return None

    verifier = TokenVerifier(Recording({}), issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(InvalidToken, match="unknown_key"):
        verifier.verify(token_for(CITIZEN, LocalSigner(kid="attacker-key")), now=NOW)
    assert asked == ["attacker-key"]


def test_alg_none_is_refused(signer: LocalSigner, verifier: TokenVerifier) -> None:
    _, payload, _ = segments(token_for(CITIZEN, signer))
    for alg in ("none", "None", "NONE"):
        with pytest.raises(InvalidToken, match="algorithm_not_allowed"):
            verifier.verify(forge({"alg": alg, "typ": "JWT", "kid": "local-key"}, payload), now=NOW)


def test_hs256_signed_with_the_public_key_is_refused(signer: LocalSigner, verifier: TokenVerifier) -> None:
    # The classic confusion: an attacker HMACs the token with our (public) key bytes.
    _, payload, _ = segments(token_for(CITIZEN, signer))
    public_pem = signer.private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "JWT", "kid": "local-key"}
    head = b64url(json.dumps(header, separators=(",", ":")).encode())
    body = b64url(json.dumps({**payload, "role": "operator"}, separators=(",", ":")).encode())
    mac = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidToken, match="algorithm_not_allowed"):
        verifier.verify(f"{head}.{body}.{b64url(mac)}", now=NOW)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "eyJhbGciOiJFUzI1NiJ9.e30.",
        "!!!.e30.AAAA",
        "e30=.e30.AAAA",
        "x" * 5000,
        "W10.e30.AAAA",  # header is a JSON list
    ],
)
def test_malformed_tokens_are_refused(verifier: TokenVerifier, token: str) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(token, now=NOW)


def test_crit_headers_and_other_types_are_refused(signer: LocalSigner, verifier: TokenVerifier) -> None:
    _, payload, _ = segments(token_for(CITIZEN, signer))
    for header in (
        {"alg": "ES256", "kid": "local-key", "crit": ["exp"]},
        {"alg": "ES256", "kid": "local-key", "typ": "at+jwt"},
    ):
        with pytest.raises(InvalidToken, match="header_not_allowed"):
            verifier.verify(forge(header, payload, b"\x00" * 64), now=NOW)


def test_claims_with_an_unknown_role_or_an_agent_without_enterprise_are_refused(
    signer: LocalSigner, verifier: TokenVerifier
) -> None:
    header = {"alg": "ES256", "typ": "JWT", "kid": signer.key_id}
    _, payload, _ = segments(token_for(CITIZEN, signer))
    for changed in ({**payload, "role": "root"}, {**payload, "role": "agent"}):
        head = b64url(json.dumps(header).encode())
        body = b64url(json.dumps(changed).encode())
        signature = signer.sign(f"{head}.{body}".encode())
        with pytest.raises(InvalidToken, match=r"bad_claims|agent_without_enterprise"):
            verifier.verify(f"{head}.{body}.{b64url(signature)}", now=NOW)


@given(r=st.integers(min_value=1, max_value=P256_ORDER - 1), s=st.integers(min_value=1, max_value=P256_ORDER - 1))
def test_der_and_jose_signatures_convert_both_ways_in_low_s_form(r: int, s: int) -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    raw = der_to_raw_signature(encode_dss_signature(r, s))
    assert len(raw) == 64
    low_s = min(s, P256_ORDER - s)
    assert raw_to_der_signature(raw) == encode_dss_signature(r, low_s)


def high_s_twin(token: str) -> str:
    """The same token with its signature's S replaced by n − S (equally valid ECDSA)."""
    head, body, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    r, s = raw[:32], int.from_bytes(raw[32:], "big")
    return f"{head}.{body}.{b64url(r + (P256_ORDER - s).to_bytes(32, 'big'))}"


def test_a_flipped_signature_is_not_a_second_valid_token(signer: LocalSigner, verifier: TokenVerifier) -> None:
    for _ in range(8):
        issued = token_for(CITIZEN, signer)
        verifier.verify(issued, now=NOW)
        with pytest.raises(InvalidToken, match="high_s_signature"):
            verifier.verify(high_s_twin(issued), now=NOW)


def test_signatures_are_issued_in_low_s_form(signer: LocalSigner) -> None:
    for _ in range(32):  # a raw ECDSA signature is high-S half of the time
        signature = token_for(CITIZEN, signer).split(".")[2]
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        assert int.from_bytes(raw[32:], "big") <= P256_ORDER // 2


@pytest.mark.parametrize(("r", "s"), [(0, 1), (1, 0), (P256_ORDER, 1), (1, P256_ORDER)])
def test_out_of_range_signature_values_are_refused(r: int, s: int) -> None:
    with pytest.raises(InvalidToken, match="bad_signature"):
        raw_to_der_signature(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def test_kms_signs_tokens_that_verify_with_its_public_key_fetched_once() -> None:
    reset_clients()
    with mock_aws():
        key = boto3.client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        signer = KmsSigner(key["KeyId"])
        keys = KmsPublicKeys([key["KeyId"], ""])
        verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)
        tokens = [
            encode_token(claims_for(CITIZEN, issuer=ISSUER, audience=AUDIENCE, issued_at=NOW, ttl_s=900), signer)
            for _ in range(3)
        ]
        with count_calls() as calls:
            for token in tokens:
                assert verifier.verify(token, now=NOW).sub == CITIZEN.subject_id
        assert calls == {"kms.GetPublicKey": 1}
        document = keys.jwks()
        assert document["keys"][0]["kid"] == key["KeyId"]
        assert document["keys"][0]["crv"] == "P-256"
        assert keys.key_ids == (key["KeyId"],)
    reset_clients()


def test_access_claims_ignore_unknown_claims() -> None:
    claims = AccessClaims.model_validate(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "iat": 1, "exp": 2, "jti": "j", "role": "citizen", "extra": 1}
    )
    assert claims.principal().role is Role.CITIZEN
