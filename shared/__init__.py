"""The domain of the Jiangsu government online-services platform.

One subpackage per bounded context (catalog, identity, cases, ...) plus
`platform`, the helpers every context and function shares. Nothing here
imports from `functions/` or `infra/`.
"""
