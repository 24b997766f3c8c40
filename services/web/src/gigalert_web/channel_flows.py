"""Adding and proving channels. A channel receives nothing until proven: an email address
by its confirmation link, LINE by the code its user sends our official account, Slack by a
test message that went through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

import asyncpg
import httpx

from gigalert_shared.channel_rules import SLACK_PREFIX, check_slack_webhook
from gigalert_shared.crypto import SecretBox, mask, shown_target
from gigalert_shared.db import Db
from gigalert_shared.settings import WebSettings
from gigalert_web import mail_links
from gigalert_web.i18n import Lang, text
from gigalert_web.mailer import Mailer
from gigalert_web.repository import channels
from gigalert_web.repository.channels import Channel
from gigalert_web.schemas import ChannelOut
from gigalert_web.tokens import code_digest, new_link_code

MAX_CHANNELS: Final = 10
LINK_CODE_MINUTES: Final = 30


class ChannelProblem(StrEnum):
    TOO_MANY = "too_many"
    EXISTS = "exists"


class ChannelRefused(Exception):
    def __init__(self, problem: ChannelProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def check_webhook(url: str, prefix: str) -> str:
    """Slack's own rule, or, where a test names another prefix, the same shape under it."""
    if prefix == SLACK_PREFIX:
        return check_slack_webhook(url)
    shape = re.escape(prefix) + r"[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-]{1,128}"
    if not re.fullmatch(shape, url):
        raise ValueError(f"must look like {prefix}T…/B…/…")
    return url


def channel_out(
    channel: Channel, *, link_code: str | None = None, add_friend_url: str | None = None
) -> ChannelOut:
    return ChannelOut.model_validate(
        {
            **{k: getattr(channel, k) for k in ChannelOut.model_fields if hasattr(channel, k)},
            "target": shown_target(channel.kind, channel.target),
            "status": channel.status,
            "link_code": link_code,
            "add_friend_url": add_friend_url,
        }
    )


async def _room_for_one(db: Db, freelancer_id: UUID) -> None:
    if await channels.count(db, freelancer_id=freelancer_id) >= MAX_CHANNELS:
        raise ChannelRefused(ChannelProblem.TOO_MANY)


async def add_email(
    pool: asyncpg.Pool,
    mailer: Mailer,
    web: WebSettings,
    *,
    freelancer_id: UUID,
    address: str,
    lang: Lang,
    ip: str,
) -> UUID:
    """A pending email channel, and its confirmation mail (double opt-in)."""
    if await channels.find_email(pool, freelancer_id=freelancer_id, address=address) is not None:
        raise ChannelRefused(ChannelProblem.EXISTS)
    await _room_for_one(pool, freelancer_id)
    channel_id = await channels.insert(
        pool, freelancer_id=freelancer_id, kind="email", target=address
    )
    await mail_links.send_link(
        pool,
        mailer,
        web,
        purpose="confirm_email",
        email=address,
        lang=lang,
        ip=ip,
        freelancer_id=freelancer_id,
        channel_id=channel_id,
    )
    return channel_id


class Confirmed(StrEnum):
    DONE = "done"
    TAKEN = "taken"
    INVALID = "invalid"


async def confirm_email(pool: asyncpg.Pool, token: str, ip: str) -> tuple[Confirmed, str | None]:
    """Use a confirmation link: the channel is proven, with when and from where (the consent
    record 特定電子メール法 asks for: the address is the channel's target)."""
    async with pool.acquire() as conn, conn.transaction():
        link = await mail_links.use(conn, token, "confirm_email")
        if link is None or link.channel_id is None or link.freelancer_id is None:
            return Confirmed.INVALID, None
        try:
            async with conn.transaction():
                done = await channels.confirm_email(
                    conn, channel_id=link.channel_id, freelancer_id=link.freelancer_id, ip=ip
                )
        except asyncpg.UniqueViolationError:
            return Confirmed.TAKEN, link.email
        return (Confirmed.DONE if done else Confirmed.INVALID), link.email


class SlackTester:
    """Sends the test message that proves a Slack webhook (no redirects followed)."""

    def __init__(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(10.0), follow_redirects=False, trust_env=False
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def send_test(self, url: str, message: str) -> str | None:
        """None when Slack took it, else the reason."""
        try:
            answer = await self._client.post(url, json={"text": message})
        except httpx.HTTPError as exc:
            return type(exc).__name__
        if 200 <= answer.status_code < 300:
            return None
        return f"HTTP {answer.status_code}"


async def add_slack(
    pool: asyncpg.Pool,
    box: SecretBox,
    tester: SlackTester,
    *,
    freelancer_id: UUID,
    url: str,
    lang: Lang,
) -> UUID | str:
    """The new channel's id once the test message went through; else the reason, and
    nothing is stored."""
    await _room_for_one(pool, freelancer_id)
    problem = await tester.send_test(url, text(lang, "slack.test"))
    if problem is not None:
        return problem
    return await channels.insert(
        pool,
        freelancer_id=freelancer_id,
        kind="slack",
        target=mask(url),
        secret=box.seal(url),
        verified_at=datetime.now(UTC),
    )


@dataclass(frozen=True, slots=True)
class LineStart:
    channel_id: UUID
    code: str


async def add_line(pool: asyncpg.Pool, *, freelancer_id: UUID, key: str) -> LineStart:
    """A pending LINE channel and its one-time code (a channel still waiting for its code
    gets a new one rather than a second pending channel)."""
    waiting = await channels.pending_line(pool, freelancer_id=freelancer_id)
    if waiting is not None:
        code = await renew_line_code(pool, freelancer_id=freelancer_id, channel_id=waiting, key=key)
        if code is not None:
            return LineStart(waiting, code)
    await _room_for_one(pool, freelancer_id)
    code = new_link_code()
    expires = datetime.now(UTC).timestamp() + LINK_CODE_MINUTES * 60
    channel_id = await channels.insert(
        pool,
        freelancer_id=freelancer_id,
        kind="line",
        link_code_hash=code_digest(code, key),
        link_code_expires_at=datetime.fromtimestamp(expires, UTC),
    )
    return LineStart(channel_id, code)


async def renew_line_code(
    pool: asyncpg.Pool, *, freelancer_id: UUID, channel_id: UUID, key: str
) -> str | None:
    code = new_link_code()
    done = await channels.renew_link_code(
        pool,
        channel_id=channel_id,
        freelancer_id=freelancer_id,
        code_hash=code_digest(code, key),
        seconds=float(LINK_CODE_MINUTES * 60),
    )
    return code if done else None
