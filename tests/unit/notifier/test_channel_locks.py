"""Deliveries to one channel take turns; a channel's lock is not kept once no delivery
holds or awaits it."""

from __future__ import annotations

import gc
import uuid
from typing import Any

from gigalert_notifier.schedule import SystemClock
from gigalert_notifier.worker import DeliveryWorker
from gigalert_shared.settings import Settings


async def _sent(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("nothing is sent here")


def worker() -> DeliveryWorker:
    pool: Any = object()  # the locks never touch Postgres
    return DeliveryWorker(pool, Settings(), clock=SystemClock(), sender=_sent)


async def test_a_channel_has_one_lock_while_it_is_in_use_and_none_after() -> None:
    w = worker()
    channel = uuid.uuid4()
    lock = w._channel_lock(channel)
    async with lock:
        assert w._channel_lock(channel) is lock  # a second delivery waits on the same one
        assert w._channel_lock(uuid.uuid4()) is not lock
    del lock
    gc.collect()
    assert len(w._channel_locks) == 0
