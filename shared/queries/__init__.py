"""The queries context (高频查询, C30): a signed-in holder looks up their own data held by
departments — 公积金 balance, 社保 contribution record, 交通违法, 考试成绩 — through one
API over pluggable department adapters. Owns the Queries table (the holder's query log
and a short result cache).

- `kinds`      the catalogue: which kinds exist, who answers them, for whom;
- `adapters`   the department ports' production adapter (signed HTTPS, timeout, breaker);
- `ports`      what the context needs from others (the holder's ID number: identity);
- `service`    use cases: catalogue, query (cache, log), the holder's log;
- `repository` the only module that knows the table's keys.
"""
