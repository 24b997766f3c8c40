"""Building a segment's columns from criteria, in named steps (see :class:`.IndexSegment`).

1. :func:`encode_criteria`: each subscription's modes, rate floor, day limit and domain
   mask as column codes; those the columns cannot hold exactly are left to the exact rules.
2. :func:`post_entries`: the posting entries, by (posting list, rate group) block.
3. :func:`invert_lists`: ``keywords_none`` and ``locations`` as inverted lists.
4. :func:`sort_entries`: the entries sorted by (block, floor), one array per column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from gigalert_matcher.matching.encoding import (
    ANY_DOMAIN_BIT,
    FLOOR_BITS,
    FLOOR_LIMIT,
    HAS_LOCATIONS,
    I64,
    MAX_DOMAIN_BITS,
    MODE_BITS,
    MULTI,
    NO_LIMIT,
    csr,
    half_days,
)
from gigalert_shared.matching.criteria import ALL_REMOTE_MODES, Criteria
from gigalert_shared.taxonomy import DOMAIN_ORDER


@dataclass
class CriteriaCodes:
    """Step 1: column codes by position; ``indexed`` are the positions the entries hold,
    ``residual`` the rest (checked with the exact rules)."""

    meta: list[int]  # mode bits; markers are added by the later steps
    floor_key: list[int]
    domain_mask: list[int]
    day_code: list[int]
    domain_bit: dict[str, int]
    indexed: list[int] = field(default_factory=list)
    residual: list[int] = field(default_factory=list)


@dataclass
class Entries:
    """Step 2: one posting entry per (block, position); keys number the posting lists."""

    block: list[int] = field(default_factory=list)
    pos: list[int] = field(default_factory=list)
    domain_key: dict[str, int] = field(default_factory=dict)
    keyword_key: dict[str, int] = field(default_factory=dict)
    n_keys: int = 1  # key 0: "any domain"


@dataclass
class InvertedLists:
    """Step 3: the keyword vocabulary (``keywords_any`` first), and which positions each
    excluded keyword and each location belong to (CSR: ``ptr``, positions)."""

    vocab: dict[str, int]
    none_ptr: list[int]
    none_pos: I64
    loc_vocab: tuple[str, ...]
    loc_ptr: list[int]
    loc_pos: I64


@dataclass
class EntryColumns:
    """Step 4: the entries sorted by key (block, then floor), and each block's range."""

    keys: I64
    pos: NDArray[np.int32]
    meta: NDArray[np.uint8]
    days: NDArray[np.uint8]
    domains: I64
    block_start: list[int]
    block_end: list[int]


def encode_criteria(crits: Sequence[Criteria]) -> CriteriaCodes:
    n = len(crits)
    codes = CriteriaCodes(
        meta=[0] * n,
        floor_key=[0] * n,
        domain_mask=[0] * n,
        day_code=[NO_LIMIT] * n,
        domain_bit={d: i for i, d in enumerate(DOMAIN_ORDER)},
    )
    mode_cache: dict[frozenset[str], int] = {}
    mask_cache: dict[frozenset[str], int] = {}
    days_cache: dict[float, int | None] = {}
    for pos, c in enumerate(crits):
        modes = mode_cache.get(c.remote_modes)
        if modes is None:
            modes = mode_cache[c.remote_modes] = _mode_bits(c.remote_modes)
        dmask = mask_cache.get(c.domains)
        if dmask is None:
            dmask = mask_cache[c.domains] = _domain_mask(c.domains, codes.domain_bit)
        floor = c.min_rate_jpy_h
        days = c.max_days_per_week
        code: int | None = NO_LIMIT
        if days is not None:
            if days in days_cache:
                code = days_cache[days]
            else:
                code = days_cache[days] = half_days(days)
        if (
            modes < 0
            or dmask == -1
            or code is None
            or (floor is not None and not 0 <= floor < FLOOR_LIMIT)
        ):
            codes.residual.append(pos)
            continue
        codes.indexed.append(pos)
        codes.meta[pos] = modes
        codes.day_code[pos] = code
        if floor is not None:
            codes.floor_key[pos] = floor + 1
        # Keyword postings check domains from the mask; domain postings need no check.
        codes.domain_mask[pos] = dmask if c.keywords_any else ANY_DOMAIN_BIT
    return codes


