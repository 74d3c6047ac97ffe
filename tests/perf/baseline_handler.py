"""The cold-start baseline: a bare Powertools resolver, boto3 and one pydantic
model — the least any of our HTTP functions could import."""

from typing import Any

import boto3  # noqa: F401
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel


class Item(BaseModel):
    code: str
    name: str


app = APIGatewayRestResolver(enable_validation=True)


@app.get("/v1/items/<code>")
def get_item(code: str) -> dict[str, Any]:
    return Item(code=code, name="x").model_dump()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
