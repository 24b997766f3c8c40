"""The ``gigalert`` operator command.

Services add their own sub-commands through the ``gigalert.commands`` entry-point group,
so this package never imports a service.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import entry_points

import asyncpg
import typer

from gigalert_shared.kafka_admin import create_topics
from gigalert_shared.migrate import migrate as run_migrations
from gigalert_shared.settings import get_settings

app = typer.Typer(help="gigalert operator commands.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")


@app.command()
def migrate() -> None:
    """Apply pending database migrations (safe to run from several replicas at once)."""

    async def run() -> None:
        conn = await asyncpg.connect(get_settings().postgres.dsn.get_secret_value())
        try:
            applied = await run_migrations(conn)
        finally:
            await conn.close()
        for m in applied:
            typer.echo(f"applied {m.version:04d}_{m.name}")
        if not applied:
            typer.echo("database is up to date")

    asyncio.run(run())


@topics_app.command("create")
def topics_create() -> None:
    """Create the topics that do not exist yet, with the configured partition count."""
    settings = get_settings().kafka
    created = asyncio.run(create_topics(settings))
    for name in created:
        typer.echo(f"created {name} ({settings.partitions} partitions)")
    if not created:
        typer.echo("topics exist")


def _load_plugins() -> None:
    for ep in entry_points(group="gigalert.commands"):
        app.add_typer(ep.load(), name=ep.name)


def main() -> None:
    _load_plugins()
    app()


if __name__ == "__main__":
    main()
