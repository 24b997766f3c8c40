"""Concurrent yes/no questions about keys, answered by one call per batch (one statement
instead of one per mail): whoever asks while a call is under way joins the next batch, and a
key asked twice in a batch waits for a later one (an upsert cannot touch a row twice)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


def split_distinct(asks: list[tuple[K, asyncio.Future[bool]]]) -> tuple[list[K], int]:
    """The leading asks that hold distinct keys: their keys, and how many asks they are
    (the first repeat and all after it wait, so answers keep the order of asking)."""
    keys: list[K] = []
    seen: set[K] = set()
    for key, _ in asks:
        if key in seen:
            break
        seen.add(key)
        keys.append(key)
    return keys, len(keys)


class BatchedAsks(Generic[K]):
    def __init__(self, call: Callable[[list[K]], Awaitable[set[K]]]) -> None:
        self._call = call
        self._waiting: list[tuple[K, asyncio.Future[bool]]] = []
        self._running: asyncio.Task[None] | None = None

    async def ask(self, key: K) -> bool:
        """True when ``call`` answered yes for ``key``; its error, if it failed."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, answer))
        if self._running is None:
            self._running = asyncio.create_task(self._answer_all())
        return await answer

    async def _answer_all(self) -> None:
        try:
            await asyncio.sleep(0)  # let the asks of the same moment join the first batch
            while self._waiting:
                keys, n = split_distinct(self._waiting)
                batch, self._waiting = self._waiting[:n], self._waiting[n:]
                try:
                    yes = await self._call(keys)
                except Exception as exc:
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(exc)
                    continue
                for key, answer in batch:
                    if not answer.done():
                        answer.set_result(key in yes)
        finally:
            self._running = None
