"""List prices for the cost model (docs/performance.md, "Cost per completed case").

One table, one region: US East (N. Virginia), on-demand, first pricing tier,
USD, as published on the services' pricing pages in 2026. The AWS China
regions (cn-north-1, cn-northwest-1) publish their own list in CNY; to
price there, replace these figures (the model multiplies quantities by them
and nothing else). Free tiers are ignored.
"""

from __future__ import annotations

REGION = "us-east-1"

# USD per unit
LAMBDA_REQUEST = 0.20 / 1e6
LAMBDA_GB_SECOND_ARM = 0.0000133334
API_GATEWAY_REST_REQUEST = 3.50 / 1e6
DYNAMODB_WRITE_UNIT = 0.625 / 1e6  # on-demand WRU
DYNAMODB_READ_UNIT = 0.125 / 1e6  # on-demand RRU (Lambda reading the table's stream is free)
SQS_REQUEST = 0.40 / 1e6  # standard queue, per 64 KB chunk
EVENTBRIDGE_EVENT = 1.00 / 1e6  # custom events put on a bus
KMS_REQUEST = 0.03 / 1e4
S3_WRITE_REQUEST = 0.005 / 1e3  # PUT, COPY, POST, LIST
S3_READ_REQUEST = 0.0004 / 1e3  # GET and the rest
SECRETS_MANAGER_CALL = 0.05 / 1e4
CLOUDWATCH_LOGS_GB_INGESTED = 0.50

# USD per GB-month, for the storage line (kept apart from requests and compute)
DYNAMODB_GB_MONTH = 0.25
S3_STANDARD_GB_MONTH = 0.023
CLOUDWATCH_LOGS_GB_MONTH = 0.03
