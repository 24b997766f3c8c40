"""The vectorised murmur2 gives aiokafka's hash, so the same partition for every key."""

from __future__ import annotations

import uuid

from aiokafka.partitioner import murmur2
from hypothesis import given
from hypothesis import strategies as st

from gigalert_matcher.key_hash import murmur2_many


@given(st.lists(st.binary(max_size=41), max_size=30))
def test_same_hash_as_aiokafka(keys: list[bytes]) -> None:
    assert murmur2_many(keys) == [murmur2(k) for k in keys]


def test_freelancer_ids() -> None:
    keys = [str(uuid.uuid4()).encode() for _ in range(2000)]
    assert murmur2_many(keys) == [murmur2(k) for k in keys]
