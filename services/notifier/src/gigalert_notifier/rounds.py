"""The worker's loop: claim a round of due deliveries and send it, claiming the next round
while the previous one still sends (at most ``in_flight`` at once), so a round's last slow
sends do not leave the SMTP sessions and HTTP connections idle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
_HOUSEKEEPING_SECONDS = 5.0


async def run_rounds(
    claim: Callable[[], Awaitable[list[T]]],
    deliver: Callable[[list[T]], Coroutine[Any, Any, None]],
    *,
    stopping: Callable[[], bool],
    wake: asyncio.Event,
    poll_seconds: float,
    housekeeping: Callable[[], Awaitable[None]],
    in_flight: int = 2,
) -> None:
    """Until ``stopping()``; then the rounds under way finish (cancelled if this is)."""
    last_housekeeping = 0.0
    rounds: set[asyncio.Task[None]] = set()
    try:
        while not stopping():
            try:
                claimed = await claim()
                if time.monotonic() - last_housekeeping > _HOUSEKEEPING_SECONDS:
                    await housekeeping()
                    last_housekeeping = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed")
                claimed = []
            if claimed:
                task = asyncio.create_task(deliver(claimed))
                rounds.add(task)
                task.add_done_callback(rounds.discard)
                if len(rounds) >= in_flight:
                    await asyncio.wait(rounds, return_when=asyncio.FIRST_COMPLETED)
            elif rounds:  # nothing due yet: claim again once a round is done
                await asyncio.wait(rounds, return_when=asyncio.FIRST_COMPLETED)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=poll_seconds)
                wake.clear()
        await asyncio.gather(*rounds, return_exceptions=True)
    except asyncio.CancelledError:
        for task in rounds:
            task.cancel()
        await asyncio.gather(*rounds, return_exceptions=True)
        raise
