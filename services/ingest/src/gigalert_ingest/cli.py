"""``gigalert platforms …``, ``gigalert ingest serve`` and ``gigalert ingest score-corpus``."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Annotated

import asyncpg
import typer

from gigalert_ingest.platforms import create_platform
from gigalert_ingest.repository import revoke_platform
from gigalert_shared.serve import serve as serve_app
from gigalert_shared.settings import get_settings

# A batch of 500 gigs allocates a few hundred thousand short-lived objects (parsed JSON,
# models, matches); at the default generation-0 threshold of 700 the cyclic collector runs
# hundreds of times per batch, each time also walking what the requests in flight still hold
# (about a tenth of the CPU per gig in bench/ingest_bench.py). Reference counting frees
# nearly all of these objects anyway; the older generations keep their default ratios.
GC_THRESHOLDS = (50_000, 10, 10)

platforms_app = typer.Typer(help="Platforms that push gigs.", no_args_is_help=True)
ingest_app = typer.Typer(help="The ingest service.", no_args_is_help=True)


async def _connect() -> asyncpg.Connection:
    return await asyncpg.connect(get_settings().postgres.dsn.get_secret_value())


@platforms_app.command("add")
def add(name: str) -> None:
    """Create a platform and print its API key (shown once; only its hash is stored)."""

    async def run() -> str:
        conn = await _connect()
        try:
            _, key = await create_platform(conn, name=name)
        finally:
            await conn.close()
        return key

    try:
        key = asyncio.run(run())
    except asyncpg.UniqueViolationError:
        typer.echo(f"a platform named {name!r} exists", err=True)
        raise typer.Exit(1) from None
    typer.echo(key)


@platforms_app.command("revoke")
def revoke(name: str) -> None:
    """Revoke a platform's API key; its requests are refused with 403 from then on."""

    async def run() -> bool:
        conn = await _connect()
        try:
            return await revoke_platform(conn, name=name)
        finally:
            await conn.close()

    if not asyncio.run(run()):
        typer.echo(f"no active platform named {name!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {name}")


@ingest_app.command("serve")
def serve() -> None:
    """Run the ingest HTTP API and the gigs.raw consumer."""
    from gigalert_ingest.api.app import create_app

    gc.set_threshold(*GC_THRESHOLDS)
    serve_app("ingest", create_app, lambda s: s.http.ingest_port)


_CORPUS = typer.Option(help="Directory of labelled listings (*.json).")


@ingest_app.command("score-corpus")
def score_corpus_command(
    corpus: Annotated[Path, _CORPUS] = Path("tests/data/corpus"),
) -> None:
    """Normalise every listing of the labelled corpus as the HTTP API would (no server) and
    print the share of labels that hold, per fact and overall, and every miss."""
    from gigalert_ingest.corpus import load_corpus, score_corpus

    listings = load_corpus(corpus)
    if not listings:
        typer.echo(f"no listings in {corpus}/*.json", err=True)
        raise typer.Exit(1)
    typer.echo(score_corpus(listings, get_settings().fx_to_jpy).report())
