"""scenes_api — scene applications (一件事) over HTTP: shared uploads, one
submission opening one case per item, the one progress view. Thin: routing lives
in shared.scenes.routes, rules in shared.scenes.service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3  # first, at the depth the baseline imports it (D-339: frame-stack chunk churn)  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.catalog import api as catalog
from shared.catalog.config import catalog_settings
from shared.platform.config import http_settings, idempotency_settings, require
from shared.platform.http import make_resolver
from shared.platform.observability import logger
from shared.scenes import api as scenes
from shared.scenes.config import scenes_settings

# cold start: a missing or malformed variable fails the first invocation, by name
require(http_settings, idempotency_settings, scenes_settings, catalog_settings)


def _guide(scene_id: str, answers: Mapping[str, str]) -> dict[str, Any]:
    guide = catalog.CatalogService().scene_guide(scene_id, catalog.SceneAnswers(answers=dict(answers)))
    return guide.model_dump(mode="json")


# the scenes context's port: the catalogue's guide for a scene's answers (D-260)
scenes.wire(guide=_guide)

app = make_resolver()
app.include_router(scenes.router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
