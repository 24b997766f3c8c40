"""The fast path: every active subscription in memory, matched against a gig without
scanning them all. :meth:`SubscriptionIndex.match` returns exactly the subscriptions for
which :func:`.rules.matches` is true; the property tests hold it to that.

See :class:`SubscriptionIndex` for the layout and the update strategy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from gigalert_shared.matching.criteria import ALL_REMOTE_MODES, Criteria, GigFacts
from gigalert_shared.matching.rules import gig_days, gig_rate, matches
from gigalert_shared.taxonomy import DOMAIN_ORDER

__all__ = ["SubscriptionIndex", "build_segment"]

I64 = NDArray[np.int64]

# Meta column (uint8): bits 0-2 are the accepted remote modes, then two markers.
_MODE_BITS: Final = {"remote": 1, "hybrid": 2, "onsite": 4}
_ALL_MODES: Final = 7
_HAS_LOCATIONS: Final = 8  # the subscription has locations: check them for non-remote gigs
_MULTI: Final = 16  # the subscription sits in more than one posting list: deduplicate

# Day limit column (uint8): the limit in half days (週2.5日 → 5); _NO_LIMIT when there is none.
# A limit that is not a whole number of half days is left to the exact rules.
_NO_LIMIT: Final = 255

# Sort key of an entry: block id (posting list and rate group) above, rate floor + 1 below
# (0 = no floor). Floors outside [0, _FLOOR_LIMIT) are left to the exact rules.
_FLOOR_BITS: Final = 36
_FLOOR_LIMIT: Final = (1 << (_FLOOR_BITS - 1)) - 1
_FLOOR_QUERY_MAX: Final = (1 << _FLOOR_BITS) - 1
# Domain mask: bit 63 is "any domain" and is set in every gig's mask; bits 0-62 are domains.
_ANY_DOMAIN_BIT: Final = -(1 << 63)
_MAX_DOMAIN_BITS: Final = 63

_DIRECT_SCAN_LIMIT: Final = 96  # vocabularies up to this size are checked keyword by keyword
_LOCATION_CACHE_SIZE: Final = 4096  # gig location → the vocabulary locations it contains
_LOCATION_MASKS: Final = 16  # per segment: "location fits" arrays for recent location sets

_EMPTY: Final[NDArray[np.int32]] = np.zeros(0, dtype=np.int32)


def _half_days(limit: float) -> int | None:
    """A day limit as whole half days, or None when the column cannot hold it exactly."""
    if not math.isfinite(limit):
        return None
    twice = limit * 2
    if twice != int(twice) or not 0 <= twice < _NO_LIMIT:
        return None
    return int(twice)


def _day_threshold(days: float) -> int:
    """The least half-day code that passes a gig asking for ``days`` (``limit >= days``)."""
    if math.isnan(days) or days * 2 > _NO_LIMIT - 1:
        return _NO_LIMIT  # only "no limit" passes
    if days <= 0:
        return 0  # every limit passes
    return math.ceil(days * 2)


def _csr(groups: list[int], values: list[int], n_groups: int) -> tuple[list[int], I64]:
    """Values grouped by group id: ``values[ptr[g]:ptr[g + 1]]`` belong to group ``g``."""
    g = np.asarray(groups, dtype=np.int64)
    v = np.asarray(values, dtype=np.int64)
    order = np.argsort(g, kind="stable")
    ptr = np.searchsorted(g[order], np.arange(n_groups + 1, dtype=np.int64), side="left")
    return [int(x) for x in ptr], v[order]


def _gather(ptr: list[int], values: I64, groups: Iterable[int]) -> I64 | None:
    parts = [values[ptr[h] : ptr[h + 1]] for h in groups if ptr[h + 1] > ptr[h]]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class _Substrings:
    """Which strings of a fixed vocabulary occur in a text.

    A small vocabulary is checked string by string (``in``, C speed). A large one is first
    narrowed by the first two characters of each string: the text's character bigrams are
    looked up (vectorised) among the vocabulary's, and only strings whose bigram occurs are
    checked. Strings shorter than two characters are always checked."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.vocab: tuple[str, ...] = tuple(vocab)
        self._direct = len(self.vocab) <= _DIRECT_SCAN_LIMIT
        self._short = [i for i, s in enumerate(self.vocab) if len(s) < 2]
        by_anchor: dict[int, list[int]] = {}
        for i, s in enumerate(self.vocab):
            if len(s) >= 2:
                by_anchor.setdefault((ord(s[0]) << 21) | ord(s[1]), []).append(i)
        anchors = sorted(by_anchor)
        self._anchors = np.asarray(anchors, dtype=np.uint64)
        self._anchor_ids = [by_anchor[a] for a in anchors]

    def __len__(self) -> int:
        return len(self.vocab)

    def find(self, text: str) -> list[int]:
        vocab = self.vocab
        if self._direct:
            return [i for i, s in enumerate(vocab) if s in text]
        found = [i for i in self._short if vocab[i] in text]
        if len(text) < 2 or not self._anchor_ids:
            return found
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        wide = points.astype(np.uint64)
        bigrams = (wide[:-1] << np.uint64(21)) | wide[1:]
        at = np.searchsorted(self._anchors, bigrams)
        np.minimum(at, len(self._anchors) - 1, out=at)
        for a in set(at[self._anchors[at] == bigrams].tolist()):
            found.extend(i for i in self._anchor_ids[a] if vocab[i] in text)
        return found


