"""Identity context (统一身份认证): accounts, real-name checks, sessions, roles.

- `codes`, `regions`: the pure validators of the two codes (一码) — resident
  ID number (GB 11643) and USCC (GB 32100) — and GB/T 2260 divisions.
- `models`: request/response shapes and stored records.
- `service`: the rules — one-time codes, registration, sign-in (citizens and
  agents by phone + code, staff and operators by password + code), refresh
  rotation with reuse detection, sign-out, the profile, enterprise agents.
- `repository`: the IdentityTable, its keys and indexes (the only module that knows them).
- `tokens`: ES256 access tokens signed by KMS and verified with the cached public key.
- `protection`: keyed hashes (HMAC, secret in Secrets Manager) and KMS-sealed personal data.
- `passwords`: scrypt password hashes.
- `registries`: the population and enterprise registry ports and their seeded adapters.
- `events`: what the context publishes; `errors`: its error codes; `routes`: its HTTP routes.

Who may do what is decided with `shared.platform.principal`, which every
context uses; the authorizer function (functions/authorizer) produces the
principal from the access token.
"""
