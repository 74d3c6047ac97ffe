"""Keyword matching and the search-term index of the catalogue.

DynamoDB has no full-text index, so every published implementation writes
*term entries* next to its head record (same transaction), one per distinct
term of its searchable fields (name, tags, department, codes), normalised the
same way the user's keywords are (NFKC folds full-width letters and digits,
lower case, runs of spaces collapsed):

- a run of Chinese (any non-Latin) characters gives its two-character grams
  (营业执照 → 营业, 业执, 执照), and in the name and tags also its single
  characters, so a one-character keyword finds names and tags containing it
  (not department names);
- a run of Latin letters and digits (a code, a word) is one term, whole;
- each Chinese run of the name and tags also gives its full pinyin and its
  initials as terms (营业执照 → yingyezhizhao, yyzz; D-170), so a pinyin
  keyword is looked up like any Latin word.

A search looks up the *lead term* of its first keyword (its first two
characters, or its first Latin run) and filters that term's entries by every
keyword (`contains()` on `search_text`). Each entry's sort key starts with a
flag saying where the term stands in the item's name — `P` the name starts
with it, `N` it occurs later in the name, `O` only in the other fields — so
the ranking classes (exact name, name prefix, name substring, elsewhere) are
key ranges of one partition, and the region code that follows the flag makes
"this region and everything below it" one `begins_with`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

MAX_KEYWORDS = 5
_FIELD_SEPARATOR = "\n"  # never inside a keyword, so no match spans two fields
_RUN = re.compile(r"[0-9a-z]+|[^\s0-9a-z]+")

NAME_PREFIX = "P"  # the name starts with the term
NAME_LATER = "N"  # the term occurs in the name after its first character
ELSEWHERE = "O"  # only in tags, department or codes
FLAGS = (NAME_PREFIX, NAME_LATER, ELSEWHERE)


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


def _terms_of(text: str, *, single_characters: bool) -> list[str]:
    found: list[str] = []
    for run in _RUN.findall(text):
        if run.isascii() or len(run) == 1:
            found.append(run)
            continue
        if single_characters:
            found.extend(run)
        found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


def lead_term(keyword: str) -> str:
    """The term a keyword is looked up by: its first Latin run whole, or the
    first two characters of its first other run (one when that is all)."""
    runs = _RUN.findall(normalise(keyword))
    if not runs:
        return ""
    first = runs[0]
    return first if first.isascii() else first[:2]


class TermEntry(NamedTuple):
    term: str
    flag: str


def term_entries(name: str, tags: Iterable[str], other_fields: Iterable[str]) -> list[TermEntry]:
    """The index entries of one item: each distinct term with its flag(s); a
    term at the start of the name and again later in it has both `P` and `N`.
    Single characters come from the name and tags only (not the department's
    long name), which keeps an item's records few."""
    tags = list(tags)
    name_text = normalise(name)
    name_terms = _terms_of(name_text, single_characters=True)
    terms = [term for tag in tags for term in _terms_of(normalise(tag), single_characters=True)]
    terms += [term for text in other_fields if text for term in _terms_of(normalise(text), single_characters=False)]
    # the name's own terms, then its pinyin, then the rest: the per-item cap
    # (repository.MAX_TERM_RECORDS) cuts from the end
    entries: dict[tuple[str, str], None] = dict.fromkeys(_flagged(name_terms, name_text))
    entries.update(dict.fromkeys((entry.term, entry.flag) for entry in _pinyin_terms(name, tags)))
    entries.update(dict.fromkeys(_flagged(terms, name_text)))
    return [TermEntry(term, flag) for term, flag in entries]


def _flagged(terms: Iterable[str], name_text: str) -> list[tuple[str, str]]:
    flagged: list[tuple[str, str]] = []
    for term in dict.fromkeys(terms):
        if name_text.startswith(term):
            flagged.append((term, NAME_PREFIX))
        if name_text.find(term, 1) != -1:
            flagged.append((term, NAME_LATER))
        if term not in name_text:
            flagged.append((term, ELSEWHERE))
    return flagged


# --- pinyin (D-170) --------------------------------------------------------------------
# A name's first run is also indexed by the pinyin of its first 2 and 4 characters,
# so `yingye` / `yyzz` find 营业执照… as well as the whole run does.
_PINYIN_PREFIXES = (2, 4)


def _pinyin(run: str) -> tuple[str, str]:
    """Full toneless pinyin and initials of a run of Chinese characters
    (characters without a reading are dropped). pypinyin and its dictionaries
    take ~0.3 s to load, so they are imported here, on the publishing path
    only: a search never needs them (the person types Latin letters)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(run, errors="ignore")
    initials = lazy_pinyin(run, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


def _chinese_runs(text: str) -> list[str]:
    return [run for run in _RUN.findall(normalise(text)) if not run.isascii() and len(run) > 1]


def pinyin_forms(texts: Iterable[str]) -> list[str]:
    """The full pinyin and initials of every Chinese run of the texts (for the
    keyword filter: a pinyin keyword is matched against these like a word)."""
    forms: dict[str, None] = {}
    for text in texts:
        for run in _chinese_runs(text):
            for form in _pinyin(run):
                if len(form) > 1:
                    forms.setdefault(form, None)
    return list(forms)


def _pinyin_terms(name: str, tags: Iterable[str]) -> list[TermEntry]:
    entries: dict[tuple[str, str], None] = {}
    runs = _chinese_runs(name)
    starts_chinese = bool(runs) and normalise(name).startswith(runs[0])
    for index, run in enumerate(runs):
        flag = NAME_PREFIX if index == 0 and starts_chinese else NAME_LATER
        parts = [run[:length] for length in _PINYIN_PREFIXES if length < len(run)] if flag == NAME_PREFIX else []
        for part in [*parts, run]:
            for form in _pinyin(part):
                entries.setdefault((form, flag), None)
    for tag in tags:
        for run in _chinese_runs(tag):
            for form in _pinyin(run):
                entries.setdefault((form, ELSEWHERE), None)
    return [TermEntry(term, flag) for term, flag in entries if len(term) > 1]