class _Segment:
    """An immutable columnar index of some subscriptions, plus tombstones.

    Posting entries: a subscription without ``keywords_any`` has one entry per domain (or
    one under "any domain"); a subscription with ``keywords_any`` has one entry per distinct
    keyword instead (keywords are far more selective than domains), and its domains are
    checked from a bit mask. Entries are grouped into blocks by (posting list, rate group):
    group A holds the subscriptions that an unknown-rate gig passes (no floor, or
    ``include_unknown_rate``), group B the rest. Within a block entries are sorted by floor,
    so the subscriptions whose floor a rate reaches are a prefix found by binary search.
    Entry columns: position (int32), meta (uint8: modes and markers), day limit (uint8, half
    days) and domain mask (int64).
    """

    def __init__(self, crits: Sequence[Criteria]) -> None:
        n = len(crits)
        self.size = n
        self.crits: NDArray[np.object_] = np.empty(n, dtype=object)
        self.crits[:] = list(crits)
        self.where: dict[UUID, int] = {c.subscription_id: i for i, c in enumerate(crits)}
        self.alive: NDArray[np.bool_] = np.ones(n, dtype=np.bool_)
        self.dead = 0
        self.residual: list[int] = []

        domain_bit: dict[str, int] = {d: i for i, d in enumerate(DOMAIN_ORDER)}
        self.domain_key: dict[str, int] = {}
        keyword_key: dict[str, int] = {}
        vocab: dict[str, int] = {}
        locations: dict[str, int] = {}
        n_keys = 1  # key 0: "any domain"
        mode_cache: dict[frozenset[str], int] = {}
        mask_cache: dict[frozenset[str], int] = {}
        days_cache: dict[float, int | None] = {}

        floor_key = [0] * n
        meta = [0] * n
        domain_masks = [0] * n
        day_codes = [_NO_LIMIT] * n
        entry_block: list[int] = []
        entry_pos: list[int] = []
        none_word: list[int] = []
        none_pos: list[int] = []
        loc_id: list[int] = []
        loc_pos: list[int] = []

        for pos, c in enumerate(crits):
            modes = mode_cache.get(c.remote_modes)
            if modes is None:
                modes = -1
                if c.remote_modes <= ALL_REMOTE_MODES:
                    modes = sum(_MODE_BITS[m] for m in c.remote_modes)
                mode_cache[c.remote_modes] = modes
            dmask = mask_cache.get(c.domains)
            if dmask is None:
                dmask = _ANY_DOMAIN_BIT if not c.domains else 0
                for d in c.domains:
                    bit = domain_bit.setdefault(d, len(domain_bit))
                    if bit >= _MAX_DOMAIN_BITS:
                        dmask = -1  # more domains than bits: exact rules instead
                        break
                    dmask |= 1 << bit
                mask_cache[c.domains] = dmask
            floor = c.min_rate_jpy_h
            days = c.max_days_per_week
            code: int | None = _NO_LIMIT
            if days is not None:
                if days in days_cache:
                    code = days_cache[days]
                else:
                    code = days_cache[days] = _half_days(days)
            if (
                modes < 0
                or dmask == -1
                or code is None
                or (floor is not None and not 0 <= floor < _FLOOR_LIMIT)
            ):
                self.residual.append(pos)
                continue
            day_codes[pos] = code
            group = 0
            if floor is not None:
                floor_key[pos] = floor + 1
                group = 0 if c.include_unknown_rate else 1
            flag = modes
            if c.keywords_any:
                words = dict.fromkeys(c.keywords_any)
                for w in words:
                    key = keyword_key.get(w)
                    if key is None:
                        key = keyword_key[w] = n_keys
                        n_keys += 1
                    vocab.setdefault(w, len(vocab))
                    entry_block.append(2 * key + group)
                    entry_pos.append(pos)
                if len(words) > 1:
                    flag |= _MULTI
                domain_masks[pos] = dmask
            else:
                for d in c.domains:
                    key = self.domain_key.get(d)
                    if key is None:
                        key = self.domain_key[d] = n_keys
                        n_keys += 1
                    entry_block.append(2 * key + group)
                    entry_pos.append(pos)
                if not c.domains:
                    entry_block.append(group)
                    entry_pos.append(pos)
                if len(c.domains) > 1:
                    flag |= _MULTI
                domain_masks[pos] = _ANY_DOMAIN_BIT
            for w in dict.fromkeys(c.keywords_none):
                none_word.append(vocab.setdefault(w, len(vocab)))
                none_pos.append(pos)
            if c.locations:
                flag |= _HAS_LOCATIONS
                for loc in dict.fromkeys(c.locations):
                    loc_id.append(locations.setdefault(loc, len(locations)))
                    loc_pos.append(pos)
            meta[pos] = flag

        self.domain_bit = domain_bit
        self.has_days = any(code != _NO_LIMIT for code in day_codes)
        self.has_locations = bool(loc_pos)
        self.has_multi = any(f & _MULTI for f in meta)

        # Entries, sorted by (block, floor); then one array per column.
        block = np.asarray(entry_block, dtype=np.int64)
        where = np.asarray(entry_pos, dtype=np.int64)
        keys = (block << _FLOOR_BITS) | np.asarray(floor_key, dtype=np.int64)[where]
        order = np.argsort(keys, kind="stable")
        self.keys: I64 = keys[order]
        where = where[order]
        self.e_pos: NDArray[np.int32] = where.astype(np.int32)
        self.e_meta: NDArray[np.uint8] = np.asarray(meta, dtype=np.uint8)[where]
        self.e_days: NDArray[np.uint8] = np.asarray(day_codes, dtype=np.uint8)[where]
        self.e_domains: I64 = np.asarray(domain_masks, dtype=np.int64)[where]
        bounds = np.searchsorted(
            self.keys, np.arange(2 * n_keys + 1, dtype=np.int64) << _FLOOR_BITS, side="left"
        ).tolist()
        self.block_start: list[int] = bounds[:-1]
        self.block_end: list[int] = bounds[1:]

        # Keywords: one vocabulary for keywords_any and keywords_none.
        self.words = _Substrings(list(vocab))
        word_key = [-1] * len(vocab)
        for w, key in keyword_key.items():
            word_key[vocab[w]] = key
        self.word_key = word_key
        self.none_ptr, self.none_pos = _csr(none_word, none_pos, len(vocab))
        self.has_none = bool(none_pos)
        self.loc_vocab: tuple[str, ...] = tuple(locations)
        self.loc_ptr, self.loc_pos = _csr(loc_id, loc_pos, len(locations))
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
            return _EMPTY
        found, repeats = self._match_entries(g) if len(self.keys) else (_EMPTY, False)
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
            hit = _gather(self.loc_ptr, self.loc_pos, ids)
            if hit is not None:
                fits[hit] = True
            if len(self._loc_masks) >= _LOCATION_MASKS:
                del self._loc_masks[next(iter(self._loc_masks))]  # the least recently used
        self._loc_masks[ids] = fits
        return fits

    def _match_entries(self, g: GigFacts) -> tuple[NDArray[np.int32], bool]:
        """Positions matched by the posting lists (unsorted), and whether some may repeat."""
        if g.remote_mode is None:
            need = _ALL_MODES
        elif g.remote_mode in _MODE_BITS:
            need = _MODE_BITS[g.remote_mode]
        else:
            return _EMPTY, False  # a mode no subscription here accepts
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
            query = min(figure + 1, _FLOOR_QUERY_MAX) if figure > 0 else 0
            bids = [b for k in domain_keys + keyword_keys for b in (2 * k, 2 * k + 1)]
            bounds = np.asarray([(b << _FLOOR_BITS) | query for b in bids], dtype=np.int64)
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
            return _EMPTY, False

        def cat(column: NDArray[Any], which: list[tuple[int, int]]) -> NDArray[Any]:
            parts = [column[s:e] for s, e in which]
            return parts[0] if len(parts) == 1 else np.concatenate(parts)

        # 3. Vectorised filters: remote mode, days, domains (keyword postings only).
        meta = cat(self.e_meta, ranges)
        keep = (meta & need) == need
        days = gig_days(g)
        if days is not None and self.has_days:
            threshold = _day_threshold(days)
            if threshold == _NO_LIMIT:
                keep &= cat(self.e_days, ranges) == _NO_LIMIT
            elif threshold > 0:
                keep &= cat(self.e_days, ranges) >= threshold
        if keyword_ranges:
            gig_mask = _ANY_DOMAIN_BIT
            for d in g.domains:
                bit = self.domain_bit.get(d)
                if bit is not None and bit < _MAX_DOMAIN_BITS:
                    gig_mask |= 1 << bit
            n_domain_entries = sum(e - s for s, e in domain_ranges)
            keep[n_domain_entries:] &= (cat(self.e_domains, keyword_ranges) & gig_mask) != 0
        at = np.flatnonzero(keep)
        if not at.size:
            return _EMPTY, False
        pos = cat(self.e_pos, ranges)[at]

        # 4. The rest, on the survivors only.
        ok: NDArray[np.bool_] | None = None
        if self.dead:
            ok = self.alive[pos]
        if self.has_none and words:
            banned = _gather(self.none_ptr, self.none_pos, words)
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
        need = np.flatnonzero(meta & _HAS_LOCATIONS)
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


