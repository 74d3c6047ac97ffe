"""The production adapters and the local partner simulators agree on the wire
(issue 22 item 7): the SMS gateway (shared.platform.sms.GatewaySms ↔
infra/local/partners/sms_gateway.py) and the real-name registries
(shared.identity.registries.HttpsRegistries ↔ infra/local/partners/real_name_registry.py),
each written from its own side; plus timeouts, the circuit breaker and the
503 + Retry-After the API answers while a partner is down."""

from __future__ import annotations

import time
from collections.abc import Iterator

import boto3
import pytest

from infra.local.partners.real_name_registry import RealNameRegistrySimulator
from infra.local.partners.sms_gateway import SmsGatewaySimulator
from infra.seed.identity import load_identity
from infra.seed.identity.people import CITIZEN_A, DEMO_ENTERPRISE, ZHANG_WEI
from shared.identity import errors
from shared.identity.protection import HashPurpose, KeyedHasher
from shared.identity.registries import HttpsRegistries
from shared.identity.service import identity_service
from shared.platform.partner_http import CircuitBreaker, PartnerClient, canonical_request, signature
from shared.platform.sms import GatewaySms, SmsMessage, SmsUnavailable
from tests.support.api import invoke
from tests.unit.identity_fixtures import api_event, forget_cached, identity_cloud, latest_code

SECRET = b"partner-shared-secret-0123456789abcdef"
HASHER = KeyedHasher(b"k" * 32)


def client(url: str, *, secret: bytes = SECRET, timeout_s: float = 2.0, breaker: CircuitBreaker | None = None):  # type: ignore[no-untyped-def]
    return PartnerClient(
        url, app_id="jszw-platform", secret=lambda: secret, timeout_s=timeout_s, breaker=breaker or CircuitBreaker()
    )


@pytest.fixture
def gateway() -> Iterator[tuple[SmsGatewaySimulator, str]]:
    simulator = SmsGatewaySimulator(secret=SECRET)
    url = simulator.serve()
    yield simulator, url
    simulator.stop()


@pytest.fixture
def registry() -> Iterator[tuple[RealNameRegistrySimulator, str]]:
    simulator = RealNameRegistrySimulator(secret=SECRET)
    url = simulator.serve()
    yield simulator, url
    simulator.stop()


