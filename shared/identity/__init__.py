"""Identity context (身份认证): accounts, real-name checks, sessions, roles.

So far only the pure code validators exist: `codes` (resident ID number and
USCC) and `regions` (GB/T 2260 division codes with validity years).
"""
