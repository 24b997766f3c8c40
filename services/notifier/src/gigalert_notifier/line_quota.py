"""LINE's monthly push quota in metrics: the channel's limit and this month's use, read from
the Messaging API every ``GIGALERT_NOTIFIER_LINE_QUOTA_POLL_SECONDS`` (only with a channel
token). The host is the operator's setting, never user input. A failed read is logged and
tried at the next poll; the gauges keep their last values."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from gigalert_notifier.metrics import LINE_QUOTA_LIMIT, LINE_QUOTA_READS, LINE_QUOTA_USED

log = logging.getLogger(__name__)

QUOTA_PATH = "/v2/bot/message/quota"
CONSUMPTION_PATH = "/v2/bot/message/quota/consumption"


@dataclass(frozen=True, slots=True)
class LineQuota:
    limit: int | None  # None: the plan has no monthly limit
    used: int


class QuotaAnswerError(ValueError):
    """LINE answered something other than the documented shape."""


def parse_limit(body: Mapping[str, object]) -> int | None:
    """``{"type": "none"}`` or ``{"type": "limited", "value": 1000}``."""
    kind, value = body.get("type"), body.get("value")
    if kind == "none":
        return None
    if kind == "limited" and isinstance(value, int) and value >= 0:
        return value
    raise QuotaAnswerError(f"unexpected quota answer: type={kind!r}")


def parse_used(body: Mapping[str, object]) -> int:
    """``{"totalUsage": 500}``."""
    used = body.get("totalUsage")
    if isinstance(used, int) and used >= 0:
        return used
    raise QuotaAnswerError("unexpected consumption answer: no totalUsage")


async def read_quota(client: httpx.AsyncClient, token: str) -> LineQuota:
    headers = {"Authorization": f"Bearer {token}"}
    limit = await client.get(QUOTA_PATH, headers=headers)
    limit.raise_for_status()
    used = await client.get(CONSUMPTION_PATH, headers=headers)
    used.raise_for_status()
    return LineQuota(parse_limit(limit.json()), parse_used(used.json()))


def publish(quota: LineQuota) -> None:
    LINE_QUOTA_USED.set(quota.used)
    LINE_QUOTA_LIMIT.set(-1 if quota.limit is None else quota.limit)


async def poll_quota(base_url: str, token: str, every_seconds: float, timeout: float) -> None:
    """Until cancelled."""
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
        while True:
            try:
                publish(await read_quota(client, token))
                LINE_QUOTA_READS.labels(result="ok").inc()
            except (httpx.HTTPError, QuotaAnswerError, ValueError) as exc:
                LINE_QUOTA_READS.labels(result="failed").inc()
                status = (
                    exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else None
                )
                log.warning(
                    "could not read LINE's push quota",
                    extra={"error": type(exc).__name__, "status": status},
                )
            await asyncio.sleep(every_seconds)
