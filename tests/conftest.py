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
