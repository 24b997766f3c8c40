"""What every case of the notifier bench shares: settings, the run's context (databases,
topics, processes, the sink and the webhook endpoint), the freelancers it loads."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import math
import os
import secrets
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

import asyncpg
import httpx

from gigalert_shared.crypto import SLACK_PREFIX, SecretBox, mask
from gigalert_shared.events import AlertMatched, MatchReason
from gigalert_shared.settings import Settings
from gigalert_shared.topics import Topics
from tests.integration.notifier.fixtures import alert
from tests.support.fleet import Fleet
from tests.support.smtp_sink import Received
from tests.support.stats import parse_histogram

REPO: Final = Path(__file__).resolve().parents[2]


ADMIN_DSN: Final = os.environ.get(
    "GIGALERT_BENCH_DSN", "postgresql://gigalert:gigalert@127.0.0.1:15432/gigalert"
)


KAFKA: Final = os.environ.get("GIGALERT_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")


BENCH_METRICS_TOKEN: Final = "bench-metrics-token"


SERVICE_SETTINGS: Final = {
    "GIGALERT_ENV": "development",
    "GIGALERT_HTTP_METRICS_TOKEN": BENCH_METRICS_TOKEN,
}


METRICS_AUTH: Final = {"Authorization": f"Bearer {BENCH_METRICS_TOKEN}"}


Criterion = Literal["remote_mode", "rate", "domain", "keyword", "days", "location"]


REASONS_JA: Final[list[tuple[Criterion, str, str]]] = [
    ("remote_mode", "フルリモート ✓", "fully remote ✓"),
    (
        "rate",
        "¥5,000/h ≥ ¥4,500（月額80万円 ÷ 160h、精算幅140-180hの中央）",
        "¥5,000/h ≥ ¥4,500 (¥800,000/month ÷ 160h, middle of 140-180h)",
    ),
    ("domain", "分野: PMO ✓", "domain: PMO ✓"),
    ("days", "週2〜3日 ≤ 週3日", "2-3 days/week ≤ 3"),
]


def make_alert(fid: uuid.UUID, sid: uuid.UUID, n: int) -> AlertMatched:
    """The tests' alert, with a longer title and the four reasons a typical match has."""
    reasons = [MatchReason(criterion=c, text_ja=ja, text_en=en) for c, ja, en in REASONS_JA]
    base = alert(fid, sid, title=f"大手SaaSの新規事業PMO支援（フルリモート・週2〜3日）#{n}")
    return base.model_copy(update={"reasons": {str(sid): reasons}})


@dataclass
class Population:
    """Freelancers with one channel and one instant subscription each."""

    kind: str
    freelancers: list[uuid.UUID]
    subscriptions: list[uuid.UUID]


async def load_population(
    conn: asyncpg.Connection, n: int, kind: str, box: SecretBox
) -> Population:
    fids = [uuid.uuid4() for _ in range(n)]
    sids = [uuid.uuid4() for _ in range(n)]
    await conn.copy_records_to_table(
        "freelancers",
        records=[(f, "ベンチ太郎", hashlib.sha256(f.bytes).digest()) for f in fids],
        columns=["id", "display_name", "token_hash"],
    )
    if kind == "email":
        channels: list[tuple[uuid.UUID, uuid.UUID, str, str, bytes | None]] = [
            (uuid.uuid4(), f, "email", f"bench.{f.hex[:12]}@example.jp", None) for f in fids
        ]
    else:
        channels = []
        for i, f in enumerate(fids):
            url = f"{SLACK_PREFIX}TBENCH/B{i:08d}/{secrets.token_hex(12)}"
            channels.append((uuid.uuid4(), f, "slack", mask(url), box.seal(url)))
    verified = datetime.now(UTC)  # only proven channels receive alerts
    await conn.copy_records_to_table(
        "channels",
        records=[(*c, verified) for c in channels],
        columns=["id", "freelancer_id", "kind", "target", "secret_encrypted", "verified_at"],
    )
    await conn.copy_records_to_table(
        "subscriptions",
        records=[(s, f, "PMO副業") for s, f in zip(sids, fids, strict=True)],
        columns=["id", "freelancer_id", "name"],
    )
    return Population(kind, fids, sids)


def src_env(src: str | None) -> dict[str, str]:
    """Run a subprocess on the sources under ``src`` (a ``git archive`` of shared/src and
    services/notifier/src) instead of the working tree's."""
    if src is None:
        return {}
    paths = [os.path.join(src, "shared/src"), os.path.join(src, "services/notifier/src")]
    return {"PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")])}


@dataclass
class Context:
    args: argparse.Namespace
    admin: asyncpg.Connection
    procs: Fleet
    workdir: Path
    dbs: list[str] = field(default_factory=list)
    topics: list[Topics] = field(default_factory=list)
    sink_port: int = 0
    sink_log: Received | None = None
    webhook_port: int = 0
    webhook_log: Received | None = None
    sink_pid: int = 0
    webhook_pid: int = 0
    settings: Settings = field(default_factory=Settings)

    async def fresh_db(self, tag: str) -> str:
        from gigalert_shared.migrate import migrate

        name = f"gigalert_nbench_{tag}_{uuid.uuid4().hex[:8]}"
        await self.admin.execute(f'CREATE DATABASE "{name}"')
        self.dbs.append(name)
        dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        return dsn


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    return f"{seconds * 1000:,.0f}" if seconds >= 0.0995 else f"{seconds * 1000:,.1f}"


def cpu_text(per: dict[str, float]) -> str:
    return ", ".join(f"{n} {v:.0f}%" for n, v in per.items())


async def scrape(port: int, name: str, labels: dict[str, str]) -> dict[float, float]:
    async with httpx.AsyncClient(timeout=10) as c:
        text = (await c.get(f"http://127.0.0.1:{port}/metrics", headers=METRICS_AUTH)).text
    return parse_histogram(text, name, labels)


async def drop_databases(admin: asyncpg.Connection, names: list[str]) -> None:
    """Drop the bench's databases; on a fresh connection if the first one was lost (a
    Postgres restart by someone else)."""
    with contextlib.suppress(Exception):
        await admin.close()
    for attempt in range(5):
        try:
            conn = await asyncpg.connect(ADMIN_DSN)
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(2 * (attempt + 1))
            continue
        try:
            for db in list(names):
                await conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                names.remove(db)
            return
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await asyncio.sleep(2 * (attempt + 1))
        finally:
            with contextlib.suppress(Exception):
                await conn.close()
    if names:
        print(f"could not drop {names}: drop them by hand", file=sys.stderr)


async def delete_topics(topics: list[Topics]) -> None:
    """Best effort: the bench's topics go too."""
    from aiokafka.admin import AIOKafkaAdminClient

    names = [n for t in topics for n in t.all()]
    if not names:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    try:
        await admin.start()
        await admin.delete_topics(names)
    except Exception as exc:
        print(f"could not delete topics {names}: {exc!r}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            await admin.close()
