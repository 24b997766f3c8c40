"""``gigalert notifier serve|dead|requeue``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import typer

from gigalert_shared.serve import serve as serve_app
from gigalert_shared.settings import get_settings

notifier_app = typer.Typer(help="The notifier service.", no_args_is_help=True)


@notifier_app.command("serve")
def serve() -> None:
    """Run the alerts.matched consumer, the delivery worker and the ops API."""
    from gigalert_notifier.api.app import create_app

    serve_app("notifier", create_app, lambda s: s.http.notifier_port)


async def _fetch(query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(get_settings().postgres.dsn.get_secret_value())
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


@notifier_app.command("dead")
def dead(limit: int = 50) -> None:
    """List dead deliveries with their errors."""
    from gigalert_notifier.deliveries import q

    for r in asyncio.run(_fetch(q("list_deliveries"), "dead", limit)):
        typer.echo(f"{r['id']}  {r['kind']:5}  attempts={r['attempts']}  {r['last_error']}")


@notifier_app.command("requeue")
def requeue(ids: list[str]) -> None:
    """Requeue dead deliveries by id ('all' requeues every dead delivery)."""
    from gigalert_notifier.deliveries import q

    if ids == ["all"]:
        rows = asyncio.run(_fetch("SELECT id FROM deliveries WHERE status = 'dead'"))
        targets = [r["id"] for r in rows]
    else:
        targets = [UUID(i) for i in ids]
    done = asyncio.run(_fetch(q("requeue"), targets, datetime.now(UTC)))
    typer.echo(f"requeued {len(done)} deliveries")
