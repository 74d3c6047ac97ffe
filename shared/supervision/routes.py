"""The supervision context's HTTP routes (shared.platform.routing declares who may call each)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()
