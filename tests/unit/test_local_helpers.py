"""The newcomer's helpers against a running local cloud: finding it (never a guessed port),
the gateway's "starting" answer, a client hanging up, and the walk-throughs' wait."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local import __main__ as cli
from infra.local.gateway import Gateway
from infra.local.intrinsics import Pseudo
from infra.local.model import ApiSpec, Model, RouteSpec
from infra.local.waiting import holds, values_at, wait
from infra.local.workers import Invocation
from shared.platform import local_endpoints
from shared.platform.local_endpoints import NoLocalCloud, api_url, aws_url, read_record, write_record

ENV = ("JSZW_API_URL", "LOCAL_API_PORT", "LOCAL_AWS_PORT", "AWS_ENDPOINT_URL")


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No variable names a cloud, and the record lives in a temporary folder."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    record = tmp_path / "endpoints.json"
    monkeypatch.setattr(local_endpoints, "RECORD", record)
    return record


# ----------------------------------------------------------------------- finding the cloud


def test_without_a_flag_variable_or_running_cloud_helpers_refuse_instead_of_guessing_3000(no_env: Path) -> None:
    with pytest.raises(NoLocalCloud, match="JSZW_API_URL"):
        api_url(record=no_env)
    with pytest.raises(NoLocalCloud, match="make run"):
        aws_url(record=no_env)


def test_the_running_clouds_record_names_its_ports_and_a_dead_ones_is_ignored(no_env: Path) -> None:
    write_record("http://127.0.0.1:3207", "http://127.0.0.1:4707", ready=True, path=no_env)
    assert api_url(record=no_env) == "http://127.0.0.1:3207"
    assert aws_url(record=no_env) == "http://127.0.0.1:4707"
    # a record left by a cloud that was killed (its process is gone) names nothing
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    no_env.write_text(json.dumps({"api": "http://127.0.0.1:3207", "aws": "x", "pid": int(dead.stdout)}))
    assert read_record(no_env) is None
    with pytest.raises(NoLocalCloud):
        api_url(record=no_env)


def test_variables_beat_the_record_and_flags_beat_variables(no_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_record("http://127.0.0.1:3207", "http://127.0.0.1:4707", ready=True, path=no_env)
    monkeypatch.setenv("LOCAL_API_PORT", "3300")
    monkeypatch.setenv("LOCAL_AWS_PORT", "4600")
    assert api_url(record=no_env) == "http://127.0.0.1:3300"
    assert aws_url(record=no_env) == "http://127.0.0.1:4600"
    monkeypatch.setenv("JSZW_API_URL", "http://127.0.0.1:3400/")
    assert api_url(record=no_env) == "http://127.0.0.1:3400"
    assert api_url(port=3500, record=no_env) == "http://127.0.0.1:3500"
    assert aws_url(port=4700, record=no_env) == "http://127.0.0.1:4700"


def test_the_aws_endpoint_is_asked_from_the_gateway_named_by_jszw_api_url(
    no_env: Path, monkeypatch: pytest.MonkeyPatch, fake_gateway: str
) -> None:
    monkeypatch.setenv("JSZW_API_URL", fake_gateway)
    assert aws_url(record=no_env) == "http://127.0.0.1:4999"


def test_the_sms_outbox_reader_follows_local_aws_port_and_says_so_when_nothing_answers(
    no_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from shared.notifications import sms_outbox

    assert sms_outbox.main(["13800000001"]) == 1
    assert "JSZW_API_URL" in capsys.readouterr().err
    port = _free_port()
    monkeypatch.setenv("LOCAL_AWS_PORT", str(port))
    seen: list[str] = []

    def client(endpoint: str) -> _NoBuckets:
        seen.append(endpoint)
        return _NoBuckets()

    monkeypatch.setattr(sms_outbox, "_client", client)
    assert sms_outbox.main(["13800000001"]) == 1
    assert seen == [f"http://127.0.0.1:{port}"]
    assert f"no SMS outbox bucket at http://127.0.0.1:{port}" in capsys.readouterr().err


class _NoBuckets:
    def list_buckets(self) -> dict[str, Any]:
        return {"Buckets": []}


# ---------------------------------------------------------------------------- the CLI flags


@pytest.mark.parametrize(
    "argv",
    [
        ["--api-port", "3207", "status"],
        ["status", "--api-port", "3207"],
        ["--api-url", "http://127.0.0.1:3207", "fire", "SweepFunction"],
        ["fire", "SweepFunction", "--api-url", "http://127.0.0.1:3207"],
    ],
)
def test_the_port_is_taken_before_or_after_the_subcommand(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[str] = []

    def call(method: str, url: str, body: Any = None) -> int:
        called.append(url)
        return 0

    monkeypatch.setattr(cli, "_call", call)
    assert cli.main(argv) == 0
    assert called[0].startswith("http://127.0.0.1:3207/_local/")


def test_run_options_given_before_the_run_subcommand_are_kept() -> None:
    args = cli._parser().parse_args(["--no-seed", "--api-port", "3207", "run", "--pool-size", "1"])
    assert args.no_seed is True
    assert args.api_port == 3207
    assert args.pool_size == 1


def test_an_operator_command_without_a_running_cloud_says_how_to_point_it(
    no_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["status"]) == 1
    assert "JSZW_API_URL" in capsys.readouterr().err


# ------------------------------------------------------------------------ the gateway starting


def _gateway() -> Gateway:
    api = ApiSpec("Api", "abc123", "local", None, {}, None, False, {})
    model = Model(functions={}, apis={"Api": api}, routes=[RouteSpec("Api", "GET", "/v1/items", "ItemsFn", "E", None)])

    def invoke(function_id: str, event: Any, timeout: float | None) -> Invocation:
        invocation = Invocation(function_id, "r1")
        invocation.result = {"statusCode": 200, "body": '{"items": []}'}
        return invocation

    class Operator:
        def status(self) -> dict[str, Any]:
            return {"api": "x", "aws": "http://127.0.0.1:4999"}

    gateway = Gateway(
        model=model,
        pseudo=Pseudo(region="cn-north-1", account_id="123456789012", stack_name="t"),
        invoke=invoke,
        timeout_of=lambda fid: 10.0,
        operator=Operator(),  # type: ignore[arg-type]
        port=0,
    )
    gateway.start()
    return gateway


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    started = _gateway()
    yield started
    started.stop()


def test_until_ready_the_api_answers_503_starting_in_the_callers_language(gateway: Gateway) -> None:
    early = requests.get(f"{gateway.url}/v1/items", timeout=5)
    assert early.status_code == 503
    assert early.headers["Content-Type"] == "application/problem+json"
    assert early.headers["Retry-After"] == "5"
    assert early.json()["code"] == "platform.starting"
    assert "正在启动" in early.json()["message"]
    english = requests.get(f"{gateway.url}/v1/items", headers={"Accept-Language": "en"}, timeout=5)
    assert "still starting" in english.json()["message"]
    status = requests.get(f"{gateway.url}/_local/status", timeout=5).json()
    assert status["ready"] is False

    gateway.open()
    assert requests.get(f"{gateway.url}/v1/items", timeout=5).json() == {"items": []}
    assert requests.get(f"{gateway.url}/_local/status", timeout=5).json()["ready"] is True


def test_a_client_that_hangs_up_leaves_no_traceback(gateway: Gateway, capfd: pytest.CaptureFixture[str]) -> None:
    gateway.open()
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", gateway.port)) as raw:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            raw.sendall(b"GET /v1/items HTTP/1.1\r\nHost: x\r\n\r\n")
        # closed with RST before the answer is written: the server's write fails
    time.sleep(0.5)
    assert requests.get(f"{gateway.url}/v1/items", timeout=5).status_code == 200
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out


# ------------------------------------------------------------------------------------ wait


@pytest.fixture
def fake_gateway() -> Iterator[str]:
    """A tiny API: the case becomes accepted on the third poll; /expired answers 401."""
    polls = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body: dict[str, Any]
            if self.path == "/_local/status":
                body, status = {"aws": "http://127.0.0.1:4999"}, 200
            elif self.path == "/expired":
                body, status = {"code": "unauthorized"}, 401
            else:
                polls["n"] += 1
                state = "accepted" if polls["n"] >= 3 else "pre_review"
                body, status = {"state": state, "items": [{"id": "a"}, {"id": "b", "state": state}]}, 200
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _wait_args(path: str, *until: str, timeout: float = 5.0, show: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(
        path=path, header=["Authorization: Bearer x"], until=list(until), contains=[], show=show,
        timeout=timeout, interval=0.05,
    )  # fmt: skip


def test_wait_polls_until_the_state_is_reached_and_prints_the_answer(
    fake_gateway: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert wait(fake_gateway, _wait_args("/v1/cases/1", "state=accepted")) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "accepted"
    assert wait(fake_gateway, _wait_args("/v1/cases/1", "items.*.state=accepted", show="items.1.id")) == 0
    assert capsys.readouterr().out.strip() == "b"


def test_wait_gives_up_after_its_timeout_with_the_last_answer(
    fake_gateway: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert wait(fake_gateway, _wait_args("/v1/cases/1", "state=completed", timeout=0.3)) == 1
    err = capsys.readouterr().err
    assert "state=completed" in err
    assert "pre_review" in err or "accepted" in err


def test_wait_stops_at_once_on_an_expired_token_and_says_where_to_sign_in(
    fake_gateway: str, capsys: pytest.CaptureFixture[str]
) -> None:
    began = time.monotonic()
    assert wait(fake_gateway, _wait_args("/expired", "state", timeout=30)) == 1
    assert time.monotonic() - began < 5
    assert "sign in again" in capsys.readouterr().err


def test_conditions_read_dotted_paths_with_indexes_and_any_element() -> None:
    document = {"items": [{"state": "in_transit", "tracking": []}, {"state": "delivered", "tracking": [1]}]}
    assert values_at(document, "items.1.state") == ["delivered"]
    assert holds(document, "items.*.state=delivered")
    assert not holds(document, "items.0.state=delivered")
    assert holds(document, "items.1.tracking")
    assert not holds(document, "items.0.tracking")
    assert not holds(document, "missing")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_record_is_written_for_the_running_process(no_env: Path) -> None:
    write_record("http://127.0.0.1:1", "http://127.0.0.1:2", ready=False, path=no_env)
    assert json.loads(no_env.read_text())["pid"] == os.getpid()
    local_endpoints.remove_record(no_env)
    assert not no_env.exists()


# ------------------------------------------------------------------- the gateway's own answers


def test_the_gateways_own_refusals_speak_both_languages_of_the_error_catalogue() -> None:
    """API Gateway's response templates cannot pick a language from Accept-Language (no VTL), so
    an English-speaking client must still find English in the gateway's own 401/403/404."""
    import shared.platform.http  # noqa: F401 - registers the platform's codes
    from infra.template import sam_template
    from shared.platform.errors import message_for

    responses = next(
        r["Properties"]["GatewayResponses"]
        for r in sam_template()["Resources"].values()
        if r["Type"] == "AWS::Serverless::Api"
    )
    assert {"UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN"} <= set(responses)
    for kind, spec in responses.items():
        body = json.loads(spec["ResponseTemplates"]["application/json"].replace("$context.requestId", "r"))
        zh, en = message_for(body["code"], "zh"), message_for(body["code"], "en")
        assert zh.split("（")[0] in body["message"], kind
        assert en.split(" (")[0] in body["message"], kind


# ---------------------------------------------------------------------------- reading a bucket


def test_an_object_read_from_a_local_bucket_comes_out_byte_for_byte(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """`python -m infra.local s3 B KEY > file.pdf` must give the PDF as stored, not a UTF-8 repair of it."""
    import io
    import urllib.request

    import boto3

    pdf = b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n\xff\xfe\x00 binary seal bytes"
    status = {"aws": "http://127.0.0.1:9", "buckets": [{"id": "OpenDataBucket", "name": "open-data"}]}

    class _Response(io.BytesIO):
        def __enter__(self) -> _Response:
            return self

        def __exit__(self, *_: object) -> None:
            self.close()

    class _Bucket:
        def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
            assert (Bucket, Key) == ("open-data", "reports/2026-11.pdf")
            return {"Body": io.BytesIO(pdf)}

    monkeypatch.setattr(urllib.request, "urlopen", lambda *_a, **_k: _Response(json.dumps(status).encode()))
    monkeypatch.setattr(boto3, "client", lambda *_a, **_k: _Bucket())
    assert cli._s3("http://127.0.0.1:9", "OpenDataBucket", "reports/2026-11.pdf", None) == 0
    assert capfdbinary.readouterr().out == pdf
