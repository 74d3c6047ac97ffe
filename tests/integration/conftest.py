"""Integration fixtures: the real platform, running locally from template.yaml.

Use in a test:

    pytestmark = pytest.mark.integration

    def test_search(api, local_cloud):
        response = api.get("/v1/items", params={"q": "营业执照"})
        assert response.status_code == 200
        local_cloud.wait_idle()          # outbox → bus → queues → consumers done
        table = local_cloud.ref("CatalogTable")
        local_cloud.client("dynamodb").query(TableName=table, ...)

`local_cloud` (session) is an `infra.local.LocalCloud`: free ports, scheduler
off (fire schedules with `local_cloud.fire("CalendarCheckFunction")`), demo
data seeded, failed SQS messages retried at once (retry delay 0). Useful:
`api_url`, `endpoint_url`, `ref(id)`, `attr(id, "Arn")`, `queue_url(id)`,
`client(service)`, `function_env(id)`, `invoke(id, event)`, `fire(id)`,
`redrive(queue_id)`, `wait_idle(timeout)`, `status()`, and
`shared_environment()` (every function's variables plus the AWS endpoint, to
point in-process code at the local cloud with monkeypatch.setenv).
`api` is a requests session whose paths are relative to the API base URL.
`local_cloud_factory(**options)` starts another LocalCloud (e.g. on a fixture
template) with the same test defaults; it is stopped at the end of the session.
The state is shared by the whole session: create your own ids, do not rely
on a table being empty. Function logs are added to a failing test's report.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local import LocalCloud
from tests.support.sign_in import OTP_RESEND_S

# Clouds started by fixtures, so failing tests can show what their functions logged.
_CLOUDS: list[LocalCloud] = []
_LOG_OFFSETS = pytest.StashKey[dict[Path, int]]()


class ApiClient(requests.Session):
    """A requests session bound to the local API: `api.get("/v1/items")`."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        text = url.decode() if isinstance(url, bytes) else url
        if text.startswith("/"):
            text = self.base_url + text
        kwargs.setdefault("timeout", 30)
        verb = method.decode() if isinstance(method, bytes) else method
        return super().request(verb, text, *args, **kwargs)


def _start_cloud(log_dir: Path, **options: Any) -> LocalCloud:
    """A LocalCloud on free ports with test-friendly defaults (scheduler off, fast retries)."""
    settings: dict[str, Any] = {
        "api_port": 0,
        "aws_port": 0,
        "scheduler": False,
        "retry_delay_s": 0,
        "stream_idle_poll_s": 0.2,
        "log_dir": log_dir,
        # Test-only password cost: staff passwords hashed at scrypt N=2**10 instead of 2**17 (0.4 CPU-s
        # each; the seed hashes 17 and every staff sign-in verifies one). The cost is stored in each
        # hash, so sign-in behaves the same; production keeps identity's default (D-271).
        # Test-only resend interval: one code per phone every 5 s instead of every 60 s. The integration
        # tests share one cloud and the demo people (D-270), so a browser sign-in often followed an API
        # sign-in of the same phone within the minute and waited it out; the rule itself is unit-tested.
        "environment": {"PASSWORD_SCRYPT_LOG2_N": "10", "OTP_RESEND_INTERVAL_S": str(OTP_RESEND_S)},
    }
    cloud = LocalCloud(**(settings | options)).start()
    _CLOUDS.append(cloud)
    return cloud


@pytest.fixture(scope="session")
def local_cloud_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LocalCloud]]:
    """Starts LocalClouds with test defaults (`template=...`, any LocalCloud option)."""
    started: list[LocalCloud] = []

    def start(**options: Any) -> LocalCloud:
        cloud = _start_cloud(tmp_path_factory.mktemp("local-cloud-logs"), **options)
        started.append(cloud)
        return cloud

    yield start
    for cloud in started:
        _CLOUDS.remove(cloud)
        cloud.stop()


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """The platform from template.yaml, seeded, shared by the test session."""
    cloud = _start_cloud(tmp_path_factory.mktemp("platform-logs"), seed=True, strict_seed=True)
    try:
        cloud.wait_idle(float(os.environ.get("LOCAL_CLOUD_SETTLE_S", "60")))
    except TimeoutError as exc:  # tests can still run; say why they may see stray work
        warnings.warn(f"the seeded platform did not settle: {exc}", stacklevel=1)
    yield cloud
    _CLOUDS.remove(cloud)
    cloud.stop()
    _assert_logs_clean(cloud)


def _assert_logs_clean(cloud: LocalCloud) -> None:
    """Every line every function logged in the session, scanned for personal data (PIPL)."""
    from tests.support.log_scan import findings

    leaks = {}
    for path in sorted(cloud.log_dir.glob("*.log")) if cloud.log_dir else []:
        found = findings(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            leaks[path.name] = sorted(set(found))
    assert not leaks, f"personal data or credentials in the local cloud's function logs: {leaks}"


@pytest.fixture(scope="session")
def api(local_cloud: LocalCloud) -> Iterator[ApiClient]:
    """HTTP client for the platform API (paths relative to the API base URL)."""
    with ApiClient(local_cloud.api_url) as client:
        yield client


def _log_files() -> list[Path]:
    return [path for cloud in _CLOUDS if cloud.log_dir for path in sorted(cloud.log_dir.glob("*.log"))]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None]:
    item.stash[_LOG_OFFSETS] = {path: path.stat().st_size for path in _log_files()}
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or _LOG_OFFSETS not in item.stash:
        return
    offsets = item.stash[_LOG_OFFSETS]
    for path in _log_files():
        with path.open("rb") as handle:
            handle.seek(offsets.get(path, 0))
            text = handle.read().decode(errors="replace")
        if text.strip():
            lines = text.splitlines()[-60:]
            report.sections.append((f"local cloud log {path.stem}", "\n".join(lines)))
