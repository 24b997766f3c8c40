"""Synchronous code awaiting on the loop through a greenlet: results, errors, cancellation
and context variables come through as if the code were a coroutine."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

from gigalert_notifier.greenlet_bridge import await_only, run_bridged

SEEN: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="unset")


async def double(x: int) -> int:
    await asyncio.sleep(0)
    return 2 * x


def add_doubles(a: int, b: int) -> int:
    return await_only(double(a)) + await_only(double(b))


async def test_each_awaitable_handed_over_is_awaited_in_turn() -> None:
    assert await run_bridged(add_doubles, 3, 4) == 14


async def fail() -> None:
    await asyncio.sleep(0)
    raise ValueError("from the loop")


def catches() -> str:
    try:
        await_only(fail())
    except ValueError as exc:
        return f"caught {exc}"
    return "not raised"


def raises() -> None:
    raise KeyError("from the sync code")


async def test_errors_reach_the_sync_code_and_come_back_out() -> None:
    assert await run_bridged(catches) == "caught from the loop"
    with pytest.raises(KeyError, match="from the sync code"):
        await run_bridged(raises)


async def test_cancelling_raises_inside_the_sync_code_where_it_waits() -> None:
    seen: list[str] = []

    def waits() -> None:
        try:
            await_only(asyncio.sleep(10))
        except asyncio.CancelledError:
            seen.append("cancelled inside")
            raise

    task = asyncio.create_task(run_bridged(waits))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled inside"]


async def test_the_callers_context_is_seen_and_not_changed() -> None:
    def reads_and_sets() -> str:
        before = SEEN.get()
        SEEN.set("inside")
        return before

    SEEN.set("caller")
    assert await run_bridged(reads_and_sets) == "caller"
    assert SEEN.get() == "caller"


def test_await_only_outside_a_bridged_call_is_an_error() -> None:
    coro = double(1)
    with pytest.raises(RuntimeError, match="run_bridged"):
        await_only(coro)
    coro.close()
