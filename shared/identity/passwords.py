"""Password hashes for staff and operators (口令), memory-hard with stdlib scrypt.

scrypt (RFC 7914) needs 128·N·r bytes of memory per guess, which is what makes
GPU and ASIC cracking expensive. The default N = 2^17, r = 8, p = 1 (128 MiB,
≈0.4 s on a laptop core) is OWASP's first recommended scrypt setting; argon2id
would be as good but needs a native dependency, and `hashlib.scrypt` ships
with Python's OpenSSL. The parameters are stored in the hash
(`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`), so raising the cost later leaves
old hashes verifiable.

Unknown accounts are checked against a dummy hash of the same cost, so the
response time does not tell which login names exist. The dummy is a random
salt and a random digest (no password derives it), so making it costs no
scrypt run: an unknown login spends exactly one derivation, like a known one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

SCHEME = "scrypt"
BLOCK_SIZE = 8  # r
PARALLELISM = 1  # p
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD_LENGTH = 12


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 2**log2_n
    # OpenSSL refuses above maxmem (default 32 MiB); allow the memory this cost needs, with headroom.
    maxmem = 128 * n * r * p + 16 * 1024 * 1024
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=HASH_BYTES)


def hash_password(password: str, *, log2_n: int) -> str:
    """A new salted hash of `password` at cost N = 2**log2_n."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"passwords have at least {MIN_PASSWORD_LENGTH} characters")
    salt = secrets.token_bytes(SALT_BYTES)
    derived = _derive(password, salt, log2_n, BLOCK_SIZE, PARALLELISM)
    return f"{SCHEME}${log2_n}${BLOCK_SIZE}${PARALLELISM}${_b64(salt)}${_b64(derived)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; False for a wrong password or a malformed hash."""
    try:
        scheme, log2_n, r, p, salt, expected = stored.split("$")
        if scheme != SCHEME:
            return False
        derived = _derive(password, _unb64(salt), int(log2_n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(derived, _unb64(expected))


@cache
def dummy_hash(log2_n: int) -> str:
    """A well-formed hash no password matches, to spend the same time on unknown logins.

    Verifying against it runs one full derivation at cost 2**log2_n and compares with a
    random digest. It used to be the hash of a random password, which cost a second
    derivation on the first unknown login of every cold function (issue 22's 502s)."""
    salt, digest = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(HASH_BYTES)
    return f"{SCHEME}${log2_n}${BLOCK_SIZE}${PARALLELISM}${_b64(salt)}${_b64(digest)}"
