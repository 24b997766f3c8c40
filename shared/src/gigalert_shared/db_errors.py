"""Errors that say Postgres is unreachable or busy, not that the work is wrong: the work is
tried again later, never counted against the record or delivery."""

from __future__ import annotations

from typing import Final

import asyncpg

DB_UNAVAILABLE: Final = (
    OSError,  # refused, reset, timed out (TimeoutError is an OSError)
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, a connection closed under us
    asyncpg.exceptions.OperatorInterventionError,  # 57P01 admin shutdown, 57P03 starting up
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # seen on a connection the server had just terminated
    # Class 40 (deadlock, serialization failure): rolled back whole, so trying again is safe.
    asyncpg.exceptions.TransactionRollbackError,
)


def db_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, DB_UNAVAILABLE)
