"""Keyword matching for catalogue search.

DynamoDB has no full-text index, so every published head record carries a
`search_text` attribute: the searchable fields normalised the same way the
user's keywords are (NFKC folds full-width letters and digits, lower case,
runs of spaces collapsed). A search keeps the items whose `search_text`
contains every keyword (`contains()` in a FilterExpression).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_KEYWORDS = 5
_FIELD_SEPARATOR = "\n"  # never inside a keyword, so no match spans two fields


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def keywords(query: str | None) -> list[str]:
    """The distinct keywords of a user's query (at most MAX_KEYWORDS, order kept)."""
    if not query:
        return []
    seen: dict[str, None] = {}
    for word in normalise(query).split(" "):
        if word:
            seen.setdefault(word, None)
    return list(seen)[:MAX_KEYWORDS]


def search_text(fields: Iterable[str]) -> str:
    return _FIELD_SEPARATOR.join(normalise(field) for field in fields if field)
