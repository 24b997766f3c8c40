"""LINE's push quota read at the HTTP boundary (LINE cannot be reached from here): the two
documented answers, the token sent as a bearer, and what a failed read does to the gauges."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from gigalert_notifier.line_quota import (
    CONSUMPTION_PATH,
    QUOTA_PATH,
    LineQuota,
    QuotaAnswerError,
    parse_limit,
    parse_used,
    poll_quota,
    publish,
    read_quota,
)
from gigalert_notifier.metrics import LINE_QUOTA_LIMIT, LINE_QUOTA_READS, LINE_QUOTA_USED
from tests.support.http_stub import answer, read_request


def test_the_documented_answers() -> None:
    assert parse_limit({"type": "limited", "value": 1000}) == 1000
    assert parse_limit({"type": "none"}) is None
    assert parse_used({"totalUsage": 500}) == 500


@pytest.mark.parametrize(
    "body",
    [{}, {"type": "limited"}, {"type": "limited", "value": -1}, {"type": "other", "value": 5}],
)
def test_an_unknown_limit_answer_is_an_error(body: dict[str, object]) -> None:
    with pytest.raises(QuotaAnswerError):
        parse_limit(body)


def test_an_unknown_usage_answer_is_an_error() -> None:
    with pytest.raises(QuotaAnswerError):
        parse_used({"totalUsage": "500"})


def line_api(seen: list[httpx.Request], *, status: int = 200) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if status != 200:
            return httpx.Response(status, json={"message": "Authentication failed"})
        if request.url.path == QUOTA_PATH:
            return httpx.Response(200, json={"type": "limited", "value": 1000})
        if request.url.path == CONSUMPTION_PATH:
            return httpx.Response(200, json={"totalUsage": 742})
        return httpx.Response(404)

    return httpx.MockTransport(answer)


async def test_read_sends_the_token_and_reads_both_answers() -> None:
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(base_url="https://line.test", transport=line_api(seen)) as c:
        quota = await read_quota(c, "tok")
    assert quota == LineQuota(limit=1000, used=742)
    assert [r.url.path for r in seen] == [QUOTA_PATH, CONSUMPTION_PATH]
    assert all(r.headers["authorization"] == "Bearer tok" for r in seen)
    assert all(r.method == "GET" for r in seen)


async def test_a_rejected_token_raises_and_publishes_nothing() -> None:
    seen: list[httpx.Request] = []
    async with httpx.AsyncClient(
        base_url="https://line.test", transport=line_api(seen, status=401)
    ) as c:
        with pytest.raises(httpx.HTTPStatusError):
            await read_quota(c, "wrong")


def test_unlimited_is_published_as_minus_one() -> None:
    publish(LineQuota(limit=None, used=3))
    assert LINE_QUOTA_LIMIT._value.get() == -1
    assert LINE_QUOTA_USED._value.get() == 3
    publish(LineQuota(limit=1000, used=742))
    assert LINE_QUOTA_LIMIT._value.get() == 1000


async def test_the_poller_reads_a_local_server_and_survives_a_failure() -> None:
    """A real HTTP server on loopback standing in for LINE: the first read fails (500), the
    next succeeds; the poll goes on and the gauges show the second."""
    answers = [500, 200, 200, 200, 200, 200]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        status = answers.pop(0) if answers else 200
        limited = {"type": "limited", "value": 200}
        body = limited if request.path == QUOTA_PATH else {"totalUsage": 150}
        await answer(writer, status, json.dumps(body).encode())

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    failed_before = LINE_QUOTA_READS.labels(result="failed")._value.get()
    publish(LineQuota(limit=None, used=0))
    task = asyncio.create_task(poll_quota(f"http://127.0.0.1:{port}", "tok", 0.05, 2.0))
    try:
        for _ in range(100):
            await asyncio.sleep(0.02)
            if LINE_QUOTA_USED._value.get() == 150:
                break
    finally:
        task.cancel()
        server.close()
    assert LINE_QUOTA_USED._value.get() == 150
    assert LINE_QUOTA_LIMIT._value.get() == 200
    assert LINE_QUOTA_READS.labels(result="failed")._value.get() == failed_before + 1