class SubscriptionIndex:
    """The active subscriptions of one matcher replica, indexed so that matching a gig
    costs about the size of its candidate lists, not the number of subscriptions.

    Layout (per segment, see ``_Segment``):

    * **Posting lists.** A subscription without keywords is listed under each of its
      domains, or under "any domain"; a subscription with ``keywords_any`` is listed under
      each of its keywords instead (rarer, so shorter lists) and its domains are checked
      from a 64-bit mask. A gig reads the lists of "any domain", of its own domains and of
      the keywords that occur in its text.
    * **Rate by binary search.** Every list is split in two blocks: A, the subscriptions an
      unknown-rate gig passes (no floor, or ``include_unknown_rate``), and B, the rest. Each
      block is sorted by floor, so a gig with a figure reads the prefix of A and of B whose
      floor it reaches (one vectorised ``searchsorted`` for all blocks), and a gig without a
      figure reads all of A and nothing of B.
    * **Vectorised filters** (numpy, over the prefixes only): remote mode (bit mask in a
      uint8 column), day limit (a uint8 column of half days), domains for keyword postings
      (64-bit mask). Then, on the survivors: tombstones, ``keywords_none`` (an inverted index
      of excluded keywords: the subscriptions banned by the keywords found in the text are
      marked in a scratch array), locations (non-remote gigs only: a cached boolean array
      "fits this set of locations", per distinct set a gig's location hits).
    * **Output** in position order (sorted: memory locality for the caller); subscriptions
      listed twice (under two of the gig's domains, or two keywords found in its text) are
      then adjacent, and dropped.
    * **Keyword detection.** The distinct keywords of a segment form one vocabulary; a gig's
      text is checked against it once (string by string when small; when large, narrowed
      first by the text's character bigrams, vectorised).
    * Subscriptions the arrays cannot represent exactly (a remote mode outside the three, a
      negative or absurd floor, a day limit that is not a whole number of half days below
      127.5, more than 63 distinct domains) are kept aside and checked with
      :func:`.rules.matches` for every gig: in practice none.

    Cost per gig: a fixed part (keyword scan, block lookup: tens of µs), a part linear in the
    candidates (the rate prefixes of the gig's lists: a few ns each) and, for :meth:`match`,
    one Python object per match (~50–150 ns each, memory-bound). :meth:`count` skips the last.
    Memory: about 15 bytes per posting entry plus the ``Criteria`` objects and an id map.

    Updates, LSM style, so that a subscription saved now matches the next gig:

    * :meth:`upsert` tombstones the old version (a flag in an ``alive`` array) and puts the
      new one in a small **delta** dict, checked with :func:`.rules.matches` on every gig.
    * When the delta exceeds ``delta_limit`` (256) it is folded, with the live part of a
      second, **small segment**, into a new small segment (an index like the main one, built
      in milliseconds).
    * When the small segment plus the main segment's tombstones exceed ``rebuild_limit``
      (5,000), everything live is rebuilt into a new main segment (about 4 s at a million
      subscriptions on our machine). By default that blocks the caller; with
      ``background_rebuild`` it only sets :attr:`rebuild_due`, and the owner builds the
      segment elsewhere: :meth:`begin_rebuild` snapshots what is live and starts tracking
      changes, :func:`build_segment` (pure, safe in a thread) builds it,
      :meth:`finish_rebuild` swaps it in and replays the changes made meanwhile.
      :meth:`compact` rebuilds at once.

    Not thread-safe: one thread (the event loop) matches and updates. ``match`` uses scratch
    arrays of the segment, so calls must not interleave.
    """

    def __init__(
        self,
        criteria: Iterable[Criteria] = (),
        *,
        delta_limit: int = 256,
        rebuild_limit: int = 5000,
        background_rebuild: bool = False,
    ) -> None:
        self.delta_limit = delta_limit
        self.rebuild_limit = rebuild_limit
        self.background_rebuild = background_rebuild
        self.rebuild_due = False
        self._changed_since_snapshot: set[UUID] | None = None
        unique = {c.subscription_id: c for c in criteria}
        self._main = _Segment(list(unique.values()))
        self._small = _Segment([])
        self._delta: dict[UUID, Criteria] = {}
        self.rebuilds = 0

    def __len__(self) -> int:
        return self._main.live + self._small.live + len(self._delta)

    def __contains__(self, subscription_id: object) -> bool:
        return isinstance(subscription_id, UUID) and self.get(subscription_id) is not None

    def __iter__(self) -> Iterator[Criteria]:
        yield from self._main.live_criteria()
        yield from self._small.live_criteria()
        yield from self._delta.values()

    def get(self, subscription_id: UUID) -> Criteria | None:
        found = self._delta.get(subscription_id)
        if found is None:
            found = self._small.get(subscription_id)
        if found is None:
            found = self._main.get(subscription_id)
        return found

    @property
    def stats(self) -> dict[str, int]:
        """Sizes, for metrics: live subscriptions, and those in each level."""
        return {
            "subscriptions": len(self),
            "main": self._main.live,
            "main_tombstones": self._main.dead,
            "small": self._small.live,
            "delta": len(self._delta),
            "rebuilds": self.rebuilds,
        }

    def remove(self, subscription_id: UUID) -> bool:
        """Forget a subscription; ``False`` if it was not there."""
        if self._changed_since_snapshot is not None:
            self._changed_since_snapshot.add(subscription_id)
        if self._delta.pop(subscription_id, None) is not None:
            return True
        return self._small.kill(subscription_id) or self._main.kill(subscription_id)

    def upsert(self, c: Criteria) -> None:
        """Add a subscription, or replace the one with the same id."""
        self.remove(c.subscription_id)
        self._delta[c.subscription_id] = c
        if len(self._delta) > self.delta_limit:
            self._fold()

    def _fold(self) -> None:
        pending = self._small.live_criteria() + list(self._delta.values())
        self._delta = {}
        if len(pending) + self._main.dead <= self.rebuild_limit:
            self._small = _Segment(pending)
        elif self.background_rebuild:
            self._small = _Segment(pending)
            self.rebuild_due = self._changed_since_snapshot is None
        else:
            self._main = _Segment(self._main.live_criteria() + pending)
            self._small = _Segment([])
            self.rebuilds += 1

    def compact(self) -> None:
        """Rebuild everything live into one main segment (no delta, no tombstones)."""
        if self.rebuilding:
            raise RuntimeError("a rebuild is in flight")
        self.finish_rebuild(build_segment(self.begin_rebuild()))

    @property
    def rebuilding(self) -> bool:
        return self._changed_since_snapshot is not None

    def begin_rebuild(self) -> list[Criteria]:
        """Everything live now, for :func:`build_segment`; changes from now on are replayed
        by :meth:`finish_rebuild`."""
        self.rebuild_due = False
        self._changed_since_snapshot = set()
        return list(self)

    def finish_rebuild(self, segment: _Segment) -> None:
        """Make ``segment`` (built from :meth:`begin_rebuild`'s snapshot) the main segment."""
        changed = self._changed_since_snapshot or set()
        self._changed_since_snapshot = None
        current = {i: self.get(i) for i in changed}
        for subscription_id in changed:
            segment.kill(subscription_id)
        self._main = segment
        self._small = _Segment([])
        self._delta = {i: c for i, c in current.items() if c is not None}
        self.rebuilds += 1
        if len(self._delta) > self.delta_limit:
            self._fold()

    def abandon_rebuild(self) -> None:
        """Forget a rebuild that failed; the next fold over the limit asks again."""
        self._changed_since_snapshot = None

    def match(self, g: GigFacts) -> list[Criteria]:
        """Every subscription ``g`` matches (:func:`.rules.matches`), each once."""
        found = self._main.positions(g)
        out: list[Criteria] = self._main.crits[found].tolist() if found.size else []
        if self._small.live:
            found = self._small.positions(g)
            out.extend(self._small.crits[found].tolist())
        out.extend(c for c in self._delta.values() if matches(c, g))
        return out

    def count(self, g: GigFacts) -> int:
        """How many subscriptions ``g`` matches, without materialising them."""
        found = len(self._main.positions(g)) + len(self._small.positions(g))
        return found + sum(1 for c in self._delta.values() if matches(c, g))


def build_segment(criteria: Sequence[Criteria]) -> _Segment:
    """A main segment of ``criteria``; touches no shared state, so it may run in a thread."""
    return _Segment(criteria)
