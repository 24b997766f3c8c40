"""One immutable, columnar part of the subscription index: see :class:`IndexSegment`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from gigalert_matcher.matching.encoding import (
    ALL_MODES,
    ANY_DOMAIN_BIT,
    EMPTY,
    FLOOR_BITS,
    FLOOR_QUERY_MAX,
    HAS_LOCATIONS,
    MAX_DOMAIN_BITS,
    MODE_BITS,
    MULTI,
    NO_LIMIT,
    day_threshold,
    gather,
)
from gigalert_matcher.matching.segment_build import (
    encode_criteria,
    invert_lists,
    post_entries,
    sort_entries,
)
from gigalert_matcher.matching.substrings import Substrings
from gigalert_shared.matching.criteria import Criteria, GigFacts
from gigalert_shared.matching.rules import gig_days, gig_rate, matches

_LOCATION_CACHE_SIZE: Final = 4096  # gig location → the vocabulary locations it contains
_LOCATION_MASKS: Final = 16  # per segment: "location fits" arrays for recent location sets


class IndexSegment:
    """An immutable columnar index of some subscriptions, plus tombstones.

    Posting entries: a subscription without ``keywords_any`` has one entry per domain (or
    one under "any domain"); a subscription with ``keywords_any`` has one entry per distinct
    keyword instead (keywords are far more selective than domains), and its domains are
    checked from a bit mask. Entries are grouped into blocks by (posting list, rate group):
    group A holds the subscriptions that an unknown-rate gig passes (no floor, or
    ``include_unknown_rate``), group B the rest. Within a block entries are sorted by floor,
    so the subscriptions whose floor a rate reaches are a prefix found by binary search.
    Entry columns: position (int32), meta (uint8: modes and markers), day limit (uint8, half
    days) and domain mask (int64). Built in steps by :mod:`.segment_build`.
    """

    def __init__(self, crits: Sequence[Criteria]) -> None:
        n = len(crits)
        self.size = n
        self.crits: NDArray[np.object_] = np.empty(n, dtype=object)
        self.crits[:] = list(crits)
        self.where: dict[UUID, int] = {c.subscription_id: i for i, c in enumerate(crits)}
        self.alive: NDArray[np.bool_] = np.ones(n, dtype=np.bool_)
        self.dead = 0

        codes = encode_criteria(crits)
        entries = post_entries(crits, codes)
        lists = invert_lists(crits, codes, entries.keyword_key)
        columns = sort_entries(codes, entries)
        self.residual = codes.residual
        self.domain_bit = codes.domain_bit
        self.domain_key = entries.domain_key
        self.has_days = any(code != NO_LIMIT for code in codes.day_code)
        self.has_locations = bool(lists.loc_pos.size)
        self.has_multi = any(f & MULTI for f in codes.meta)

        self.keys = columns.keys
        self.e_pos = columns.pos
        self.e_meta = columns.meta
        self.e_days = columns.days
        self.e_domains = columns.domains
        self.block_start = columns.block_start
        self.block_end = columns.block_end

        # Keywords: one vocabulary for keywords_any and keywords_none.
        self.words = Substrings(list(lists.vocab))
        word_key = [-1] * len(lists.vocab)
        for w, key in entries.keyword_key.items():
            word_key[lists.vocab[w]] = key
        self.word_key = word_key
        self.none_ptr, self.none_pos = lists.none_ptr, lists.none_pos
        self.has_none = bool(lists.none_pos.size)
        self.loc_vocab = lists.loc_vocab
        self.loc_ptr, self.loc_pos = lists.loc_ptr, lists.loc_pos
        self._loc_hits: dict[str, tuple[int, ...]] = {}
        self._loc_masks: dict[tuple[int, ...], NDArray[np.bool_]] = {}

        # Scratch space for matching: position marks.
        self._mark: NDArray[np.bool_] = np.zeros(n, dtype=np.bool_)

    # -- bookkeeping -------------------------------------------------------------------

    @property
    def live(self) -> int:
        return self.size - self.dead

    def kill(self, subscription_id: UUID) -> bool:
        pos = self.where.pop(subscription_id, None)
        if pos is None:
            return False
        self.alive[pos] = False
        self.dead += 1
        return True

    def get(self, subscription_id: UUID) -> Criteria | None:
        pos = self.where.get(subscription_id)
        if pos is None:
            return None
        found: Criteria = self.crits[pos]
        return found

    def live_criteria(self) -> list[Criteria]:
        out: list[Criteria] = (self.crits[self.alive] if self.dead else self.crits).tolist()
        return out

    # -- matching ----------------------------------------------------------------------

    def positions(self, g: GigFacts) -> NDArray[np.int32]:
        """Positions of the live subscriptions ``g`` matches, ascending, each once."""
        if self.live == 0:
            return EMPTY
        found, repeats = self._match_entries(g) if len(self.keys) else (EMPTY, False)
        if self.residual:
            extra = [p for p in self.residual if self.alive[p] and matches(self.crits[p], g)]
            if extra:
                found = np.concatenate((found, np.asarray(extra, dtype=np.int32)))
        found.sort()  # memory order for the caller, and repeats side by side
        if repeats and found.size > 1:
            first = np.empty(found.size, dtype=np.bool_)
            first[0] = True
            np.not_equal(found[1:], found[:-1], out=first[1:])
            found = found[first]
        return found

    def _location_fits(self, location: str) -> NDArray[np.bool_] | None:
        """By position: whether one of the subscription's locations is part of ``location``
        (``None``: none is). Cached for the last few distinct sets of locations hit."""
        ids = self._loc_hits.get(location)
        if ids is None:
            ids = tuple(i for i, loc in enumerate(self.loc_vocab) if loc in location)
            if len(self._loc_hits) >= _LOCATION_CACHE_SIZE:
                self._loc_hits.clear()
            self._loc_hits[location] = ids
        if not ids:
            return None
        fits = self._loc_masks.pop(ids, None)
        if fits is None:
            fits = np.zeros(self.size, dtype=np.bool_)
            hit = gather(self.loc_ptr, self.loc_pos, ids)
            if hit is not None:
                fits[hit] = True
            if len(self._loc_masks) >= _LOCATION_MASKS:
                del self._loc_masks[next(iter(self._loc_masks))]  # the least recently used
        self._loc_masks[ids] = fits
        return fits

    def _match_entries(self, g: GigFacts) -> tuple[NDArray[np.int32], bool]:
        """Positions matched by the posting lists (unsorted), and whether some may repeat."""
        if g.remote_mode is None:
            need = ALL_MODES
        elif g.remote_mode in MODE_BITS:
            need = MODE_BITS[g.remote_mode]
        else:
            return EMPTY, False  # a mode no subscription here accepts
        words = self.words.find(g.search_text) if len(self.words) else []

        # 1. Posting lists: any domain and the gig's domains, then the keywords in its text.
        domain_keys = [0]
        domain_keys.extend(self.domain_key[d] for d in g.domains if d in self.domain_key)
        word_key = self.word_key
        keyword_keys = [k for k in (word_key[w] for w in words) if k >= 0]
        n_domain_blocks = len(domain_keys)

        # 2. Rate: a prefix of each block, by binary search on the floor.
        figure = gig_rate(g)
        if figure is None:  # group A blocks only, whole
            bids = [2 * k for k in domain_keys + keyword_keys]
            stops = [self.block_end[b] for b in bids]
        else:  # groups A and B, the prefix the figure reaches
            n_domain_blocks *= 2
            # Unpaid work (0) reaches no floor: only the entries without one (key 0).
            query = min(figure + 1, FLOOR_QUERY_MAX) if figure > 0 else 0
            bids = [b for k in domain_keys + keyword_keys for b in (2 * k, 2 * k + 1)]
            bounds = np.asarray([(b << FLOOR_BITS) | query for b in bids], dtype=np.int64)
            stops = np.searchsorted(self.keys, bounds, side="right").tolist()
        starts = [self.block_start[b] for b in bids]
        domain_ranges = [
            (s, e)
            for s, e in zip(starts[:n_domain_blocks], stops[:n_domain_blocks], strict=True)
            if e > s
        ]
        keyword_ranges = [
            (s, e)
            for s, e in zip(starts[n_domain_blocks:], stops[n_domain_blocks:], strict=True)
            if e > s
        ]
        ranges = domain_ranges + keyword_ranges
        if not ranges:
            return EMPTY, False

        def cat(column: NDArray[Any], which: list[tuple[int, int]]) -> NDArray[Any]:
            parts = [column[s:e] for s, e in which]
            return parts[0] if len(parts) == 1 else np.concatenate(parts)

        # 3. Vectorised filters: remote mode, days, domains (keyword postings only).
        meta = cat(self.e_meta, ranges)
        keep = (meta & need) == need
        days = gig_days(g)
        if days is not None and self.has_days:
            threshold = day_threshold(days)
            if threshold == NO_LIMIT:
                keep &= cat(self.e_days, ranges) == NO_LIMIT
            elif threshold > 0:
                keep &= cat(self.e_days, ranges) >= threshold
        if keyword_ranges:
            gig_mask = ANY_DOMAIN_BIT
            for d in g.domains:
                bit = self.domain_bit.get(d)
                if bit is not None and bit < MAX_DOMAIN_BITS:
                    gig_mask |= 1 << bit
            n_domain_entries = sum(e - s for s, e in domain_ranges)
            keep[n_domain_entries:] &= (cat(self.e_domains, keyword_ranges) & gig_mask) != 0
        at = np.flatnonzero(keep)
        if not at.size:
            return EMPTY, False
        pos = cat(self.e_pos, ranges)[at]

        # 4. The rest, on the survivors only.
        ok: NDArray[np.bool_] | None = None
        if self.dead:
            ok = self.alive[pos]
        if self.has_none and words:
            banned = gather(self.none_ptr, self.none_pos, words)
            if banned is not None:
                mark = self._mark
                mark[banned] = True
                clean = ~mark[pos]
                mark[banned] = False
                ok = clean if ok is None else ok & clean
        if self.has_locations and g.remote_mode != "remote":
            ok = self._check_locations(g, pos, meta[at], ok)
        # Listed twice only under two of the gig's domains, or two keywords in its text.
        repeats = self.has_multi and (len(domain_keys) > 2 or len(keyword_keys) > 1)
        return (pos if ok is None else pos[ok]), repeats

    def _check_locations(
        self,
        g: GigFacts,
        pos: NDArray[np.int32],
        meta: NDArray[np.uint8],
        ok: NDArray[np.bool_] | None,
    ) -> NDArray[np.bool_] | None:
        need = np.flatnonzero(meta & HAS_LOCATIONS)
        if not need.size:
            return ok
        if ok is None:
            ok = np.ones(len(pos), dtype=np.bool_)
        fits = None if g.location is None else self._location_fits(g.location)
        if fits is None:
            ok[need] = False
        else:
            ok[need] &= fits[pos[need]]
        return ok