def _mode_bits(modes: frozenset[str]) -> int:
    """The modes as meta bits; -1 for a mode outside the three."""
    if not modes <= ALL_REMOTE_MODES:
        return -1
    return sum(MODE_BITS[m] for m in modes)


def _domain_mask(domains: frozenset[str], domain_bit: dict[str, int]) -> int:
    """The domains as a mask (numbering new domains in ``domain_bit``); -1 past 63 bits."""
    if not domains:
        return ANY_DOMAIN_BIT
    mask = 0
    for d in domains:
        bit = domain_bit.setdefault(d, len(domain_bit))
        if bit >= MAX_DOMAIN_BITS:
            return -1  # more domains than bits: exact rules instead
        mask |= 1 << bit
    return mask


def post_entries(crits: Sequence[Criteria], codes: CriteriaCodes) -> Entries:
    """A subscription with ``keywords_any`` is listed under each distinct keyword, any other
    under each domain (or "any domain"); group A (block ``2 * key``) holds those an
    unknown-rate gig passes, group B (``2 * key + 1``) the rest."""
    out = Entries()
    for pos in codes.indexed:
        c = crits[pos]
        group = 1 if c.min_rate_jpy_h is not None and not c.include_unknown_rate else 0
        if c.keywords_any:
            lists, by_name = list(dict.fromkeys(c.keywords_any)), out.keyword_key
        else:
            lists, by_name = list(c.domains), out.domain_key
        for name in lists:
            key = by_name.get(name)
            if key is None:
                key = by_name[name] = out.n_keys
                out.n_keys += 1
            out.block.append(2 * key + group)
            out.pos.append(pos)
        if not lists:  # no keywords, any domain
            out.block.append(group)
            out.pos.append(pos)
        if len(lists) > 1:
            codes.meta[pos] |= MULTI
    return out


def invert_lists(
    crits: Sequence[Criteria], codes: CriteriaCodes, keywords: dict[str, int]
) -> InvertedLists:
    vocab = {w: i for i, w in enumerate(keywords)}
    none_word: list[int] = []
    none_pos: list[int] = []
    locations: dict[str, int] = {}
    loc_id: list[int] = []
    loc_pos: list[int] = []
    for pos in codes.indexed:
        c = crits[pos]
        for w in dict.fromkeys(c.keywords_none):
            none_word.append(vocab.setdefault(w, len(vocab)))
            none_pos.append(pos)
        if c.locations:
            codes.meta[pos] |= HAS_LOCATIONS
            for loc in dict.fromkeys(c.locations):
                loc_id.append(locations.setdefault(loc, len(locations)))
                loc_pos.append(pos)
    none_ptr, none_at = csr(none_word, none_pos, len(vocab))
    loc_ptr, loc_at = csr(loc_id, loc_pos, len(locations))
    return InvertedLists(vocab, none_ptr, none_at, tuple(locations), loc_ptr, loc_at)


def sort_entries(codes: CriteriaCodes, entries: Entries) -> EntryColumns:
    block = np.asarray(entries.block, dtype=np.int64)
    where = np.asarray(entries.pos, dtype=np.int64)
    keys = (block << FLOOR_BITS) | np.asarray(codes.floor_key, dtype=np.int64)[where]
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    where = where[order]
    bounds = np.searchsorted(
        keys, np.arange(2 * entries.n_keys + 1, dtype=np.int64) << FLOOR_BITS, side="left"
    ).tolist()
    return EntryColumns(
        keys=keys,
        pos=where.astype(np.int32),
        meta=np.asarray(codes.meta, dtype=np.uint8)[where],
        days=np.asarray(codes.day_code, dtype=np.uint8)[where],
        domains=np.asarray(codes.domain_mask, dtype=np.int64)[where],
        block_start=bounds[:-1],
        block_end=bounds[1:],
    )
