"""The ingest HTTP API. Platforms authenticate with ``X-API-Key``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, Response, status

from gigalert_ingest.build import Platform
from gigalert_ingest.metrics import REQUEST_SECONDS
from gigalert_ingest.platforms import PlatformAuth, RevokedKey, UnknownKey
from gigalert_ingest.raw_consumer import register_raw_consumer
from gigalert_ingest.schemas import BatchIn, GigIn, IngestAnswer, ItemError, ItemResult, Outcome
from gigalert_ingest.service import IngestService, validate_item
from gigalert_shared.auth_guards import Refused, api_key_credential, credential_guard
from gigalert_shared.db import create_pool
from gigalert_shared.http_middleware import RequestObserver
from gigalert_shared.kafka_publish import KafkaOutboxPublisher
from gigalert_shared.outbox import OutboxRelay
from gigalert_shared.service_app import kafka_broker, service_app
from gigalert_shared.settings import Settings, get_settings
from gigalert_shared.topics import Topics

log = logging.getLogger(__name__)


class State:
    service: IngestService
    auth: PlatformAuth
    max_batch: int


def state_of(request: Request) -> State:
    state: State = request.app.state.ingest
    return state


async def _state(request: Request) -> State:  # a coroutine: no worker-thread hop per request
    return state_of(request)


StateDep = Annotated[State, Depends(_state)]


async def _platform_by_key(request: Request, key: str) -> Platform | None:
    try:
        return await state_of(request).auth.authenticate(key)
    except UnknownKey:
        return None
    except RevokedKey:
        raise Refused("this API key was revoked") from None


current_platform = credential_guard(
    _platform_by_key,
    credential=api_key_credential("The platform's API key."),
    detail="missing or unknown X-API-Key",
    challenge="ApiKey",
)
PlatformDep = Annotated[Platform, Depends(current_platform)]


def _observe_request(route: str, status_code: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route=route, status=str(status_code)).observe(seconds)


def _answer(results: list[ItemResult]) -> IngestAnswer:
    rejected = sum(r.status is Outcome.REJECTED for r in results)
    return IngestAnswer(results=results, accepted=len(results) - rejected, rejected=rejected)


def _accepted(answer: IngestAnswer) -> Response:
    """The 202 answer, serialised once by pydantic: the model is built from validated parts,
    so FastAPI's ``response_model`` pass (dump, validate again, encode) would only repeat it.
    ``response_model=IngestAnswer`` stays on the routes for the OpenAPI document."""
    return Response(
        answer.model_dump_json(), status.HTTP_202_ACCEPTED, media_type="application/json"
    )


def create_app(settings: Settings | None = None, *, max_batch: int = 500) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        cfg = settings or get_settings()
        topics = Topics(cfg.kafka.topic_prefix)
        pool = await create_pool(cfg.postgres)
        broker = kafka_broker(cfg.kafka, "ingest")
        publisher = KafkaOutboxPublisher(
            cfg.kafka, topics, client_id=f"{cfg.kafka.client_id}-ingest-outbox"
        )
        await publisher.start()
        relay = OutboxRelay(pool, publisher)
        state = State()
        state.auth = PlatformAuth(pool)
        state.service = IngestService(pool, fx_to_jpy=cfg.fx_to_jpy, on_stored=relay.wake)
        state.max_batch = max_batch
        register_raw_consumer(
            broker,
            topics=topics,
            service=state.service,
            auth=state.auth,
            max_message_bytes=cfg.http.max_body_bytes,
        )
        await state.auth.start()
        await broker.start()
        await relay.start()
        app.state.ingest = state
        app.state.pool = pool
        app.state.broker = broker
        log.info("ingest started", extra={"topics_prefix": topics.prefix})
        try:
            yield
        finally:
            # In-flight requests are finished by the server before this runs.
            await relay.stop()
            await publisher.stop()
            await broker.stop()
            await state.auth.stop()
            await pool.close()
            log.info("ingest stopped")

    http = (settings or get_settings()).http
    app = service_app(
        http,
        title="gigalert ingest",
        description="Platforms push gigs here. Authenticate with the `X-API-Key` header.",
        lifespan=lifespan,
        max_body_size=http.max_body_bytes,
    )
    app.add_middleware(RequestObserver, observe=_observe_request)

    @app.post(
        "/v1/gigs",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=IngestAnswer,
        responses={401: {}, 403: {}, 413: {}, 422: {}, 429: {}},
        summary="Post one gig",
    )
    async def post_gig(gig: GigIn, platform: PlatformDep, state: StateDep) -> Response:
        answer = _answer(await state.service.accept(platform, [gig]))
        _log_results(platform, answer)
        return _accepted(answer)

    @app.post(
        "/v1/gigs/batch",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=IngestAnswer,
        responses={401: {}, 403: {}, 413: {}, 422: {}, 429: {}},
        summary="Post up to the batch limit of gigs; every item gets a result",
    )
    async def post_batch(batch: BatchIn, platform: PlatformDep, state: StateDep) -> Response:
        if len(batch.gigs) > state.max_batch:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                [
                    {
                        "loc": ["body", "gigs"],
                        "msg": f"at most {state.max_batch} gigs per batch",
                        "type": "too_long",
                    }
                ],
            )
        items: list[GigIn | list[ItemError]] = [validate_item(raw) for raw in batch.gigs]
        answer = _answer(await state.service.accept(platform, items))
        _log_results(platform, answer)
        return _accepted(answer)

    return app


def _log_results(platform: Platform, answer: IngestAnswer) -> None:
    if not log.isEnabledFor(logging.INFO):  # the usual case under load: build no records
        return
    for r in answer.results:
        if r.status is Outcome.REJECTED:
            log.info(
                "gig rejected",
                extra={"platform": platform.name, "index": r.index, "errors": len(r.errors)},
            )
    log.info(
        "gigs received",
        extra={
            "platform": platform.name,
            "accepted": answer.accepted,
            "rejected": answer.rejected,
            "gig_ids": [r.gig_id for r in answer.results if r.gig_id][:500],
        },
    )
