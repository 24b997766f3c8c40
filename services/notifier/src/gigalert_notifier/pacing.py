"""The pace of sends a provider allows, and its pause after a 429. Used from the event loop
thread only."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID


class Pacer:
    """At most ``rate`` sends a second (slots handed out in order), and a pause for
    everyone after a 429 (``hold``): LINE, one channel access token for every push."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0
        self._held_until = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(self._next, now, self._held_until)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)

    def hold(self, seconds: float) -> None:
        self._held_until = max(self._held_until, time.monotonic() + seconds)

    def held_for(self) -> float:
        return max(0.0, self._held_until - time.monotonic())


class ChannelSpacing:
    """At least ``interval`` seconds between two posts to one channel, and a pause for that
    channel after its 429 (``hold``): Slack limits each webhook."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._next: dict[UUID, float] = {}

    async def wait(self, channel_id: UUID) -> None:
        now = time.monotonic()
        slot = self._next.get(channel_id, now)
        if slot > now:
            await asyncio.sleep(slot - now)
        self._next[channel_id] = max(slot, now) + self._interval

    def hold(self, channel_id: UUID, seconds: float) -> None:
        self._next[channel_id] = max(self._next.get(channel_id, 0.0), time.monotonic() + seconds)

    def held_for(self, channel_id: UUID) -> float:
        return max(0.0, self._next.get(channel_id, 0.0) - time.monotonic())
