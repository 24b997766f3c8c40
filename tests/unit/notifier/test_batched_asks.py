"""Asks made at the same moment share one call; repeats and late asks go in later calls."""

from __future__ import annotations

import asyncio

import pytest

from gigalert_notifier.batched_asks import BatchedAsks


class Recorder:
    def __init__(self, no: frozenset[str] = frozenset(), fail_first: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.no = no
        self.fail_first = fail_first

    async def __call__(self, keys: list[str]) -> set[str]:
        self.calls.append(keys)
        await asyncio.sleep(0.01)
        if self.fail_first and len(self.calls) == 1:
            raise ConnectionRefusedError("down")
        return {k for k in keys if k not in self.no}


async def test_asks_of_one_moment_share_one_call() -> None:
    call = Recorder(no=frozenset({"c"}))
    asks = BatchedAsks[str](call)
    answers = await asyncio.gather(*(asks.ask(k) for k in "abcd"))
    assert answers == [True, True, False, True]
    assert call.calls == [["a", "b", "c", "d"]]


async def test_a_repeated_key_waits_for_the_next_call_in_order() -> None:
    call = Recorder()
    asks = BatchedAsks[str](call)
    answers = await asyncio.gather(*(asks.ask(k) for k in ["a", "b", "a", "c"]))
    assert answers == [True, True, True, True]
    assert call.calls == [["a", "b"], ["a", "c"]]


async def test_asks_during_a_call_join_the_next_one() -> None:
    call = Recorder()
    asks = BatchedAsks[str](call)
    first = asyncio.create_task(asks.ask("a"))
    await asyncio.sleep(0.005)  # the first call is under way
    later = await asyncio.gather(asks.ask("b"), asks.ask("c"))
    assert await first and list(later) == [True, True]
    assert call.calls == [["a"], ["b", "c"]]


async def test_a_failed_call_fails_its_asks_only() -> None:
    call = Recorder(fail_first=True)
    asks = BatchedAsks[str](call)
    first = asyncio.gather(asks.ask("a"), asks.ask("b"), return_exceptions=True)
    results = await first
    assert all(isinstance(r, ConnectionRefusedError) for r in results)
    assert await asks.ask("a") is True
    assert call.calls == [["a", "b"], ["a"]]


async def test_a_cancelled_ask_does_not_break_the_others() -> None:
    call = Recorder()
    asks = BatchedAsks[str](call)
    doomed = asyncio.create_task(asks.ask("a"))
    other = asyncio.create_task(asks.ask("b"))
    await asyncio.sleep(0)
    doomed.cancel()
    assert await other is True
    with pytest.raises(asyncio.CancelledError):
        await doomed
