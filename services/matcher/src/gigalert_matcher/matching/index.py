"""The fast path: every active subscription in memory, matched against a gig without
scanning them all. :meth:`SubscriptionIndex.match` returns exactly the subscriptions for
which :func:`.rules.matches` is true; the property tests hold it to that.

See :class:`SubscriptionIndex` for the layout and the update strategy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Final
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from gigalert_shared.taxonomy import DOMAIN_ORDER

from gigalert_matcher.matching.criteria import ALL_REMOTE_MODES, Criteria, GigFacts
from gigalert_matcher.matching.rules import gig_days, gig_rate, matches

__all__ = ["SubscriptionIndex"]

I64 = NDArray[np.int64]

# Flags column: bits 0-2 are the accepted remote modes, then two markers.
_MODE_BITS: Final = {"remote": 1, "hybrid": 2, "onsite": 4}
_ALL_MODES: Final = 7
_HAS_LOCATIONS: Final = 8  # the subscription has locations: check them for non-remote gigs
_MULTI: Final = 16  # the subscription sits in more than one posting list: deduplicate

# Rows of a segment's entry matrix (one column per posting entry).
_POS, _FLAGS, _DOMAINS, _MAX_DAYS = 0, 1, 2, 3

# Sort key of an entry: block id (posting list and rate group) above, rate floor + 1 below
# (0 = no floor). Floors outside [0, _FLOOR_LIMIT) are left to the exact rules.
_FLOOR_BITS: Final = 36
_FLOOR_LIMIT: Final = (1 << (_FLOOR_BITS - 1)) - 1
_FLOOR_QUERY_MAX: Final = (1 << _FLOOR_BITS) - 1
# Domain mask: bit 63 is "any domain" and is set in every gig's mask; bits 0-62 are domains.
_ANY_DOMAIN_BIT: Final = -(1 << 63)
_MAX_DOMAIN_BITS: Final = 63

_DIRECT_SCAN_LIMIT: Final = 96  # vocabularies up to this size are checked keyword by keyword
_LOCATION_CACHE_SIZE: Final = 4096
_ASK_EACH_RATIO: Final = 8  # ask each subscription when postings are this many times more


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

        floor_key = [0] * n
        flags = [0] * n
        domain_masks = [0] * n
        max_days = [math.inf] * n
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
            if (
                modes < 0
                or dmask == -1
                or (floor is not None and not 0 <= floor < _FLOOR_LIMIT)
                or (days is not None and not math.isfinite(days))
            ):
                self.residual.append(pos)
                continue
            group = 0
            if floor is not None:
                floor_key[pos] = floor + 1
                group = 0 if c.include_unknown_rate else 1
            if days is not None:
                max_days[pos] = float(days)
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
            flags[pos] = flag

        self.domain_bit = domain_bit
        self.has_days = any(d != math.inf for d in max_days)
        self.has_locations = bool(loc_pos)
        self.has_multi = any(f & _MULTI for f in flags)

        # Entries, sorted by (block, floor).
        block = np.asarray(entry_block, dtype=np.int64)
        where = np.asarray(entry_pos, dtype=np.int64)
        keys = (block << _FLOOR_BITS) | np.asarray(floor_key, dtype=np.int64)[where]
        order = np.argsort(keys, kind="stable")
        self.keys: I64 = keys[order]
        where = where[order]
        cols = np.empty((4, len(where)), dtype=np.int64)
        cols[_POS] = where
        cols[_FLAGS] = np.asarray(flags, dtype=np.int64)[where]
        cols[_DOMAINS] = np.asarray(domain_masks, dtype=np.int64)[where]
        cols[_MAX_DAYS] = np.asarray(max_days, dtype=np.float64)[where].view(np.int64)
        self.cols: I64 = cols
        bounds = np.searchsorted(
            self.keys, np.arange(2 * n_keys + 1, dtype=np.int64) << _FLOOR_BITS, side="left"
        )
        self.block_start: I64 = bounds[:-1]
        self.block_end: I64 = bounds[1:]

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
        self._loc_cache: dict[str, tuple[frozenset[str], list[int]]] = {}

        # Scratch space for match(): position marks and owners (for deduplication).
        self._mark: NDArray[np.bool_] = np.zeros(n, dtype=np.bool_)
        self._owner: NDArray[np.int64] = np.zeros(n, dtype=np.int64)

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
        if not self.dead:
            return list(self.crits.tolist())
        out: list[Criteria] = self.crits[self.alive].tolist()
        return out

    # -- matching ----------------------------------------------------------------------

    def _locations_hit(self, location: str) -> tuple[frozenset[str], list[int]]:
        hit = self._loc_cache.get(location)
        if hit is None:
            ids = [i for i, loc in enumerate(self.loc_vocab) if loc in location]
            hit = (frozenset(self.loc_vocab[i] for i in ids), ids)
            if len(self._loc_cache) >= _LOCATION_CACHE_SIZE:
                self._loc_cache.clear()
            self._loc_cache[location] = hit
        return hit

    def match(self, g: GigFacts, out: list[Criteria]) -> None:
        if self.live == 0:
            return
        if self.cols.shape[1]:
            self._match_entries(g, out)
        for pos in self.residual:
            c: Criteria = self.crits[pos]
            if self.alive[pos] and matches(c, g):
                out.append(c)

    def _match_entries(self, g: GigFacts, out: list[Criteria]) -> None:
        if g.remote_mode is None:
            need = _ALL_MODES
        elif g.remote_mode in _MODE_BITS:
            need = _MODE_BITS[g.remote_mode]
        else:
            return  # a mode no subscription here accepts
        words = self.words.find(g.search_text) if len(self.words) else []

        # 1. Posting lists: any domain, the gig's domains, the keywords found in its text.
        key_list = [0]
        key_list.extend(self.domain_key[d] for d in g.domains if d in self.domain_key)
        n_domain_keys = len(key_list)
        word_key = self.word_key
        key_list.extend(k for k in (word_key[w] for w in words) if k >= 0)
        keys = np.asarray(key_list, dtype=np.int64) * 2

        # 2. Rate: a prefix of each block, by binary search on the floor.
        figure = gig_rate(g)
        if figure is None:
            ends = self.block_end[keys]  # group A only, whole
        else:
            keys = np.concatenate((keys, keys + 1))
            query = min(max(figure + 1, 0), _FLOOR_QUERY_MAX)
            ends = np.searchsorted(self.keys, (keys << _FLOOR_BITS) | query, side="right")
        starts = self.block_start[keys]
        cols = self.cols
        parts = [cols[:, s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True) if e > s]
        if not parts:
            return
        entries = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)

        # 3. Vectorised filters: remote mode, days, domains (keyword postings only).
        flags = entries[_FLAGS]
        keep = (flags & need) == need
        days = gig_days(g)
        if days is not None and self.has_days:
            limit = entries[_MAX_DAYS].view(np.float64)
            keep &= np.isinf(limit) if math.isnan(days) else limit > days
        if len(key_list) > n_domain_keys:
            gig_mask = _ANY_DOMAIN_BIT
            for d in g.domains:
                bit = self.domain_bit.get(d)
                if bit is not None and bit < _MAX_DOMAIN_BITS:
                    gig_mask |= 1 << bit
            keep &= (entries[_DOMAINS] & gig_mask) != 0
        at = np.flatnonzero(keep)
        if not at.size:
            return
        pos = entries[_POS][at]

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
        if self.has_locations or self.has_multi:
            survivor_flags = flags[at]
            if self.has_locations and g.remote_mode != "remote":
                ok = self._check_locations(g, pos, survivor_flags, ok)
            if self.has_multi:
                ok = self._deduplicate(pos, survivor_flags, ok)
        found = pos if ok is None else pos[ok]
        out.extend(self.crits[found].tolist())

    def _check_locations(
        self, g: GigFacts, pos: I64, flags: I64, ok: NDArray[np.bool_] | None
    ) -> NDArray[np.bool_] | None:
        need = np.flatnonzero(flags & _HAS_LOCATIONS)
        if not need.size:
            return ok
        if ok is None:
            ok = np.ones(len(pos), dtype=np.bool_)
        if g.location is None:
            ok[need] = False
            return ok
        hit, ids = self._locations_hit(g.location)
        if not ids:
            ok[need] = False
            return ok
        fits = _gather(self.loc_ptr, self.loc_pos, ids)
        assert fits is not None
        if need.size * _ASK_EACH_RATIO < fits.size:  # few to check: ask each subscription
            crits = self.crits
            for i, p in zip(need.tolist(), pos[need].tolist(), strict=True):
                if hit.isdisjoint(crits[p].locations):
                    ok[i] = False
            return ok
        mark = self._mark
        mark[fits] = True
        ok[need] &= mark[pos[need]]
        mark[fits] = False
        return ok

    def _deduplicate(
        self, pos: I64, flags: I64, ok: NDArray[np.bool_] | None
    ) -> NDArray[np.bool_] | None:
        multi = np.flatnonzero(flags & _MULTI)
        if multi.size < 2:
            return ok
        where = pos[multi]
        serial = np.arange(multi.size, dtype=np.int64)
        owner = self._owner
        owner[where] = serial  # the last write wins: one occurrence per position
        repeated = owner[where] != serial
        if not repeated.any():
            return ok
        if ok is None:
            ok = np.ones(len(pos), dtype=np.bool_)
        ok[multi[repeated]] = False
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
    * **Vectorised filters** (numpy, over the prefixes only): remote mode (bit mask), day
      limit (float column), domains for keyword postings (bit mask). Then, on the survivors:
      tombstones, ``keywords_none`` (an inverted index of excluded keywords: the subscriptions
      banned by the keywords found in the text are marked in a scratch array), locations (for
      non-remote gigs only: each subscription is asked when there are few, else an inverted
      index of locations is marked) and deduplication of subscriptions listed more than once
      (a scatter of serial numbers: the last write wins).
    * **Keyword detection.** The distinct keywords of a segment form one vocabulary; a gig's
      text is checked against it once (string by string when small; when large, narrowed
      first by the text's character bigrams, vectorised).
    * Subscriptions the arrays cannot represent exactly (a remote mode outside the three, a
      negative or absurd floor, a non-finite day limit, more than 63 distinct domains) are
      kept aside and checked with :func:`.rules.matches` for every gig: in practice none.

    Updates, LSM style, so that a subscription saved now matches the next gig:

    * :meth:`upsert` tombstones the old version (a flag in an ``alive`` array) and puts the
      new one in a small **delta** dict, checked with :func:`.rules.matches` on every gig.
    * When the delta exceeds ``delta_limit`` (256) it is folded, with the live part of a
      second, **small segment**, into a new small segment (an index like the main one, built
      in milliseconds).
    * When the small segment plus the main segment's tombstones exceed ``rebuild_limit``
      (5,000), everything live is rebuilt into a new main segment (seconds at a million
      subscriptions; see ``docs/benchmarks-matcher.md``). :meth:`compact` forces it.

    Not thread-safe: one thread (the event loop) matches and updates. ``match`` uses scratch
    arrays of the segment, so calls must not interleave.
    """

    def __init__(
        self,
        criteria: Iterable[Criteria] = (),
        *,
        delta_limit: int = 256,
        rebuild_limit: int = 5000,
    ) -> None:
        self.delta_limit = delta_limit
        self.rebuild_limit = rebuild_limit
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
        if len(pending) + self._main.dead > self.rebuild_limit:
            self._main = _Segment(self._main.live_criteria() + pending)
            self._small = _Segment([])
            self.rebuilds += 1
        else:
            self._small = _Segment(pending)

    def compact(self) -> None:
        """Rebuild everything live into one main segment (no delta, no tombstones)."""
        everything = self._main.live_criteria() + self._small.live_criteria()
        self._main = _Segment(everything + list(self._delta.values()))
        self._small = _Segment([])
        self._delta = {}
        self.rebuilds += 1

    def match(self, g: GigFacts) -> list[Criteria]:
        """Every subscription ``g`` matches (:func:`.rules.matches`), each once."""
        out: list[Criteria] = []
        self._main.match(g, out)
        self._small.match(g, out)
        for c in self._delta.values():
            if matches(c, g):
                out.append(c)
        return out
