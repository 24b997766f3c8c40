"""``gigalert notifier serve|dead|requeue``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

import asyncpg
import typer

from gigalert_shared.serve import serve as serve_app
from gigalert_shared.settings import get_settings

T = TypeVar("T")

notifier_app = typer.Typer(help="The notifier service.", no_args_is_help=True)


@notifier_app.command("serve")
def serve() -> None:
    """Run the alerts.matched consumer, the delivery worker and the ops API."""
    from gigalert_notifier.api.app import create_app

    serve_app("notifier", create_app, lambda s: s.http.notifier_port)


async def _with_db(use: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    conn = await asyncpg.connect(get_settings().postgres.dsn.get_secret_value())
    try:
        return await use(conn)
    finally:
        await conn.close()


@notifier_app.command("dead")
def dead(limit: int = 50) -> None:
    """List dead deliveries with their errors."""
    from gigalert_notifier import repository

    rows = asyncio.run(
        _with_db(lambda conn: repository.list_deliveries(conn, status="dead", limit=limit))
    )
    for r in rows:
        typer.echo(f"{r.id}  {r.kind:5}  attempts={r.attempts}  {r.last_error}")


@notifier_app.command("requeue")
def requeue(ids: list[str]) -> None:
    """Requeue dead deliveries by id ('all' requeues every dead delivery)."""
    from gigalert_notifier import repository

    async def run(conn: asyncpg.Connection) -> list[UUID]:
        targets = await repository.dead_ids(conn) if ids == ["all"] else [UUID(i) for i in ids]
        return await repository.requeue(conn, ids=targets, now=datetime.now(UTC))

    done = asyncio.run(_with_db(run))
    typer.echo(f"requeued {len(done)} deliveries")
