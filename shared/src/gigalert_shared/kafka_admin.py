"""Topic creation and broker readiness, with aiokafka's admin client."""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from gigalert_shared.settings import KafkaSettings
from gigalert_shared.topics import Topics


async def create_topics(settings: KafkaSettings, topics: Topics | None = None) -> list[str]:
    """Create every topic that does not exist yet; return the names created."""
    names = (topics or Topics(settings.topic_prefix)).all()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            new = [
                NewTopic(
                    name=n,
                    num_partitions=settings.partitions,
                    replication_factor=settings.replication_factor,
                )
                for n in missing
            ]
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica won
                await admin.create_topics(new)
            await _wait_for_leaders(admin, missing)
        return missing
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    """New partitions need a moment to elect leaders; producers fail until they have."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        described = await admin.describe_topics(names)
        if all(
            t.get("error_code", 0) == 0
            and t["partitions"]
            and all(p["leader"] >= 0 for p in t["partitions"])
            for t in described
        ):
            return
        await asyncio.sleep(0.1)


async def wait_for_kafka(bootstrap_servers: str, deadline_s: float = 60.0) -> None:
    """Wait until a metadata request succeeds."""
    deadline = time.monotonic() + deadline_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=3000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaError, OSError) as exc:
            last = exc
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
    raise TimeoutError(f"Kafka at {bootstrap_servers} not ready: {last!r}")
