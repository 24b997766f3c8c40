"""The domain taxonomy (``taxonomy.json``) and the text normalisation used to match it.

Matching rules:

* Text and synonyms are compared after :func:`normalise_text` (NFKC + casefold), with runs of
  whitespace collapsed, so ``ＰＭＯ``, ``pmo`` and ``PMO`` are the same.
* A synonym that starts or ends with an ASCII letter or digit must sit on a word boundary at
  that end: ``PR`` does not match inside ``PROJECT``, nor ``data`` inside ``metadata``. Japanese
  text around an ASCII synonym counts as a boundary (``PMO支援`` contains ``pmo``).
* Matches are leftmost-longest and do not overlap, so ``プロジェクトマネジメントオフィス`` is
  ``pmo`` only and ``事業開発`` is ``sales`` only, not also ``engineering`` via ``開発``.
* ``other`` has no synonyms: it is never inferred from text, only chosen explicitly.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

__all__ = [
    "DOMAIN_KEYS",
    "DOMAIN_ORDER",
    "Domain",
    "domain_keys_in",
    "domains_from_description",
    "domains_from_text",
    "load_taxonomy",
    "normalise_text",
]

_WS = re.compile(r"\s+")


def normalise_text(s: str) -> str:
    """NFKC + casefold: full-width and half-width forms fold together (``ＰＭＯ`` → ``pmo``)."""
    return unicodedata.normalize("NFKC", s).casefold()


@dataclass(frozen=True, slots=True)
class Domain:
    key: str
    label_ja: str
    label_en: str
    synonyms: tuple[str, ...]  # as written in taxonomy.json, Japanese then English


def _is_ascii_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _synonym_rest(norm: str) -> str:
    """The pattern of a normalised synonym after its first character (which the caller
    writes once for all synonyms that start with it). The word-boundary check before an
    ASCII start looks back over that first character: ``p(?<![a-z0-9]p)mo`` matches where
    ``(?<![a-z0-9])pmo`` does."""
    body = r"\s".join(re.escape(part) for part in norm.split(" "))
    first = re.escape(norm[0])  # re.escape works character by character: body starts so
    head = f"(?<![a-z0-9]{first})" if _is_ascii_word_char(norm[0]) else ""
    tail = r"(?![a-z0-9])" if _is_ascii_word_char(norm[-1]) else ""
    return head + body[len(first) :] + tail


@cache
def load_taxonomy() -> tuple[Domain, ...]:
    """The domains in taxonomy order, read once from the package data."""
    raw: dict[str, Any] = json.loads(
        files("gigalert_shared").joinpath("taxonomy.json").read_text(encoding="utf-8")
    )
    domains = tuple(
        Domain(
            key=d["key"],
            label_ja=d["label_ja"],
            label_en=d["label_en"],
            synonyms=tuple(d["ja"]) + tuple(d["en"]),
        )
        for d in raw["domains"]
    )
    keys = [d.key for d in domains]
    if len(set(keys)) != len(keys):
        raise ValueError("taxonomy.json: duplicate domain key")
    return domains


@dataclass(frozen=True, slots=True)
class _Matcher:
    pattern: re.Pattern[str]
    key_of: dict[str, str]  # normalised synonym -> domain key
    order: dict[str, int]  # domain key -> position in the taxonomy


@cache
def _matcher() -> _Matcher:
    key_of: dict[str, str] = {}
    for domain in load_taxonomy():
        for synonym in domain.synonyms:
            norm = _WS.sub(" ", normalise_text(synonym)).strip()
            if key_of.setdefault(norm, domain.key) != domain.key:
                raise ValueError(f"taxonomy.json: synonym {synonym!r} is in two domains")
    # Longest first, so that at any position the longest synonym wins. Grouped by first
    # character (synonyms with different first characters never match at the same position,
    # so only the order within a group matters): each alternative then starts with a literal,
    # which the engine rejects at a glance and from which it finds where a match can start.
    groups: dict[str, list[str]] = {}
    for synonym in sorted(key_of, key=lambda s: (-len(s), s)):
        groups.setdefault(synonym[0], []).append(_synonym_rest(synonym))
    pattern = re.compile(
        "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())
    )
    order = {d.key: i for i, d in enumerate(load_taxonomy())}
    return _Matcher(pattern=pattern, key_of=key_of, order=order)


def _scan(text: str) -> frozenset[str]:
    """The domain keys in one text."""
    m = _matcher()
    norm = _WS.sub(" ", normalise_text(text))
    found: set[str] = set()
    for hit in m.pattern.finditer(norm):
        synonym = hit.group(0)
        key = m.key_of.get(synonym)  # a hit holds whitespace only if its synonym does
        found.add(key if key is not None else m.key_of[_WS.sub(" ", synonym)])
    return frozenset(found)


# Cached: categories and skills (``PMO``, ``マーケティング``) repeat across listings far more
# than they vary.
_domains_in = lru_cache(maxsize=8192)(_scan)


def domain_keys_in(text: str) -> frozenset[str]:
    """The domain keys in one short, often repeated text (a title, a category, a skill), as a
    set: cached like :func:`domains_from_text`, for callers that combine sets themselves."""
    return _domains_in(text) if text else frozenset()


def domains_from_text(*texts: str) -> list[str]:
    """Canonical domain keys found in any of ``texts``, in taxonomy order, without repeats."""
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(_domains_in(text))
    return sorted(found, key=_matcher().order.__getitem__)


def domains_from_description(description: str) -> list[str]:
    """:func:`domains_from_text` for one long text that rarely repeats (a description): not
    cached, so unique descriptions do not push categories and titles out of the cache."""
    if not description:
        return []
    return sorted(_scan(description), key=_matcher().order.__getitem__)


DOMAIN_ORDER: tuple[str, ...] = tuple(d.key for d in load_taxonomy())
DOMAIN_KEYS: frozenset[str] = frozenset(DOMAIN_ORDER)
