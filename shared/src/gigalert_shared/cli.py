"""The ``gigalert`` operator command.

Services add their own sub-commands through the ``gigalert.commands`` entry-point group,
so this package never imports a service.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import entry_points

import asyncpg
import typer

from gigalert_shared.crypto import SecretBox, reencrypt_channel_secrets
from gigalert_shared.kafka_admin import create_topics
from gigalert_shared.migrate import migrate as run_migrations
from gigalert_shared.retention import prune as prune_rows
from gigalert_shared.settings import get_settings

app = typer.Typer(help="gigalert operator commands.", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
keys_app = typer.Typer(help="The channel secret key (rotation).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


async def _connect() -> asyncpg.Connection:
    return await asyncpg.connect(get_settings().postgres.dsn.get_secret_value())


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


@app.command()
def prune() -> None:
    """Delete rows past retention (GIGALERT_RETENTION_DAYS) and published outbox rows older
    than an hour, in batches; web does the same hourly."""

    async def run() -> dict[str, int]:
        conn = await _connect()
        try:
            return await prune_rows(conn, get_settings().retention_days)
        finally:
            await conn.close()

    for table, n in asyncio.run(run()).items():
        typer.echo(f"{table}: {n} deleted")


@keys_app.command("reencrypt")
def keys_reencrypt() -> None:
    """Re-seal every stored channel secret with GIGALERT_CHANNEL_SECRET_KEY (those sealed
    with a key of GIGALERT_CHANNEL_SECRET_KEY_OLD open with it). Safe to run again."""

    async def run() -> tuple[int, int]:
        conn = await _connect()
        try:
            return await reencrypt_channel_secrets(conn, SecretBox.from_settings(get_settings()))
        finally:
            await conn.close()

    done, failed = asyncio.run(run())
    typer.echo(f"re-sealed {done} channel secrets with the current key")
    if failed:
        typer.echo(f"{failed} channel secrets open with no configured key (left as is)", err=True)
        raise typer.Exit(1)


def _load_plugins() -> None:
    for ep in entry_points(group="gigalert.commands"):
        app.add_typer(ep.load(), name=ep.name)


def main() -> None:
    _load_plugins()
    app()


if __name__ == "__main__":
    main()
