"""licence_api — e-licences over HTTP (C11, C13, C15): public verification,
trust list and status lists; the holder's wallet with download links and
usage log; status changes by the issuing department; department queries of
an applicant's licences. Thin: routes in shared.licences.routes, rules in
shared.licences.service."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.licences.routes import router as licences_router
from shared.platform.http import make_resolver
from shared.platform.observability import logger

app = make_resolver()
app.include_router(licences_router)


@logger().inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
