"""Synchronous code run in the event loop's thread, its I/O awaited on the loop: a greenlet
per call, as SQLAlchemy's asyncio bridge does. Apprise's plugins are synchronous; run this
way, the requests they make are awaited (no thread per send, no GIL hand-offs)."""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import greenlet

T = TypeVar("T")


class _Bridged(greenlet.greenlet):  # type: ignore[misc]  # untyped base
    def __init__(self, fn: Callable[..., Any], driver: greenlet.greenlet) -> None:
        super().__init__(fn, driver)
        self.driver = driver


def await_only(awaitable: Awaitable[T]) -> T:
    """Inside :func:`run_bridged`: hand ``awaitable`` to the loop and return its result (or
    raise its exception) once it is done."""
    current = greenlet.getcurrent()
    if not isinstance(current, _Bridged):
        raise RuntimeError("await_only() is only usable inside run_bridged()")
    return cast(T, current.driver.switch(awaitable))


async def run_bridged(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a greenlet of this thread, with this task's context variables; each
    awaitable it hands over with :func:`await_only` is awaited here. Cancelling this
    coroutine raises :class:`asyncio.CancelledError` inside ``fn`` where it waits."""
    child = _Bridged(fn, greenlet.getcurrent())
    child.gr_context = contextvars.copy_context()
    result: Any = child.switch(*args)
    while not child.dead:
        try:
            value = await result
        except BaseException:
            result = child.throw(*sys.exc_info())
        else:
            result = child.switch(value)
    return cast(T, result)
