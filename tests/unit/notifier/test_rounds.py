"""The worker's loop claims the next round while one still sends, never more than allowed,
and on stop lets the rounds under way finish."""

from __future__ import annotations

import asyncio

from gigalert_notifier.rounds import run_rounds


class Rounds:
    def __init__(self, batches: list[list[int]], send_seconds: float) -> None:
        self.batches = batches
        self.send_seconds = send_seconds
        self.running = 0
        self.most_at_once = 0
        self.done: list[int] = []
        self.stop = False

    async def claim(self) -> list[int]:
        return self.batches.pop(0) if self.batches else []

    async def deliver(self, batch: list[int]) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        await asyncio.sleep(self.send_seconds)
        self.done.extend(batch)
        self.running -= 1
        if not self.batches and not self.running:
            self.stop = True

    async def nothing(self) -> None:
        return None


async def test_rounds_overlap_two_at_a_time_and_all_finish() -> None:
    r = Rounds([[1, 2], [3], [4, 5], [6]], send_seconds=0.05)
    await asyncio.wait_for(
        run_rounds(
            r.claim,
            r.deliver,
            stopping=lambda: r.stop,
            wake=asyncio.Event(),
            poll_seconds=0.01,
            housekeeping=r.nothing,
        ),
        timeout=5,
    )
    assert sorted(r.done) == [1, 2, 3, 4, 5, 6]
    assert r.most_at_once == 2


async def test_stop_waits_for_the_rounds_under_way() -> None:
    r = Rounds([[1], [2]], send_seconds=0.1)
    stopping = False
    loop = asyncio.create_task(
        run_rounds(
            r.claim,
            r.deliver,
            stopping=lambda: stopping,
            wake=asyncio.Event(),
            poll_seconds=0.01,
            housekeeping=r.nothing,
        )
    )
    await asyncio.sleep(0.02)  # both rounds claimed and sending
    stopping = True
    await asyncio.wait_for(loop, timeout=5)
    assert sorted(r.done) == [1, 2]
