"""Rate limiting of authentication failures, in process, keyed by client address.

After ``max_failures`` failed authentications from one address within ``window_seconds``
(a sliding window), every further *failing* attempt from that address is answered **429**
with ``Retry-After`` (instead of 401/403) until the oldest of those failures is older than
the window. Valid credentials are checked first and always work, even from a blocked
address: a guesser on a shared address (a NAT, an office) never locks out the platforms or
people behind it. Successful authentications are not counted and do not reset the count.
Requests that present no credentials at all are not failures either: nobody is guessing,
and health checks or mistyped scripts should not lock an address out.

The key is the address the server sees (``request.client.host``). Behind a reverse proxy or
a load balancer that is the proxy's address, so one guesser slows every failing client
behind the same proxy: restore the real client address (``GIGALERT_HTTP_FORWARDED_ALLOW_IPS``
set to the proxy; nobody is trusted by default) or rate-limit at the proxy as well.
Each process keeps its own counts, so N replicas allow up to N times the
limit; this is a brake on guessing (keys and tokens are 256-bit random), not an account
lockout.

Memory is bounded: at most ``max_keys`` addresses are remembered, the least recently failed
ones are forgotten first, and each address keeps at most ``max_failures`` timestamps.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import HTTPException, status

__all__ = [
    "DEFAULT_MAX_FAILURES",
    "DEFAULT_MAX_KEYS",
    "DEFAULT_WINDOW_SECONDS",
    "TOO_MANY_FAILURES",
    "AuthFailureLimiter",
    "client_key",
    "too_many_failures",
]

DEFAULT_MAX_FAILURES = 20
DEFAULT_WINDOW_SECONDS = 60.0
DEFAULT_MAX_KEYS = 10_000
TOO_MANY_FAILURES = "too many failed authentications from this address; retry later"


def too_many_failures(wait: int) -> HTTPException:
    """The 429 a client gets once its failed credentials reach the limit."""
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY_FAILURES, headers={"Retry-After": str(wait)}
    )


def client_key(client: object) -> str:
    """The limiter key of a Starlette ``request.client`` (``None`` for some transports)."""
    host = getattr(client, "host", None)
    return host if isinstance(host, str) and host else "unknown"


class AuthFailureLimiter:
    """Counts failed authentications per key; pure logic with an injectable clock."""

    def __init__(
        self,
        *,
        max_failures: int = DEFAULT_MAX_FAILURES,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_failures < 1 or window_seconds <= 0 or max_keys < 1:
            raise ValueError("max_failures, window_seconds and max_keys must be positive")
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._failures)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        stamps = self._failures.get(key)
        if stamps is None:
            return None
        while stamps and stamps[0] <= now - self.window_seconds:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
            return None
        return stamps

    def retry_after(self, key: str) -> int | None:
        """Whole seconds until ``key`` may try again, or ``None`` when it is not blocked."""
        now = self.clock()
        stamps = self._recent(key, now)
        if stamps is None or len(stamps) < self.max_failures:
            return None
        return max(1, math.ceil(stamps[0] + self.window_seconds - now))

    def failed(self, key: str) -> int | None:
        """A failed authentication from ``key``: ``Retry-After`` seconds when the address is
        already blocked (answer 429; not counted again), else ``None`` after counting it."""
        if (wait := self.retry_after(key)) is not None:
            return wait
        self.record_failure(key)
        return None

    def record_failure(self, key: str) -> None:
        now = self.clock()
        stamps = self._recent(key, now)
        if stamps is None:
            stamps = deque(maxlen=self.max_failures)
            self._failures[key] = stamps
        stamps.append(now)
        self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)
