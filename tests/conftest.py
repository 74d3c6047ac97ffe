"""Settings every test tier shares.

The environment is pinned before anything imports boto3 or Powertools: fake
credentials (nothing can reach a real AWS account), the local region, no
X-Ray. Unit and integration tiers add their own fixtures.
"""

from __future__ import annotations

import os

_PINNED = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "cn-north-1",
    "AWS_REGION": "cn-north-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Jszw",
    "POWERTOOLS_SERVICE_NAME": "tests",
    "POWERTOOLS_DEV": "false",
}
for _name, _value in _PINNED.items():
    os.environ[_name] = _value
for _name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)


# --- property tests judge behaviour, not speed: Hypothesis's 200 ms deadline per example
# failed a status-list round trip on a loaded 2-core machine (speed is measured by benchmarks).

from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("platform", deadline=None)
_hypothesis_settings.load_profile("platform")

# --- in-process moto as fast as the local cloud's (infra/local/motoserver.py, D-011):
# a transaction snapshots the items it touches, not the whole table and its stream;
# a Query reads its partition instead of sorting the whole table; DynamoDB answers are written
# without moto's generic serializer walk (D-272).

from infra.local.motoserver import faster_responses, lighter_transactions, partition_queries  # noqa: E402

lighter_transactions()
partition_queries()
faster_responses()


# --- one botocore data loader per test process: fixtures reset the platform's clients for each
# test (shared.platform.aws.reset_clients), and each new boto3 session read and parsed the service
# models and endpoints JSON again (0.2 CPU-s for six clients, against 0.03 from a warm loader).
# The loaded models are the same files; a Lambda container keeps one session for its life anyway.

import botocore.loaders as _botocore_loaders  # noqa: E402
import botocore.session as _botocore_session  # noqa: E402


class _UniquePaths(list[str]):
    """boto3 appends its own data folder to the loader of every session it makes: once is enough."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


_LOADERS: dict[str | None, _botocore_loaders.Loader] = {}


def _shared_loader(search_path_string: str | None = None) -> _botocore_loaders.Loader:
    if search_path_string not in _LOADERS:
        loader = _botocore_loaders.create_loader(search_path_string)
        loader._search_paths = _UniquePaths(loader.search_paths)  # type: ignore[attr-defined]
        _LOADERS[search_path_string] = loader
    return _LOADERS[search_path_string]


_botocore_session.create_loader = _shared_loader


# --- moto's KMS makes an RSA-2048 private key for every key it creates, symmetric keys included
# (≈65 ms each; fixtures create KMS keys per test). It is made when first used (Sign, Verify,
# GetPublicKey) instead; keys that only encrypt never make one.

from moto.kms import models as _kms_models  # noqa: E402

_generate_private_key = _kms_models.generate_private_key


class _LazyPrivateKey:
    def __init__(self, key_spec: str) -> None:
        self._key_spec = key_spec
        self._key: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._key is None:
            self._key = _generate_private_key(self._key_spec)
        return getattr(self._key, name)


_kms_models.generate_private_key = _LazyPrivateKey  # type: ignore[assignment]


# --- PIPL: no personal data or credentials in any log line ---------------------------

from collections.abc import Generator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from tests.support.log_scan import findings  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """On the xdist controller, schedule the integration tests onto one worker (D-270)."""
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        from tests.support.scheduling import OneCloudScheduling

        config.pluginmanager.register(OneCloudScheduling(), "one-cloud-scheduling")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any]:
    """Fail a test whose captured output (in-process handlers' logs) leaks
    a raw ID number, phone number or token. The local cloud's function logs
    are scanned by the integration fixtures."""
    outcome = yield
    report = outcome.get_result()
    if report.failed or item.get_closest_marker("logs_may_leak"):
        return
    captured = "\n".join(text for name, text in report.sections if name.startswith("Captured"))
    leaked = findings(captured)
    if leaked:
        report.outcome = "failed"
        report.longrepr = f"personal data or credentials in the logs ({report.when}): {sorted(set(leaked))}"


@pytest.fixture(autouse=True)
def _no_metrics_left_over() -> Generator[None]:
    """Powertools Metrics keeps its buffer in the process: code that adds a
    metric outside a handler (e.g. the relay called directly) must not leak it
    into the next test's flushed EMF document."""
    yield
    from aws_lambda_powertools import Metrics

    Metrics().clear_metrics()


# --- every event a test flow writes to an outbox follows its published schema (D-235) ----

import shared.platform.dynamo as _dynamo  # noqa: E402
from shared.platform.schemas import envelope_problems as _envelope_problems  # noqa: E402

_write_outbox_record = _dynamo.outbox_record


def _checked_outbox_record(envelopes: Any) -> dict[str, Any]:
    """The outbox item, after checking each envelope against its type's schema: a context
    that emits data its registered model does not describe fails the test that emits it."""
    for envelope in envelopes:
        found = _envelope_problems(envelope.model_dump(mode="json"))
        if found:
            raise AssertionError(f"{envelope.type} v{envelope.version} does not follow its schema: {found}")
    return _write_outbox_record(envelopes)


_dynamo.outbox_record = _checked_outbox_record
