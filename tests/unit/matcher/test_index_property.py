"""The fast path returns exactly what the rules say, for random subscriptions, gigs and
updates. Small vocabularies make collisions (shared keywords, domains, floors) common."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import ModuleType
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigalert_matcher.matching import (
    Criteria,
    GigFacts,
    SubscriptionIndex,
    matches,
    segment,
    substrings,
)
from gigalert_matcher.matching.index import build_segment
from tests.unit.shared.test_matching_rules import BASE_CRITERIA

MODES = ["remote", "hybrid", "onsite"]
DOMAINS = ["pmo", "data", "marketing", "engineering", "x-custom"]
WORDS = ["pmo", "pm", "python", "広報", "データ", "a", "pmo支援", "営業", "%_", "sap", "アイ"]
PLACES = ["東京", "東京都", "大阪", "渋谷", "福岡市"]
GIG_PLACES = ["東京都渋谷区", "大阪府大阪市", "福岡", "", "東京"]
IDS = [uuid.UUID(int=i) for i in range(1, 41)]
FREELANCERS = [uuid.UUID(int=1000 + i) for i in range(5)]

floors = st.one_of(
    st.none(),
    st.sampled_from([0, 1000, 3000, 4500, 5000, 8000]),
    st.integers(-3, 9000),
    st.just(2**40),  # beyond what the arrays hold: checked by the rules
)
day_limits = st.one_of(
    st.none(),
    st.sampled_from([1.0, 2.0, 2.5, 3.0, 5.0]),
    st.sampled_from([0.0, 2.3, 127.0, 127.5, -1.0, math.inf, math.nan]),  # edges, rules-checked
)
criteria = st.builds(
    Criteria,
    subscription_id=st.sampled_from(IDS),
    freelancer_id=st.sampled_from(FREELANCERS),
    remote_modes=st.one_of(
        st.frozensets(st.sampled_from(MODES)),
        st.frozensets(st.sampled_from([*MODES, "moon"]), min_size=1),
    ),
    min_rate_jpy_h=floors,
    include_unknown_rate=st.booleans(),
    domains=st.frozensets(st.sampled_from(DOMAINS), max_size=3),
    keywords_any=st.lists(st.sampled_from(WORDS), max_size=3).map(tuple),
    keywords_none=st.lists(st.sampled_from(WORDS), max_size=2).map(tuple),
    max_days_per_week=day_limits,
    locations=st.lists(st.sampled_from(PLACES), max_size=2).map(tuple),
)
# 0 is unpaid work (無報酬): it passes no floor, not even 0.
rates = st.one_of(
    st.none(), st.sampled_from([0, 999, 3000, 4500, 5000, 7999]), st.integers(-5, 9000)
)
gigs = st.builds(
    GigFacts,
    gig_id=st.just(uuid.UUID(int=99)),
    remote_mode=st.one_of(st.none(), st.sampled_from([*MODES, "moon"])),
    rate_min_jpy_h=rates,
    rate_max_jpy_h=rates,
    domains=st.frozensets(st.sampled_from([*DOMAINS, "seo"]), max_size=3),
    search_text=st.lists(
        st.sampled_from([*WORDS, " ", "x", "支援", "p", "m", "o"]), max_size=8
    ).map("".join),
    days_min=st.one_of(
        st.none(),
        st.sampled_from([1.0, 2.0, 2.5, 3.0, 5.0]),
        st.sampled_from([0.0, 2.2, 2.3, -1.0, 127.2, 127.5, 200.0, math.inf, -math.inf, math.nan]),
    ),
    days_max=st.one_of(st.none(), st.sampled_from([2.0, 3.0, 5.0])),
    location=st.one_of(st.none(), st.sampled_from(GIG_PLACES)),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), criteria),
        st.tuples(st.just("remove"), st.sampled_from(IDS)),
    ),
    max_size=30,
)

# Each path of the index: the plain one, the bigram-narrowed keyword scan, and a location
# cache that keeps a single entry.
VARIANTS: dict[str, tuple[ModuleType, dict[str, Any]]] = {
    "default": (substrings, {"DIRECT_SCAN_LIMIT": substrings.DIRECT_SCAN_LIMIT}),
    "bigram keyword scan": (substrings, {"DIRECT_SCAN_LIMIT": 0}),
    "tiny location caches": (segment, {"_LOCATION_CACHE_SIZE": 1, "_LOCATION_MASKS": 1}),
}


@contextmanager
def variant(name: str) -> Iterator[None]:
    module, values = VARIANTS[name]
    with mock.patch.multiple(module, **values):
        yield


def expected(subs: dict[uuid.UUID, Criteria], g: GigFacts) -> set[uuid.UUID]:
    return {c.subscription_id for c in subs.values() if matches(c, g)}


def found(index: SubscriptionIndex, g: GigFacts) -> set[uuid.UUID]:
    result = index.match(g)
    ids = [c.subscription_id for c in result]
    assert len(ids) == len(set(ids)), "a subscription was returned twice"
    return set(ids)


@pytest.mark.parametrize("name", list(VARIANTS))
@settings(max_examples=300, deadline=None)
@given(initial=st.lists(criteria, max_size=40), probes=st.lists(gigs, min_size=1, max_size=6))
def test_index_equals_rules(name: str, initial: list[Criteria], probes: list[GigFacts]) -> None:
    with variant(name):
        index = SubscriptionIndex(initial)
        subs = {c.subscription_id: c for c in initial}
        assert len(index) == len(subs)
        for g in probes:
            assert found(index, g) == expected(subs, g)


@settings(max_examples=300, deadline=None)
@given(
    initial=st.lists(criteria, max_size=30),
    ops=operations,
    probes=st.lists(gigs, min_size=1, max_size=4),
    delta_limit=st.integers(0, 4),
    rebuild_limit=st.integers(0, 12),
)
def test_index_equals_rules_through_updates(
    initial: list[Criteria],
    ops: list[tuple[str, Criteria | uuid.UUID]],
    probes: list[GigFacts],
    delta_limit: int,
    rebuild_limit: int,
) -> None:
    index = SubscriptionIndex(initial, delta_limit=delta_limit, rebuild_limit=rebuild_limit)
    subs = {c.subscription_id: c for c in initial}
    for op, arg in ops:
        if op == "upsert":
            assert isinstance(arg, Criteria)
            index.upsert(arg)
            subs[arg.subscription_id] = arg
        else:
            assert isinstance(arg, uuid.UUID)
            assert index.remove(arg) == (subs.pop(arg, None) is not None)
        assert len(index) == len(subs)
        for g in probes[:1]:
            assert found(index, g) == expected(subs, g)
    for g in probes:
        assert found(index, g) == expected(subs, g)
    assert {c.subscription_id: c for c in index} == subs
    index.compact()
    assert index.stats["delta"] == 0
    assert index.stats["main_tombstones"] == 0
    for g in probes:
        assert found(index, g) == expected(subs, g)


def test_get_and_contains() -> None:
    c = replace(BASE_CRITERIA, subscription_id=IDS[0])
    index = SubscriptionIndex([c])
    assert IDS[0] in index and index.get(IDS[0]) == c
    assert IDS[1] not in index and "nope" not in index
    assert index.remove(IDS[0]) and not index.remove(IDS[0])
    assert len(index) == 0


@settings(max_examples=300, deadline=None)
@given(
    initial=st.lists(criteria, max_size=30),
    before=operations,
    during=operations,
    probes=st.lists(gigs, min_size=1, max_size=4),
    delta_limit=st.integers(0, 4),
)
def test_a_background_rebuild_keeps_every_change_made_while_it_ran(
    initial: list[Criteria],
    before: list[tuple[str, Criteria | uuid.UUID]],
    during: list[tuple[str, Criteria | uuid.UUID]],
    probes: list[GigFacts],
    delta_limit: int,
) -> None:
    index = SubscriptionIndex(
        initial, delta_limit=delta_limit, rebuild_limit=3, background_rebuild=True
    )
    subs = {c.subscription_id: c for c in initial}

    def apply(ops: list[tuple[str, Criteria | uuid.UUID]]) -> None:
        for _, arg in ops:
            if isinstance(arg, Criteria):
                index.upsert(arg)
                subs[arg.subscription_id] = arg
            else:
                assert index.remove(arg) == (subs.pop(arg, None) is not None)
            for g in probes[:1]:
                assert found(index, g) == expected(subs, g)

    apply(before)
    assert index.rebuilds == 0, "a background index never rebuilds on its own"
    segment = build_segment(index.begin_rebuild())
    apply(during)  # what the event loop does while the thread builds
    index.finish_rebuild(segment)
    assert not index.rebuilding and index.rebuilds == 1
    assert len(index) == len(subs)
    assert {c.subscription_id: c for c in index} == subs
    for g in probes:
        assert found(index, g) == expected(subs, g)


def test_a_background_index_asks_for_its_rebuild() -> None:
    crits = [replace(BASE_CRITERIA, subscription_id=uuid.uuid4()) for _ in range(20)]
    index = SubscriptionIndex(crits[:10], delta_limit=1, rebuild_limit=4, background_rebuild=True)
    for c in crits[10:]:
        index.upsert(c)
    due = [index.rebuild_due]
    snapshot = index.begin_rebuild()
    due.append(index.rebuild_due)
    index.upsert(crits[0])  # over the limit again while building: no second request
    index.upsert(crits[1])
    due.append(index.rebuild_due)
    assert due == [True, False, False] and index.rebuilds == 0 and len(snapshot) == 20
    with pytest.raises(RuntimeError):
        index.compact()
    index.finish_rebuild(build_segment(snapshot))
    assert (index.stats["main"], index.stats["small"], len(index)) == (18, 2, 20)
