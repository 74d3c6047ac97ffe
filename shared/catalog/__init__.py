"""The service catalogue context (C7, C16, C22, C29): divisions, departments,
service items (basic items and their implementations), versions and the
不见面 / 见一次面 lists.

`models` (shapes), `codes` (pure code rules), `service` (use cases),
`repository` (CatalogTable), `events` (what it publishes), `routes` (HTTP),
`errors` (its error codes).
"""
