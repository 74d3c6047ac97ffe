"""Unified public payment (统一公共支付, C10): payment orders for the fees and
non-tax revenue (非税收入) of cases, signed channel callbacks over HTTP and a
partner queue, expiry and daily reconciliation against the channel's statement.

Module map: `states` (the one transition table), `notice_numbers` (缴款码 and
its check digit), `models`, `events`, `errors`, `signing` (HMAC of callbacks),
`channel` (the channel's raw form mapped to ours, in one place), `repository`
(the only module that knows PaymentsTable's keys), `service` (orders, pay,
expiry), `callbacks` (the one idempotent callback handler), `reconciliation`,
`routes`.
"""