def test_the_signature_covers_method_path_caller_time_nonce_and_body() -> None:
    canonical = canonical_request("POST", "/v1/sms/messages", "jszw-platform", "1764990000", "ab12", b"{}")
    assert canonical == (
        b"POST\n/v1/sms/messages\njszw-platform\n1764990000\nab12\n"
        b"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    )
    assert signature(b"s", "POST", "/p", "a", "1", "n", b"").startswith("hmac-sha256=")


# --- SMS gateway -------------------------------------------------------------------------


def test_the_gateway_accepts_the_adapters_message(gateway: tuple[SmsGatewaySimulator, str]) -> None:
    simulator, url = gateway
    GatewaySms(client(url)).send("13800000001", SmsMessage("otp.sign_in", "验证码 123456"))
    (received,) = simulator.requests
    assert received.method == "POST"
    assert received.path == "/v1/sms/messages"
    assert received.body is not None
    assert set(received.body) == {"message_id", "phone", "template", "text", "sign_name"}
    assert received.body["phone"] == "13800000001"
    (delivered,) = simulator.delivered.values()
    assert delivered["to"] == "138****0001"
    assert delivered["text"] == "验证码 123456"


def test_the_gateway_refuses_a_wrong_key_and_the_adapter_says_unavailable(
    gateway: tuple[SmsGatewaySimulator, str],
) -> None:
    simulator, url = gateway
    with pytest.raises(SmsUnavailable, match="bad_signature"):
        GatewaySms(client(url, secret=b"another-secret")).send("13800000001", SmsMessage("otp.sign_in", "x"))
    assert simulator.delivered == {}


def test_a_gateway_outage_opens_the_breaker_and_later_calls_fail_fast(
    gateway: tuple[SmsGatewaySimulator, str],
) -> None:
    simulator, url = gateway
    simulator.fail_status = 503
    sms = GatewaySms(client(url, breaker=CircuitBreaker(failure_threshold=3, open_s=60)))
    for _ in range(5):
        with pytest.raises(SmsUnavailable):
            sms.send("13800000001", SmsMessage("otp.sign_in", "x"))
    assert len(simulator.requests) == 3  # the last two never left: the circuit was open


def test_a_slow_gateway_hits_the_timeout(gateway: tuple[SmsGatewaySimulator, str]) -> None:
    simulator, url = gateway
    simulator.delay_s = 1.5
    began = time.monotonic()
    with pytest.raises(SmsUnavailable, match="unavailable"):
        GatewaySms(client(url, timeout_s=0.3)).send("13800000001", SmsMessage("otp.sign_in", "x"))
    assert time.monotonic() - began < 1.4


def test_sign_in_codes_travel_through_the_gateway(gateway: tuple[SmsGatewaySimulator, str]) -> None:
    simulator, url = gateway
    with identity_cloud() as made:
        load_identity(identity_service())
        secret = boto3.client("secretsmanager").create_secret(Name="sms-gateway", SecretString=SECRET.decode())
        simulator.s3, simulator.bucket = boto3.client("s3"), "sms-outbox-test"
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SMS_CHANNEL", "gateway")
            patch.setenv("SMS_GATEWAY_URL", url)
            patch.setenv("SMS_GATEWAY_SECRET_ARN", secret["ARN"])
            forget_cached()
            reply = invoke(api_event("otp-request", body={"phone": CITIZEN_A.phone, "purpose": "sign_in"}))
            assert reply.status == 202
            code = latest_code(CITIZEN_A.phone)  # the simulator delivered it to the outbox
            assert invoke(api_event("sign-in", body={"phone": CITIZEN_A.phone, "code": code})).status == 200
        assert made.secret_arn
    assert simulator.requests[-1].headers["x-jszw-app-id"] == "jszw-platform"


# --- real-name registries ------------------------------------------------------------------


def test_the_population_registry_answers_match_mismatch_and_unknown(
    registry: tuple[RealNameRegistrySimulator, str],
) -> None:
    _, url = registry
    registries = HttpsRegistries(client(url), HASHER)
    assert registries.name_matches(ZHANG_WEI.id_number, ZHANG_WEI.name)
    assert registries.name_matches(ZHANG_WEI.id_number, " 张　伟 ")  # normalised before asking
    assert not registries.name_matches(ZHANG_WEI.id_number, "张三")
    assert not registries.name_matches("110101199003070011", "张伟")


def test_the_enterprise_registry_record_comes_back_with_the_id_number_hashed(
    registry: tuple[RealNameRegistrySimulator, str],
) -> None:
    _, url = registry
    registries = HttpsRegistries(client(url), HASHER)
    record = registries.find(DEMO_ENTERPRISE.uscc)
    assert record is not None
    assert record.name == DEMO_ENTERPRISE.name
    assert record.legal_representative_name == DEMO_ENTERPRISE.legal_representative.name
    assert record.legal_representative_id_hash == HASHER.digest(
        HashPurpose.ID_NUMBER, DEMO_ENTERPRISE.legal_representative.id_number
    )
    assert registries.find("91320000MA1XXXXX0X") is None  # not a valid USCC: never sent


def test_a_registry_outage_is_a_503_with_retry_after_and_the_breaker_opens(
    registry: tuple[RealNameRegistrySimulator, str],
) -> None:
    simulator, url = registry
    simulator.fail_status = 500
    registries = HttpsRegistries(client(url, breaker=CircuitBreaker(failure_threshold=2, open_s=45)), HASHER)
    for _ in range(4):
        with pytest.raises(errors.ServiceUnavailable) as refused:
            registries.name_matches(ZHANG_WEI.id_number, ZHANG_WEI.name)
        assert refused.value.code == errors.REGISTRY_UNAVAILABLE
        assert int(refused.value.headers["Retry-After"]) > 0
    assert len(simulator.requests) == 2
    assert 40 <= int(refused.value.headers["Retry-After"]) <= 45  # while open: the rest of the open time


def test_registration_answers_503_problem_while_the_registry_is_down(
    registry: tuple[RealNameRegistrySimulator, str],
) -> None:
    simulator, url = registry
    with identity_cloud():
        secret = boto3.client("secretsmanager").create_secret(Name="registry", SecretString=SECRET.decode())
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("REAL_NAME_REGISTRY", "https")
            patch.setenv("REAL_NAME_REGISTRY_URL", url)
            patch.setenv("REAL_NAME_REGISTRY_SECRET_ARN", secret["ARN"])
            forget_cached()
            phone = "13900000077"
            assert invoke(api_event("otp-request", body={"phone": phone, "purpose": "register"})).status == 202
            body = {"id_number": ZHANG_WEI.id_number, "name": ZHANG_WEI.name, "phone": phone}
            simulator.fail_status = 503
            down = invoke(api_event("register", body={**body, "code": latest_code(phone)}))
            assert down.status == 503
            assert down.body["code"] == "identity.registry_unavailable"
            assert int(down.headers["Retry-After"]) > 0
            simulator.fail_status = None
            up = invoke(api_event("register", body={**body, "code": latest_code(phone)}))
    assert up.status == 201, up.body
