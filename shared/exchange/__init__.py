"""The data-exchange context (数据交换, issue 19, C20/C21): the schema registry
served to partners, department systems (部门业务系统) as signed partners on
their own queues, and the hash-chained log of every message they send.

- `catalogue`  loads every context's published events: the registry's contents;
- `routes`     `GET /v1/schemas` and `GET /v1/schemas/{name}/{version}` (public);
- `models`     the registry's views.
"""
