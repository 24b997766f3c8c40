"""The fast path: every active subscription in memory, matched against a gig without
scanning them all. :meth:`SubscriptionIndex.match` returns exactly the subscriptions for
which :func:`.rules.matches` is true; the property tests hold it to that.

See :class:`SubscriptionIndex` for the layout and the update strategy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from uuid import UUID

from gigalert_matcher.matching.segment import IndexSegment
from gigalert_shared.matching.criteria import Criteria, GigFacts
from gigalert_shared.matching.rules import matches

__all__ = ["SubscriptionIndex", "build_segment"]


class SubscriptionIndex:
    """The active subscriptions of one matcher replica, indexed so that matching a gig
    costs about the size of its candidate lists, not the number of subscriptions.

    Layout (per segment, see :class:`.IndexSegment`):

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
        self._main = IndexSegment(list(unique.values()))
        self._small = IndexSegment([])
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
            self._small = IndexSegment(pending)
        elif self.background_rebuild:
            self._small = IndexSegment(pending)
            self.rebuild_due = self._changed_since_snapshot is None
        else:
            self._main = IndexSegment(self._main.live_criteria() + pending)
            self._small = IndexSegment([])
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

    def finish_rebuild(self, segment: IndexSegment) -> None:
        """Make ``segment`` (built from :meth:`begin_rebuild`'s snapshot) the main segment."""
        changed = self._changed_since_snapshot or set()
        self._changed_since_snapshot = None
        current = {i: self.get(i) for i in changed}
        for subscription_id in changed:
            segment.kill(subscription_id)
        self._main = segment
        self._small = IndexSegment([])
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


def build_segment(criteria: Sequence[Criteria]) -> IndexSegment:
    """A main segment of ``criteria``; touches no shared state, so it may run in a thread."""
    return IndexSegment(criteria)
